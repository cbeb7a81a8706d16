// A local Google RCS Business Messaging API: bearer auth (401 UNAUTHENTICATED), agentId and messageId checks,
// agent messages only to RCS-enabled numbers that accepted the tester invitation (404 NOT_FOUND otherwise),
// capabilities, tester invitations, throughput (429 RESOURCE_EXHAUSTED), and signed pushes (X-Goog-Signature:
// base64 HMAC-SHA512 of the decoded data with the clientToken) for user messages and DELIVERED/READ events.
import { randomBytes, randomUUID } from 'node:crypto';
import { rbmSignature } from '../rcs.js';
import { Bucket, type FakeAnswer, type FakeRequest, json, postWebhook, serve } from './http.js';

export interface FakeRbmOptions {
  agentId: string;
  accessToken: string;
  clientToken: string;
  /** Numbers whose devices support RCS. */
  rcsEnabled: string[];
  ratePerSecond?: number;
}

const googleError = (code: number, status: string, message: string): FakeAnswer => json(code, { error: { code, message, status } });

export class FakeRbm {
  url = '';
  webhookUrl = '';
  readonly accepted: Array<{ messageId: string; msisdn: string; contentMessage: Record<string, unknown> }> = [];
  readonly testers = new Map<string, 'PENDING' | 'ACCEPTED'>();
  private readonly bucket: Bucket;
  private stopServer: (() => Promise<void>) | undefined;
  private readonly pending = new Set<Promise<unknown>>();

  constructor(readonly options: FakeRbmOptions) {
    this.bucket = new Bucket(options.ratePerSecond ?? 50);
  }

  async start(): Promise<this> {
    const server = await serve((request) => this.handle(request));
    this.url = server.url;
    this.stopServer = server.stop;
    return this;
  }

  async stop(): Promise<void> {
    await this.settle();
    await this.stopServer?.();
  }

  async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /** The user accepts the tester invitation on the device. */
  accept(msisdn: string): void {
    if (this.testers.has(msisdn)) this.testers.set(msisdn, 'ACCEPTED');
  }

  private handle(request: FakeRequest): FakeAnswer {
    if (request.headers.authorization !== `Bearer ${this.options.accessToken}`) {
      return googleError(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.');
    }
    const match = /^\/v1\/phones\/(\+[1-9][0-9]{6,14})\/(agentMessages|capabilities|testers)$/.exec(decodeURIComponent(request.path));
    if (match === null) return googleError(404, 'NOT_FOUND', 'Requested entity was not found.');
    const [, msisdn = '', resource] = match;
    if (request.query.get('agentId') !== this.options.agentId) return googleError(403, 'PERMISSION_DENIED', 'The caller does not have permission');
    const reachable = this.options.rcsEnabled.includes(msisdn);
    if (resource === 'capabilities') {
      if (request.method !== 'GET' || request.query.get('requestId') === null) return googleError(400, 'INVALID_ARGUMENT', 'Request contains an invalid argument.');
      return reachable ? json(200, { features: ['RICHCARD_STANDALONE', 'RICHCARD_CAROUSEL', 'ACTION_CREATE_CALENDAR_EVENT', 'ACTION_DIAL', 'ACTION_OPEN_URL', 'ACTION_SHARE_LOCATION', 'ACTION_VIEW_LOCATION'] }) : googleError(404, 'NOT_FOUND', 'Requested entity was not found.');
    }
    if (resource === 'testers') {
      if (request.method !== 'POST') return googleError(400, 'INVALID_ARGUMENT', 'Request contains an invalid argument.');
      if (!reachable) return googleError(404, 'NOT_FOUND', 'Requested entity was not found.');
      this.testers.set(msisdn, this.testers.get(msisdn) ?? 'PENDING');
      return json(200, { name: `phones/${msisdn}/testers`, inviteStatus: this.testers.get(msisdn) });
    }
    if (request.method !== 'POST') return googleError(400, 'INVALID_ARGUMENT', 'Request contains an invalid argument.');
    const messageId = request.query.get('messageId');
    if (messageId === null || messageId === '') return googleError(400, 'INVALID_ARGUMENT', 'Invalid value at \'message_id\': the messageId query parameter is required.');
    let body: { contentMessage?: Record<string, unknown> };
    try {
      body = JSON.parse(request.body.toString('utf8')) as { contentMessage?: Record<string, unknown> };
    } catch {
      return googleError(400, 'INVALID_ARGUMENT', 'Invalid JSON payload received.');
    }
    const content = body.contentMessage;
    if (content === undefined || (typeof content.text !== 'string' && content.contentInfo === undefined && content.richCard === undefined)) return googleError(400, 'INVALID_ARGUMENT', 'contentMessage must have one of text, contentInfo, richCard.');
    // A launched agent reaches any RCS user; this one is in testing: only testers who accepted.
    if (!reachable || this.testers.get(msisdn) !== 'ACCEPTED') return googleError(404, 'NOT_FOUND', 'Requested entity was not found.');
    if (this.accepted.some((message) => message.messageId === messageId)) return googleError(409, 'ALREADY_EXISTS', 'Requested entity already exists');
    if (!this.bucket.take()) return googleError(429, 'RESOURCE_EXHAUSTED', 'Quota exceeded for quota metric.');
    this.accepted.push({ messageId, msisdn, contentMessage: content });
    this.track(this.reportEvents(messageId, msisdn));
    return json(200, { name: `phones/${msisdn}/agentMessages/${messageId}`, sendTime: new Date().toISOString(), contentMessage: content });
  }

  private track(promise: Promise<unknown>): void {
    this.pending.add(promise);
    void promise.finally(() => this.pending.delete(promise)).catch(() => undefined);
  }

  private async reportEvents(messageId: string, msisdn: string): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 20));
    for (const eventType of ['DELIVERED', 'READ']) await this.push({ senderPhoneNumber: msisdn, eventType, eventId: randomUUID(), messageId, sendTime: new Date().toISOString(), agentId: this.options.agentId });
  }

  /** Pushes an event or user message as RBM does (Pub/Sub push format, signed); answers the HTTP status. */
  async push(data: Record<string, unknown>, signature?: string): Promise<number> {
    const decoded = Buffer.from(JSON.stringify(data), 'utf8');
    const body = JSON.stringify({ message: { attributes: { message_type: data.eventType !== undefined ? 'event' : 'message' }, data: decoded.toString('base64'), messageId: randomBytes(8).toString('hex'), publishTime: new Date().toISOString() }, subscription: 'projects/rbm-agent/subscriptions/rbm-agent-sub' });
    return postWebhook(this.webhookUrl, body, { 'content-type': 'application/json', 'x-goog-signature': signature ?? rbmSignature(this.options.clientToken, decoded) });
  }

  /** A user writes to the agent. */
  async userSends(msisdn: string, content: Record<string, unknown>, messageId: string = randomUUID()): Promise<{ messageId: string; status: number }> {
    return { messageId, status: await this.push({ senderPhoneNumber: msisdn, messageId, sendTime: new Date().toISOString(), agentId: this.options.agentId, ...content }) };
  }

  /** The webhook verification Google performs when the URL is configured. */
  async verifyWebhook(clientToken: string, secret: string): Promise<{ status: number; body: string }> {
    const response = await fetch(this.webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ clientToken, secret }) });
    return { status: response.status, body: await response.text() };
  }
}
