// A local WhatsApp Cloud API (Graph) server that behaves as the published API does, for tests and benchmarks:
// bearer-token auth (190), phone-number ids (100), body validation, per-number throughput (130429), the 24-hour
// customer-service window (an accepted message then fails with 131047), media endpoints, and signed webhooks
// (X-Hub-Signature-256) for customer messages and message statuses.
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { Bucket, type FakeAnswer, FakeProvider, type FakeRequest, json, postWebhook } from './http.js';
import {
  createTemplate,
  deleteTemplate,
  editTemplate,
  graphError,
  reviewTemplate,
  type SubmittedTemplate,
  type TemplateAccount,
  type TemplateReview,
  templateRefusal,
} from './whatsapp-templates.js';

export type { SubmittedTemplate } from './whatsapp-templates.js';

export interface FakeWhatsAppOptions {
  phoneNumberId: string;
  accessToken: string;
  appSecret: string;
  /** Messages per second per business number before 130429 (Meta's default is 80). */
  ratePerSecond?: number;
  /** Statuses sent back after an accepted message (default sent, delivered, read). */
  statuses?: Array<'sent' | 'delivered' | 'read'>;
  /** The WhatsApp Business Account the number belongs to: templates are created under it. */
  wabaId?: string;
}

export interface AcceptedMessage {
  wamid: string;
  to: string;
  type: string;
  body: Record<string, unknown>;
  /** A media message sent by `link`: what Meta downloaded from it (as it does before delivering). */
  fetched?: { status: number; contentType: string; bytes: Buffer };
}

/** The content types Meta accepts per media kind (documents: any). */
const MEDIA_TYPES: Record<string, readonly string[]> = {
  image: ['image/jpeg', 'image/png'],
  audio: ['audio/aac', 'audio/amr', 'audio/mpeg', 'audio/mp4', 'audio/ogg'],
  video: ['video/mp4', 'video/3gpp'],
  sticker: ['image/webp'],
};

/**
 * X-Hub-Signature-256 as Meta computes it: `sha256=` and the hex HMAC-SHA256 of the raw body with the app secret.
 * Written here from Meta's documentation rather than imported from the server, so a mistake in the server's check shows.
 */
export function whatsappSignature(appSecret: string, body: Buffer | string): string {
  return `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}`;
}

const WINDOW_MS = 24 * 60 * 60 * 1000;
const wamid = () => `wamid.${randomBytes(18).toString('base64url')}`;
export class FakeWhatsApp extends FakeProvider {
  readonly accepted: AcceptedMessage[] = [];
  /** Customers' last message times, as Meta tracks the service window. */
  private readonly lastInbound = new Map<string, number>();
  private readonly media = new Map<string, { bytes: Buffer; mimeType: string }>();
  private bucket: Bucket;
  rateLimited = 0;
  readonly templates: SubmittedTemplate[] = [];
  /** Templates the business deleted (`DELETE /{waba_id}/message_templates`). */
  readonly deleted: SubmittedTemplate[] = [];
  /**
   * While set, Meta has filed or edited a template but its answer waits for this promise: a slow Graph API, for
   * tests of what the platform does meanwhile.
   */
  templateAnswersHeldBy: Promise<void> | undefined;
  /**
   * While true the Cloud API is down: sends answer Graph error 2, "Service temporarily unavailable" (HTTP 503), as
   * Meta does during downtime or overload, and nothing is accepted.
   */
  unavailable = false;

  constructor(readonly options: FakeWhatsAppOptions) {
    super();
    this.bucket = new Bucket(options.ratePerSecond ?? 80);
  }

  /** Forgets a customer's last message: the next free-form message to them fails with 131047. */
  forget(waId: string): void {
    this.lastInbound.delete(waId);
  }

  protected async handle(request: FakeRequest): Promise<FakeAnswer> {
    const media = /^\/media-download\/([A-Za-z0-9]+)$/.exec(request.path);
    if (media !== null) return this.download(request, media[1] ?? '');
    const match = /^\/(v\d+\.\d+)\/([^/]+)(\/messages)?$/.exec(request.path);
    const templates = /^\/(v\d+\.\d+)\/([^/]+)\/message_templates$/.exec(request.path);
    if (match === null && templates === null) return graphError(400, 2500, `Unknown path components: ${request.path}`);
    if (request.headers.authorization !== `Bearer ${this.options.accessToken}`) {
      return graphError(401, 190, 'Invalid OAuth access token - Cannot parse access token');
    }
    if (templates !== null) {
      if (request.method === 'DELETE') return deleteTemplate(this.templateAccount(), request, templates[2] ?? '');
      const created = createTemplate(this.templateAccount(), request, templates[2] ?? '');
      await this.templateAnswersHeldBy;
      return created;
    }
    if (match === null) return graphError(400, 2500, `Unknown path components: ${request.path}`);
    const [, , objectId, messages] = match;
    const filed = this.templates.find((template) => template.id === objectId);
    if (messages === undefined && filed !== undefined && request.method === 'POST') {
      const edited = editTemplate(request, filed);
      await this.templateAnswersHeldBy;
      return edited;
    }
    if (messages !== undefined) {
      if (request.method !== 'POST') return graphError(400, 100, 'Unsupported get request.');
      if (objectId !== this.options.phoneNumberId) {
        return graphError(
          400,
          100,
          `Unsupported post request. Object with ID '${objectId}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
          { error_subcode: 33 },
        );
      }
      return this.sendMessage(request);
    }
    if (request.method !== 'GET') return graphError(400, 100, 'Unsupported request.');
    const stored = this.media.get(objectId ?? '');
    if (stored === undefined)
      return graphError(400, 100, `Unsupported get request. Object with ID '${objectId}' does not exist.`, {
        error_subcode: 33,
      });
    return json(200, {
      messaging_product: 'whatsapp',
      url: `${this.url}/media-download/${objectId}`,
      mime_type: stored.mimeType,
      sha256: createHash('sha256').update(stored.bytes).digest('hex'),
      file_size: String(stored.bytes.length),
      id: objectId,
    });
  }

  private download(request: FakeRequest, id: string): FakeAnswer {
    if (request.headers.authorization !== `Bearer ${this.options.accessToken}`)
      return { status: 401, body: 'Unauthorized' };
    const stored = this.media.get(id);
    if (stored === undefined) return { status: 404, body: 'Not found' };
    return { status: 200, headers: { 'content-type': stored.mimeType }, body: stored.bytes };
  }

  private sendMessage(request: FakeRequest): FakeAnswer {
    if (this.unavailable) return graphError(503, 2, '(#2) Service temporarily unavailable');
    if (!(request.headers['content-type'] ?? '').startsWith('application/json'))
      return graphError(400, 100, '(#100) Param must be JSON.');
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(request.body.toString('utf8')) as Record<string, unknown>;
    } catch {
      return graphError(400, 100, '(#100) Invalid JSON.');
    }
    if (body.messaging_product !== 'whatsapp')
      return graphError(400, 100, '(#100) The parameter messaging_product is required.');
    const to = typeof body.to === 'string' ? body.to : '';
    if (!/^[1-9][0-9]{6,14}$/.test(to))
      return graphError(400, 100, '(#100) Invalid parameter', {
        error_data: { messaging_product: 'whatsapp', details: "Parameter 'to' is not a valid WhatsApp ID." },
      });
    const type = typeof body.type === 'string' ? body.type : 'text';
    const problem = this.contentProblem(type, body);
    if (problem !== undefined)
      return graphError(400, 131009, '(#131009) Parameter value is not valid', {
        error_data: { messaging_product: 'whatsapp', details: problem },
      });
    if (!this.bucket.take()) {
      this.rateLimited += 1;
      return graphError(400, 130429, '(#130429) Rate limit hit', {
        error_data: { messaging_product: 'whatsapp', details: 'Cloud API message throughput has been reached.' },
      });
    }
    const refused =
      type === 'template'
        ? templateRefusal(this.templateAccount(), body.template as Record<string, unknown>)
        : undefined;
    if (refused !== undefined) return refused;
    const id = wamid();
    const accepted: AcceptedMessage = { wamid: id, to, type, body };
    this.accepted.push(accepted);
    const last = this.lastInbound.get(to);
    const outsideWindow = type !== 'template' && (last === undefined || Date.now() - last > WINDOW_MS);
    const link = (body[type] as { link?: unknown } | undefined)?.link;
    this.track(this.reportStatuses(id, to, outsideWindow, typeof link === 'string' ? { accepted, link } : undefined));
    return json(200, { messaging_product: 'whatsapp', contacts: [{ input: to, wa_id: to }], messages: [{ id }] });
  }

  private contentProblem(type: string, body: Record<string, unknown>): string | undefined {
    const part = body[type] as Record<string, unknown> | undefined;
    if (part === undefined || typeof part !== 'object') return `Parameter '${type}' is required.`;
    switch (type) {
      case 'text':
        return typeof part.body === 'string' && part.body.length > 0 && part.body.length <= 4096
          ? undefined
          : "Parameter 'text.body' must be 1 to 4096 characters.";
      case 'image':
      case 'audio':
      case 'video':
      case 'document':
      case 'sticker':
        return typeof part.link === 'string' || typeof part.id === 'string'
          ? undefined
          : `Parameter '${type}.link' or '${type}.id' is required.`;
      case 'template': {
        const language = part.language as { code?: unknown } | undefined;
        return typeof part.name === 'string' && typeof language?.code === 'string'
          ? undefined
          : "Parameters 'template.name' and 'template.language.code' are required.";
      }
      default:
        return `Unsupported message type '${type}'.`;
    }
  }

  private async reportStatuses(
    id: string,
    to: string,
    outsideWindow: boolean,
    media?: { accepted: AcceptedMessage; link: string },
  ): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 20));
    // Meta downloads a `link` before delivering; a link it cannot fetch, or of a type the kind does not take, fails 131053.
    if (media !== undefined && !outsideWindow) {
      const problem = await this.fetchLink(media.accepted, media.link);
      if (problem !== undefined) {
        await this.postStatus({
          id,
          status: 'failed',
          timestamp: String(Math.floor(Date.now() / 1000)),
          recipient_id: to,
          errors: [
            {
              code: 131053,
              title: 'Media upload error',
              message: 'Media upload error',
              error_data: { details: problem },
            },
          ],
        });
        return;
      }
    }
    if (outsideWindow) {
      await this.postStatus({
        id,
        status: 'failed',
        timestamp: String(Math.floor(Date.now() / 1000)),
        recipient_id: to,
        errors: [
          {
            code: 131047,
            title: 'Re-engagement message',
            message: 'Re-engagement message',
            error_data: {
              details:
                'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
            },
          },
        ],
      });
      return;
    }
    for (const status of this.options.statuses ?? ['sent', 'delivered', 'read']) {
      await this.postStatus({ id, status, timestamp: String(Math.floor(Date.now() / 1000)), recipient_id: to });
    }
  }

  private async fetchLink(accepted: AcceptedMessage, link: string): Promise<string | undefined> {
    try {
      const response = await fetch(link, { redirect: 'manual' });
      const contentType = (response.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
      accepted.fetched = { status: response.status, contentType, bytes: Buffer.from(await response.arrayBuffer()) };
      if (response.status !== 200)
        return `Downloading media from the provided URL failed with HTTP ${response.status}.`;
      const allowed = MEDIA_TYPES[accepted.type];
      if (allowed !== undefined && !allowed.includes(contentType))
        return `Media type ${contentType} is not supported for ${accepted.type}.`;
      return undefined;
    } catch (error) {
      return `Downloading media from the provided URL failed: ${error instanceof Error ? error.message : String(error)}.`;
    }
  }

  /**
   * A `messages` webhook body. Meta posts one app's webhooks for every number of the business accounts subscribed to
   * it, so `phoneNumberId` may name another number than this fake's (signed with the same app secret all the same).
   */
  envelope(value: Record<string, unknown>, phoneNumberId = this.options.phoneNumberId): string {
    return JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: '102290129340398',
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: { display_phone_number: '15550783881', phone_number_id: phoneNumberId },
                ...value,
              },
            },
          ],
        },
      ],
    });
  }

  private async postStatus(status: Record<string, unknown>): Promise<void> {
    await this.post(this.envelope({ statuses: [status] }));
  }

  /** Posts a signed webhook body to the platform; answers its HTTP status. */
  async post(body: string, signature = whatsappSignature(this.options.appSecret, body)): Promise<number> {
    return postWebhook(this.webhookUrl, body, { 'content-type': 'application/json', 'x-hub-signature-256': signature });
  }

  /** A customer's message payload (not yet posted), with its wamid. */
  messagePayload(
    from: string,
    message: Record<string, unknown>,
    profileName = 'Client',
    phoneNumberId = this.options.phoneNumberId,
  ): { wamid: string; body: string } {
    const id = typeof message.id === 'string' ? message.id : wamid();
    const waId = from.replace(/^\+/, '');
    return {
      wamid: id,
      body: this.envelope(
        {
          contacts: [{ profile: { name: profileName }, wa_id: waId }],
          messages: [{ from: waId, id, timestamp: String(Math.floor(Date.now() / 1000)), ...message }],
        },
        phoneNumberId,
      ),
    };
  }

  /** A customer writes: the message is posted, signed, to the platform (and opens their service window). */
  async customerSends(
    from: string,
    message: Record<string, unknown>,
    profileName?: string,
  ): Promise<{ wamid: string; status: number; body: string }> {
    const payload = this.messagePayload(from, message, profileName);
    this.lastInbound.set(from.replace(/^\+/, ''), Date.now());
    const status = await this.track(this.post(payload.body));
    return { ...payload, status };
  }

  private templateAccount(): TemplateAccount {
    return { wabaId: this.options.wabaId, templates: this.templates, deleted: this.deleted };
  }

  /** Meta's review of a template: its new status, posted as the signed message_template_status_update webhook. */
  async review(name: string, event: TemplateReview, reason = 'NONE'): Promise<number> {
    return this.track(this.post(reviewTemplate(this.templateAccount(), name, event, reason)));
  }

  /** Stores a media file the next customer message refers to by id. */
  addMedia(bytes: Buffer, mimeType: string): string {
    const id = String(1000000000 + this.media.size);
    this.media.set(id, { bytes, mimeType });
    return id;
  }
}
