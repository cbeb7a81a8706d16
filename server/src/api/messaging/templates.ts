// Issue 20's message templates under /api/messaging: `/messenger/template` (create, list, read, replace, delete) and
// its preview (the message per channel with a recipient's variables, and the SMS's segments). A client-scoped key (or
// an admin's console session). Saving one with `whatsapp` submits it to Meta for review (TEMPLATE_STATUS follows).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { type Static, Type } from 'typebox';
import type { AppContext } from '../../context.js';
import { notifyMessengerWork } from '../../domain/messaging/messenger-signal.js';
import {
  MissingVariable,
  renderTemplate,
  smsSegments,
  type TemplateChannel,
} from '../../domain/messaging/template-render.js';
import {
  createTemplate,
  deleteTemplate,
  listTemplates,
  loadTemplate,
  presentTemplate,
  scenariosOf,
  TEMPLATE_CATEGORIES,
  updateTemplate,
} from '../../domain/messaging/templates.js';
import { ApiError } from '../../errors.js';
import { IdSchema } from '../../http/ids.js';
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
import { Variables } from './messenger-schemas.js';

const Text = (maxLength: number, description: string) => Type.String({ minLength: 1, maxLength, description });
const Button = Type.Union([
  Type.Object({ type: Type.Literal('reply'), text: Text(40, 'A quick reply.') }, { additionalProperties: false }),
  Type.Object(
    {
      type: Type.Literal('url'),
      text: Text(40, 'The button.'),
      url: Text(2000, 'https URL; may hold {{variables}} on RCS and SMS (WhatsApp: a fixed link).'),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      type: Type.Literal('dial'),
      text: Text(40, 'The button.'),
      phone: Type.String({ pattern: '^\\+[1-9][0-9]{6,14}$', description: 'E.164 number to call.' }),
    },
    { additionalProperties: false },
  ),
]);
const Card = Type.Object(
  {
    title: Text(400, 'Card title (RCS: at most 200).'),
    description: Text(4000, 'Card text (RCS: at most 2,000).'),
    media_url: Type.Optional(Type.String({ format: 'uri', maxLength: 2000 })),
  },
  { additionalProperties: false },
);
const Content = Type.Object(
  {
    body: Text(4096, 'The message, with {{variables}} (WhatsApp: at most 1,024 characters).'),
    header: Type.Optional(
      Type.Union([
        Type.Object(
          { type: Type.Literal('text'), text: Text(200, 'Header text (WhatsApp: 60).') },
          { additionalProperties: false },
        ),
        Type.Object(
          { type: Type.Enum(['image', 'video', 'document']), url: Type.String({ format: 'uri', maxLength: 2000 }) },
          { additionalProperties: false },
        ),
      ]),
    ),
    footer: Type.Optional(Text(200, 'Footer (WhatsApp: 60).')),
    buttons: Type.Optional(
      Type.Array(Button, {
        maxItems: 20,
        description: 'WhatsApp: 10 (3 replies, 2 links, 1 call); RCS: 11 suggestions.',
      }),
    ),
    card: Type.Optional(Card),
    carousel: Type.Optional(Type.Array(Card, { maxItems: 20, description: 'RCS: 2 to 10 cards.' })),
    sms_text: Type.Optional(Text(1600, 'What SMS sends instead (else the body, footer and links).')),
  },
  { additionalProperties: false },
);
const TEMPLATE_EXAMPLE = {
  name: 'commande_prete',
  language: 'fr',
  category: 'UTILITY',
  content: {
    body: 'Bonjour {{firstname}}, votre commande {{order}} est prête.',
    footer: 'Boulangerie Martin',
    buttons: [{ type: 'url', text: 'Suivre', url: 'https://shop.example/commandes' }],
  },
  whatsapp: { channel_id: 12, waba_id: '102290129340398' },
};
const TemplateFields = {
  name: Type.String({ pattern: '^[a-z0-9_]{1,512}$', description: 'Lower case, digits and _ (Meta’s rule).' }),
  language: Type.String({ pattern: '^[a-z]{2,3}(_[A-Z]{2})?$', description: 'fr, en_US, pt_BR…' }),
  category: Type.Enum([...TEMPLATE_CATEGORIES], { description: 'Meta’s category.' }),
  content: Content,
  whatsapp: Type.Union(
    [
      Type.Object(
        {
          channel_id: IdSchema('Your WhatsApp channel.'),
          waba_id: Type.String({
            pattern: '^[0-9]{5,30}$',
            description: 'The WhatsApp Business Account id of its number.',
          }),
        },
        { additionalProperties: false },
      ),
      Type.Null(),
    ],
    { description: 'Submit to Meta for review (WhatsApp opens conversations with approved templates only).' },
  ),
};
// Checked by the flow engine's definition check (scenarioOrError), which names the bad field
// (`scenario.steps[1].conditions[0].next`); a schema union here would name only `scenario`.
const Scenario = Type.Unknown({
  description:
    'What follows the opening message (`content`) for each recipient: steps the flow engine runs in the conversation the opening message went to — `send_message`, `send_template`, `wait_reply` (a reply or a suggestion click, with a timeout), `branch` (on the answer), `set_variable`, `wait`, `handover` (to an operator), `end` (docs/COMMERCE.md, Flow definitions). No `channel_id` or `to`: it continues on the channel and with the recipient of its send. `null` removes it. A step of another type, a `channel_id` or a `to` is 400 naming the field.',
  examples: [
    {
      steps: [
        { id: 'ask', type: 'wait_reply', timeout_seconds: 86400, timeout_next: 'bye' },
        {
          id: 'route',
          type: 'branch',
          conditions: [{ variable: 'reply', operator: 'eq', value: 'OUI', next: 'confirm' }],
          else: 'human',
        },
        { id: 'confirm', type: 'send_message', text: 'Merci {{firstname}}, c’est noté.', next: 'end' },
        { id: 'human', type: 'handover', note: 'Réponse libre au rappel de commande', next: 'end' },
        { id: 'bye', type: 'send_message', text: 'Sans réponse de votre part, nous gardons la commande.' },
        { id: 'end', type: 'end' },
      ],
    },
  ],
});
const TemplateBody = Type.Object(
  { ...TemplateFields, whatsapp: Type.Optional(TemplateFields.whatsapp), scenario: Type.Optional(Scenario) },
  { additionalProperties: false, examples: [TEMPLATE_EXAMPLE] },
);
const TemplatePatch = Type.Partial(Type.Object({ ...TemplateFields, scenario: Scenario }), {
  additionalProperties: false,
  minProperties: 1,
});

export type TemplateView = ReturnType<typeof presentTemplate>;

export const messagingTemplatesApi: FastifyPluginAsyncTypebox<{ context: AppContext }> = async (app, { context }) => {
  const { db } = context;
  const clientId = accountRoutes(
    app,
    context,
    /^\/api\/messaging\/messenger\/template(\/|\?|$)/,
    "edits templates only with the 'admin' role.",
  );
  const IdParams = Type.Object({ id: IdSchema('The template id.') });
  /** A template of the account as the API shows it, its scenario included. */
  const view = async (owner: number, id: number) => {
    const { row } = await loadTemplate(db, owner, id);
    return presentTemplate(row, (await scenariosOf(db, [row])).get(row.id));
  };

  app.post(
    '/messenger/template',
    {
      schema: {
        tags,
        summary: 'Create a message template',
        description:
          'Checked against every channel it may go on: WhatsApp’s limits when `whatsapp` is given (body 1,024, header and footer 60, 10 buttons of which 3 replies, 2 links, 1 call, button text 25), RCS’s (11 suggestions of 25, card title 200 and text 2,000, carousel 2–10), SMS’s 10 segments; `{{name}}` variables only. A problem is 400 naming its field (`content.buttons[3].text`). Usable at once on RCS and SMS; with `whatsapp` it is submitted to Meta (`whatsapp.status` pending → approved or rejected, each a TEMPLATE_STATUS callback). Accepts `Idempotency-Key`.',
        security,
        body: TemplateBody,
        response: { 201: Answer('The template.', { id: 4, ...TEMPLATE_EXAMPLE }), ...Errors },
      },
    },
    async (request, reply) => {
      const owner = clientId(request);
      await withIdempotency(db, request, reply, { kind: 'client', id: owner }, async () => {
        const id = await createTemplate(db, owner, request.body as Static<typeof TemplateBody>);
        notifyMessengerWork();
        return { status: 201, body: ok(await view(owner, id)) };
      });
    },
  );

  app.get(
    '/messenger/template',
    {
      schema: {
        tags,
        summary: 'List message templates',
        description: 'Newest first; filters by name, language and WhatsApp review status.',
        security,
        querystring: Type.Object(
          {
            ...Listing,
            name: Type.Optional(Type.String({ maxLength: 512 })),
            language: Type.Optional(Type.String({ maxLength: 10 })),
            whatsapp_status: Type.Optional(
              Type.Enum(['none', 'pending', 'approved', 'rejected', 'paused', 'disabled']),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: Answer('Templates.', [{ id: 4, ...TEMPLATE_EXAMPLE }]), ...Errors },
      },
    },
    async (request) => {
      const at = pageAt(request.query);
      const { items, count } = await listTemplates(db, clientId(request), request.query, at);
      const scenarios = await scenariosOf(db, items);
      return page(
        items.map((row) => presentTemplate(row, scenarios.get(row.id))),
        count,
        at,
      );
    },
  );

  app.get(
    '/messenger/template/:id',
    {
      schema: {
        tags,
        summary: 'Read a message template',
        description: 'Its content, variables and WhatsApp review state (with Meta’s reason when rejected).',
        security,
        params: IdParams,
        response: { 200: Answer('The template.', { id: 4, ...TEMPLATE_EXAMPLE }), ...Errors },
      },
    },
    async (request) => ok(await view(clientId(request), request.params.id)),
  );

  app.put(
    '/messenger/template/:id',
    {
      schema: {
        tags,
        summary: 'Change a message template',
        description:
          'The fields given replace the template’s. A WhatsApp template whose name, language, category or content changes is reviewed by Meta again (edited in place once Meta filed it: its `meta_template_id` stays); one still in Meta’s review is 409 until Meta decides. Saving it unchanged keeps its review.',
        security,
        params: IdParams,
        body: TemplatePatch,
        response: { 200: Answer('The template.', { id: 4, ...TEMPLATE_EXAMPLE }), ...Errors },
      },
    },
    async (request) => {
      const owner = clientId(request);
      await updateTemplate(db, owner, request.params.id, request.body as Static<typeof TemplatePatch>);
      notifyMessengerWork();
      return ok(await view(owner, request.params.id));
    },
  );

  app.delete(
    '/messenger/template/:id',
    {
      schema: {
        tags,
        summary: 'Delete a message template',
        description:
          'Sends not left yet that use it fail with `template_deleted`. A WhatsApp template Meta filed is deleted at Meta too (by the messenger worker), and TEMPLATE_STATUS says `disabled`. The name is free again at once here; Meta may refuse it for a new WhatsApp template for 30 days.',
        security,
        params: IdParams,
        response: { 200: Answer('Deleted.', { id: 4 }), ...Errors },
      },
    },
    async (request) => {
      await deleteTemplate(db, clientId(request), request.params.id);
      notifyMessengerWork();
      return ok({ id: request.params.id });
    },
  );

  app.post(
    '/messenger/template/:id/preview',
    {
      schema: {
        tags,
        summary: 'Preview a message template',
        description:
          'The message each channel would send with these variables (WhatsApp: the template and its parameters; SMS: the text with its encoding and segment count; RCS: the text with its suggestions). A variable without a value is 400 naming it.',
        security,
        params: IdParams,
        body: Type.Object({ variables: Type.Optional(Variables) }, { additionalProperties: false }),
        response: {
          200: Answer('Per channel.', {
            sms: { text: 'Bonjour Léa…', encoding: 'UCS-2', characters: 74, segments: 2 },
            rcs: { text: 'Bonjour Léa…' },
            whatsapp: { name: 'commande_prete', language: 'fr', parameters: ['Léa', 'A-1042'], status: 'approved' },
          }),
          ...Errors,
        },
      },
    },
    async (request) => {
      const { row, content } = await loadTemplate(db, clientId(request), request.params.id);
      const variables = request.body.variables ?? {};
      const template = { name: row.name, language: row.language, content };
      const channels: TemplateChannel[] = [
        'sms',
        'rcs',
        ...(row.whatsapp_channel_id === null ? [] : ['whatsapp' as const]),
      ];
      const answer: Record<string, unknown> = {};
      try {
        for (const channel of channels) {
          const rendered = renderTemplate(template, variables, channel);
          answer[channel] =
            channel === 'sms'
              ? { text: rendered.text, ...smsSegments(rendered.text) }
              : rendered.content.type === 'template'
                ? { ...rendered.content, text: rendered.text, status: row.whatsapp_status }
                : { text: rendered.text };
        }
      } catch (error) {
        if (error instanceof MissingVariable)
          throw new ApiError('field_missing', 400, `Field 'variables.${error.variable}' is missing.`, 'fail', {
            field: `variables.${error.variable}`,
          });
        throw error;
      }
      return ok(answer);
    },
  );
};
