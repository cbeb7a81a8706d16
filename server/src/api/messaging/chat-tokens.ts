// Issue 20's chat tokens under /api/messaging (`/chatbot/token`: create, list, revoke; a client-scoped key or an
// admin's console session) and the page each token's URL opens, `/chat/t/{token}`: the environment's name, logo and
// colour, and the chat widget with the recipient already identified. An expired or revoked token, or a single-use one
// already used, is a page that says so (410); an unknown one 404. The page's only script carries a nonce (strict CSP).
import { randomBytes } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { type Static, Type } from 'typebox';
import type { AppContext } from '../../context.js';
import {
  type ChatTokenUse,
  createChatToken,
  listChatTokens,
  MAX_TOKEN_DAYS,
  presentChatToken,
  revokeChatToken,
  useChatToken,
} from '../../domain/messaging/chat-tokens.js';
import { IdSchema } from '../../http/ids.js';
import { escapeHtml } from '../../web/demo-page.js';
import {
  Answer,
  accountRoutes,
  MessagingErrors as Errors,
  Listing,
  ok,
  page,
  pageAt,
  MESSAGING_SECURITY as security,
  MESSAGING_TAGS as tags,
  withIdempotency,
} from './common.js';
import { PhoneNumber, Variables } from './messenger-schemas.js';

const TokenBody = Type.Object(
  {
    agent_id: IdSchema('The active chat environment whose chat the URL opens.'),
    recipient: Type.Object(
      {
        phone: Type.Optional(PhoneNumber),
        email: Type.Optional(Type.String({ format: 'email', maxLength: 254 })),
        external_id: Type.Optional(
          Type.String({ minLength: 1, maxLength: 255, description: 'Your id of the person.' }),
        ),
        firstname: Type.Optional(Type.String({ maxLength: 100 })),
        lastname: Type.Optional(Type.String({ maxLength: 100 })),
      },
      { additionalProperties: false, description: 'Who opens it: at least one of phone, email, external_id.' },
    ),
    variables: Type.Optional(Variables),
    expires_in_days: Type.Optional(
      Type.Integer({ minimum: 1, maximum: MAX_TOKEN_DAYS, description: 'Default 30 days.' }),
    ),
    multiple_use: Type.Optional(Type.Boolean({ description: 'Default false: the URL opens once.' })),
    reference: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'Echoed in the read report.' })),
  },
  {
    additionalProperties: false,
    examples: [
      {
        agent_id: 7,
        recipient: { phone: '+33612345678', firstname: 'Léa' },
        variables: { order: 'A-1042' },
        reference: 'order-A-1042',
      },
    ],
  },
);

/**
 * What an Idempotency-Key repeat answers: the token and its URL null, as the token is never stored in clear (revoke
 * it and make another to get a URL again).
 */
const withoutToken = (body: unknown) => {
  const { data } = body as { data: Record<string, unknown> };
  return { ...(body as object), data: { ...data, token: null, url: null } };
};

export type ChatTokenView = ReturnType<typeof presentChatToken>;

const GONE: Record<'expired' | 'revoked' | 'used', { en: string; fr: string }> = {
  expired: { en: 'This chat link has expired.', fr: 'Ce lien de discussion a expiré.' },
  revoked: { en: 'This chat link is no longer valid.', fr: 'Ce lien de discussion n’est plus valable.' },
  used: { en: 'This chat link has already been used.', fr: 'Ce lien de discussion a déjà été utilisé.' },
};

/** User agents of link previews and crawlers (WhatsApp, iMessage's facebookexternalhit/Twitterbot, Slack, Telegram…). */
const PREVIEW_AGENT =
  /facebookexternalhit|facebot|whatsapp|twitterbot|slackbot|telegrambot|discordbot|linkedinbot|skypeuripreview|embedly|applebot|googlebot|bingbot|bot\b|crawler|spider/i;

export const isLinkPreview = (userAgent: string | undefined): boolean =>
  userAgent !== undefined && PREVIEW_AGENT.test(userAgent);

function shell(title: string, nonce: string, body: string, color = '#0b78d0'): string {
  return `<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
<style nonce="${nonce}">body{font:16px/1.5 system-ui,sans-serif;margin:0;color:#1f2328}header{display:flex;gap:1rem;align-items:center;padding:1rem 1.5rem;color:#fff;background:${escapeHtml(color)}}header img{width:56px;height:56px;border-radius:12px;background:#fff}header h1{margin:0;font-size:1.25rem}main{max-width:640px;margin:2rem auto;padding:0 1.5rem}</style>
</head>
<body>
${body}
</body>
</html>`;
}

function pageOf(use: Exclude<ChatTokenUse, { kind: 'unknown' | 'gone' }>, nonce: string): string {
  const { environment, recipient } = use;
  const greeting = recipient.firstname === undefined ? 'Bonjour,' : `Bonjour ${recipient.firstname},`;
  // JSON inside a script: `<` escaped so no value can close the element. The loader reads `causerieIdentity` when it
  // installs, so the chat's first hello is already the signed recipient (no anonymous visitor made first).
  const identity = JSON.stringify(use.identity).replace(/</g, '\\u003c');
  return shell(
    environment.name,
    nonce,
    `<header><img src="${escapeHtml(environment.logo_url)}" alt=""><div><h1>${escapeHtml(environment.name)}</h1><div>${escapeHtml(environment.description)}</div></div></header>
<main><p id="greeting">${escapeHtml(greeting)}</p><p>La discussion s’ouvre en bas à droite de la page.</p></main>
<script nonce="${nonce}">window.causerieIdentity=${identity};window.Causerie=window.Causerie||{q:[]};['open','close','identify','on'].forEach(function(m){Causerie[m]=Causerie[m]||function(){Causerie.q.push([m,arguments])}});Causerie.open();</script>
<script src="/widget.js" data-website="${use.websiteId}" data-lang="fr" async></script>`,
    environment.brand_color,
  );
}

export const messagingChatTokensApi: FastifyPluginAsyncTypebox<{ context: AppContext }> = async (app, { context }) => {
  const { db } = context;
  const clientId = accountRoutes(
    app,
    context,
    /^\/api\/messaging\/chatbot\/token(\/|\?|$)/,
    "makes chat tokens only with the 'admin' role.",
  );

  app.post(
    '/api/messaging/chatbot/token',
    {
      schema: {
        tags,
        summary: 'Create a chat token',
        description:
          'A personalised chat URL for one recipient: `{ token, url }`, the token shown only in this answer (stored hashed; 256 random bits). The URL opens a page with the environment’s branding and the chat, the recipient identified as the contact the account knows (the visitor of their phone on the environment’s channel), continuing their history. An `Idempotency-Key` repeat answers the same token with `token` and `url` null (never stored in clear). The first opening reports `read` once (MESSENGER_REPORT, `data.token_id`, `reference`; and for the send that carried the URL when Causerie sent it, e.g. with `{{chat_url}}` in a template); later ones none. Expired, revoked or used (single use) → a 410 page. A link preview (WhatsApp, iMessage, Slack… by user agent) or a HEAD uses nothing.',
        security,
        body: TokenBody,
        response: {
          201: Answer('The token, once.', {
            id: 31,
            token: 'q3v…',
            url: 'https://chat.example.com/chat/t/q3v…',
            expires_at: '2027-01-04T09:00:00.000Z',
          }),
          ...Errors,
        },
      },
    },
    async (request, reply) => {
      const owner = clientId(request);
      await withIdempotency(
        db,
        request,
        reply,
        { kind: 'client', id: owner },
        async () => {
          const made = await createChatToken(
            db,
            owner,
            request.body as Static<typeof TokenBody>,
            context.config.publicUrl,
          );
          return { status: 201, body: ok({ ...presentChatToken(made.row), token: made.token, url: made.url }) };
        },
        withoutToken,
      );
    },
  );

  app.get(
    '/api/messaging/chatbot/token',
    {
      schema: {
        tags,
        summary: 'List chat tokens',
        description:
          'Newest first, without the tokens themselves: state (active, used, expired, revoked), uses, first use.',
        security,
        querystring: Type.Object(
          { ...Listing, agent_id: Type.Optional(IdSchema('Only this environment’s.')) },
          { additionalProperties: false },
        ),
        response: { 200: Answer('Tokens.', [{ id: 31, state: 'used', uses: 1 }]), ...Errors },
      },
    },
    async (request) => {
      const at = pageAt(request.query);
      const { items, count } = await listChatTokens(db, clientId(request), request.query.agent_id, at);
      return page(items.map(presentChatToken), count, at);
    },
  );

  app.delete(
    '/api/messaging/chatbot/token/:id',
    {
      schema: {
        tags,
        summary: 'Revoke a chat token',
        description: 'Its URL answers 410 from now on.',
        security,
        params: Type.Object({ id: IdSchema('The token id.') }),
        response: { 200: Answer('The token.', { id: 31, state: 'revoked' }), ...Errors },
      },
    },
    async (request) => ok(presentChatToken(await revokeChatToken(db, clientId(request), request.params.id))),
  );

  app.get<{ Params: { token: string } }>('/chat/t/:token', { schema: { hide: true } }, async (request, reply) => {
    const nonce = randomBytes(16).toString('base64');
    reply.header(
      'content-security-policy',
      // Scripts: ours (widget.js) and the page's one, by its nonce. Styles inline: the widget's loader adds a <style>
      // to its shadow root, which a nonce-only policy would refuse (the page's own values are escaped).
      `default-src 'self'; script-src 'self' 'nonce-${nonce}'; style-src 'self' 'unsafe-inline'; img-src 'self' https: data:; frame-src 'self'; connect-src 'self' ws: wss:; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'`,
    );
    reply.header('referrer-policy', 'no-referrer');
    reply.header('cache-control', 'no-store');
    reply.type('text/html; charset=utf-8');
    // A link preview (a messaging app fetching the URL to draw its card) or a HEAD is not the recipient opening the
    // link: it would use up a single-use token and report a read nobody made. It gets a neutral page and uses nothing.
    if (request.method === 'HEAD' || isLinkPreview(request.headers['user-agent']))
      return reply.code(200).send(shell('Discussion', nonce, '<main><h1>Discussion</h1></main>'));
    const use = await useChatToken(db, request.params.token);
    if (use.kind === 'unknown')
      return reply
        .code(404)
        .send(shell('Lien inconnu', nonce, '<main><h1>Lien inconnu</h1><p>This chat link does not exist.</p></main>'));
    if (use.kind === 'gone') {
      const message = GONE[use.reason];
      return reply
        .code(410)
        .send(
          shell(
            message.fr,
            nonce,
            `<main><h1>${escapeHtml(message.fr)}</h1><p lang="en">${escapeHtml(message.en)}</p></main>`,
          ),
        );
    }
    return reply.code(200).send(pageOf(use, nonce));
  });
};
