// A local Google RCS Business Messaging API: bearer auth (401 UNAUTHENTICATED), agentId and messageId checks,
// agent messages only to RCS-enabled numbers that accepted the tester invitation (404 NOT_FOUND otherwise),
// capabilities, tester invitations, throughput (429 RESOURCE_EXHAUSTED), and signed pushes (X-Goog-Signature:
// base64 HMAC-SHA512 of the decoded data with the clientToken) for user messages and DELIVERED/READ events. Its
// `/token` endpoint mints access tokens as Google's OAuth server does for service accounts (JWT bearer grant, RS256
// assertion checked against the registered public key), with Google's error answers. Its management half (brands,
// agents, launch, verification, testers: rbm-management.ts) answers on the same server, to tokens of the
// businesscommunications scope.
import { createHmac, type KeyObject, randomBytes, randomUUID, verify } from 'node:crypto';
import { Bucket, type FakeAnswer, FakeProvider, type FakeRequest, json, postWebhook } from './http.js';
import { type InviteStatus, RbmManagement } from './rbm-management.js';

export interface FakeRbmOptions {
  agentId: string;
  /** A fixed token RBM calls may carry (besides the tokens minted by `/token`). */
  accessToken?: string;
  clientToken: string;
  /** Numbers whose devices support RCS. */
  rcsEnabled: string[];
  ratePerSecond?: number;
  /** Regions (carriers) agents may launch on (rbm-management.ts DEFAULT_REGIONS when absent). */
  regions?: string[];
  /** Numbers whose device is switched off: messages to them are accepted but no DELIVERED/READ event follows. */
  silent?: string[];
}

const googleError = (code: number, status: string, message: string): FakeAnswer =>
  json(code, { error: { code, message, status } });
const oauthError = (status: number, error: string, description: string): FakeAnswer =>
  json(status, { error, error_description: description });
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const RBM_SCOPE = '/auth/rcsbusinessmessaging';
const MANAGEMENT_SCOPE = '/auth/businesscommunications';

/**
 * X-Goog-Signature as RBM computes it: base64 HMAC-SHA512 of the decoded `message.data` with the client token. Written
 * here from Google's documentation rather than imported from the server, so a mistake in the server's check shows.
 */
export function rbmSignature(clientToken: string, decodedData: Buffer): string {
  return createHmac('sha512', clientToken).update(decodedData).digest('base64');
}

function decodeSegment(segment: string | undefined): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment ?? '', 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

export class FakeRbm extends FakeProvider {
  readonly accepted: Array<{ messageId: string; msisdn: string; contentMessage: Record<string, unknown> }> = [];
  readonly testers = new Map<string, InviteStatus>();
  /** Testers of the other agents created through the management API, by agent id. */
  private readonly otherTesters = new Map<string, Map<string, InviteStatus>>();
  /** The Management API (brands, agents, launches, testers) and its test controls. */
  readonly management: RbmManagement;
  private readonly bucket: Bucket;
  /** Public keys of the service accounts Google knows, by e-mail and key id. */
  private readonly serviceAccounts = new Map<string, Map<string, KeyObject>>();
  /** Minted tokens still valid: token → service account and expiry (ms). */
  private readonly issued = new Map<string, { clientEmail: string; expiresAt: number; scopes: string[] }>();
  /** Every request to `/token` with its answer. */
  readonly tokenRequests: Array<{ clientEmail?: string; status: number; error?: string }> = [];
  /** The bearer of every authenticated RBM call. */
  readonly bearers: Array<{ path: string; token: string }> = [];
  /** The next this many token requests answer 503 (an outage of Google's token endpoint). */
  tokenOutages = 0;

  constructor(readonly options: FakeRbmOptions) {
    super();
    this.bucket = new Bucket(options.ratePerSecond ?? 50);
    this.management = new RbmManagement(
      (agentId) => {
        if (agentId === options.agentId) return this.testers;
        const testers = this.otherTesters.get(agentId) ?? new Map<string, InviteStatus>();
        this.otherTesters.set(agentId, testers);
        return testers;
      },
      (msisdn) => options.rcsEnabled.includes(msisdn),
      options.regions,
    );
  }

  /** The URL to give as the service account's `token_uri`. */
  get tokenUrl(): string {
    return `${this.url}/token`;
  }

  /** Makes a service-account key known, as creating it in the Google Cloud console does. */
  registerServiceAccount(clientEmail: string, privateKeyId: string, publicKey: KeyObject): void {
    const keys = this.serviceAccounts.get(clientEmail) ?? new Map<string, KeyObject>();
    keys.set(privateKeyId, publicKey);
    this.serviceAccounts.set(clientEmail, keys);
  }

  /** Every minted token stops working (expired or revoked): RBM answers 401 UNAUTHENTICATED for it. */
  expireTokens(): void {
    this.issued.clear();
  }

  /** The bearer when it is valid for `scope` (the fixed access token is valid for both APIs). */
  private authorized(authorization: string | undefined, scope: string): string | undefined {
    const token = /^Bearer (\S+)$/.exec(authorization ?? '')?.[1];
    if (token === undefined) return undefined;
    if (this.options.accessToken !== undefined && token === this.options.accessToken) return token;
    const issued = this.issued.get(token);
    return issued !== undefined && issued.expiresAt > Date.now() && issued.scopes.some((s) => s.endsWith(scope))
      ? token
      : undefined;
  }

  private token(request: FakeRequest): FakeAnswer {
    const answer = (status: number, error: string, description: string, clientEmail?: string) => {
      this.tokenRequests.push({ clientEmail, status, error });
      return oauthError(status, error, description);
    };
    if (request.method !== 'POST') return answer(405, 'invalid_request', 'The token endpoint only accepts POST.');
    if (this.tokenOutages > 0) {
      this.tokenOutages -= 1;
      return answer(503, 'internal_failure', 'Backend Error');
    }
    if (!(request.headers['content-type'] ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded'))
      return answer(400, 'invalid_request', 'Invalid Content-Type; expected application/x-www-form-urlencoded.');
    const form = new URLSearchParams(request.body.toString('utf8'));
    const grantType = form.get('grant_type');
    if (grantType === null) return answer(400, 'invalid_request', 'Missing required parameter: grant_type');
    if (grantType !== JWT_BEARER) return answer(400, 'unsupported_grant_type', `Invalid grant_type: ${grantType}`);
    const assertion = form.get('assertion');
    if (assertion === null) return answer(400, 'invalid_request', 'Missing required parameter: assertion');
    const [headerPart, claimsPart, signaturePart, extra] = assertion.split('.');
    const header = decodeSegment(headerPart);
    const claims = decodeSegment(claimsPart);
    if (header === undefined || claims === undefined || signaturePart === undefined || extra !== undefined)
      return answer(400, 'invalid_grant', 'Invalid JWT: malformed.');
    const clientEmail = typeof claims.iss === 'string' ? claims.iss : undefined;
    const keys = clientEmail === undefined ? undefined : this.serviceAccounts.get(clientEmail);
    if (keys === undefined) return answer(400, 'invalid_grant', 'Invalid grant: account not found', clientEmail);
    // Google picks the key by `kid`; a deleted or foreign key, or a signature it did not make, is the same error.
    const candidates = typeof header.kid === 'string' ? [keys.get(header.kid)] : [...keys.values()];
    const signed = Buffer.from(`${headerPart}.${claimsPart}`, 'utf8');
    const signature = Buffer.from(signaturePart, 'base64url');
    if (
      header.alg !== 'RS256' ||
      !candidates.some((key) => key !== undefined && verify('sha256', signed, key, signature))
    )
      return answer(400, 'invalid_grant', 'Invalid JWT Signature.', clientEmail);
    if (claims.aud !== this.tokenUrl)
      return answer(
        400,
        'invalid_grant',
        `Invalid JWT: Failed audience check. The right audience is ${this.tokenUrl}`,
        clientEmail,
      );
    const now = Math.floor(Date.now() / 1000);
    const iat = Number(claims.iat);
    const exp = Number(claims.exp);
    if (!Number.isInteger(iat) || !Number.isInteger(exp) || exp <= now || exp - iat > 3600 || iat > now + 60) {
      return answer(
        400,
        'invalid_grant',
        'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.',
        clientEmail,
      );
    }
    const scopes = typeof claims.scope === 'string' ? claims.scope.split(' ').filter(Boolean) : [];
    if (scopes.length === 0) return answer(400, 'invalid_scope', 'Empty or missing scope not allowed.', clientEmail);
    if (!scopes.some((scope) => scope.endsWith(RBM_SCOPE) || scope.endsWith(MANAGEMENT_SCOPE)))
      return answer(400, 'invalid_scope', 'Invalid OAuth scope or ID token audience provided.', clientEmail);
    const token = `ya29.fake-${randomBytes(24).toString('base64url')}`;
    this.issued.set(token, { clientEmail: clientEmail ?? '', expiresAt: Date.now() + 3599_000, scopes });
    this.tokenRequests.push({ clientEmail, status: 200 });
    return json(200, { access_token: token, expires_in: 3599, token_type: 'Bearer' });
  }

  /** The user accepts the tester invitation on the device. */
  accept(msisdn: string): void {
    if (this.testers.has(msisdn)) this.testers.set(msisdn, 'ACCEPTED');
  }

  protected handle(request: FakeRequest): FakeAnswer | Promise<FakeAnswer> {
    if (request.path === '/token') return this.token(request);
    const management = this.management.handles(request.path);
    const bearer = this.authorized(request.headers.authorization, management ? MANAGEMENT_SCOPE : RBM_SCOPE);
    if (bearer === undefined) {
      return googleError(
        401,
        'UNAUTHENTICATED',
        'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
      );
    }
    this.bearers.push({ path: request.path, token: bearer });
    if (management) return this.management.handle(request);
    const match = /^\/v1\/phones\/(\+[1-9][0-9]{6,14})\/(agentMessages|capabilities|testers)$/.exec(
      decodeURIComponent(request.path),
    );
    if (match === null) return googleError(404, 'NOT_FOUND', 'Requested entity was not found.');
    const [, msisdn = '', resource] = match;
    if (request.query.get('agentId') !== this.options.agentId)
      return googleError(403, 'PERMISSION_DENIED', 'The caller does not have permission');
    const reachable = this.options.rcsEnabled.includes(msisdn);
    if (resource === 'capabilities') {
      if (request.method !== 'GET' || request.query.get('requestId') === null)
        return googleError(400, 'INVALID_ARGUMENT', 'Request contains an invalid argument.');
      return reachable
        ? json(200, {
            features: [
              'RICHCARD_STANDALONE',
              'RICHCARD_CAROUSEL',
              'ACTION_CREATE_CALENDAR_EVENT',
              'ACTION_DIAL',
              'ACTION_OPEN_URL',
              'ACTION_SHARE_LOCATION',
              'ACTION_VIEW_LOCATION',
            ],
          })
        : googleError(404, 'NOT_FOUND', 'Requested entity was not found.');
    }
    if (resource === 'testers') {
      if (request.method !== 'POST')
        return googleError(400, 'INVALID_ARGUMENT', 'Request contains an invalid argument.');
      if (!reachable) return googleError(404, 'NOT_FOUND', 'Requested entity was not found.');
      this.testers.set(msisdn, this.testers.get(msisdn) ?? 'PENDING');
      return json(200, { name: `phones/${msisdn}/testers`, inviteStatus: this.testers.get(msisdn) });
    }
    if (request.method !== 'POST') return googleError(400, 'INVALID_ARGUMENT', 'Request contains an invalid argument.');
    const messageId = request.query.get('messageId');
    if (messageId === null || messageId === '')
      return googleError(
        400,
        'INVALID_ARGUMENT',
        "Invalid value at 'message_id': the messageId query parameter is required.",
      );
    let body: { contentMessage?: Record<string, unknown> };
    try {
      body = JSON.parse(request.body.toString('utf8')) as { contentMessage?: Record<string, unknown> };
    } catch {
      return googleError(400, 'INVALID_ARGUMENT', 'Invalid JSON payload received.');
    }
    const content = body.contentMessage;
    if (
      content === undefined ||
      (typeof content.text !== 'string' && content.contentInfo === undefined && content.richCard === undefined)
    )
      return googleError(400, 'INVALID_ARGUMENT', 'contentMessage must have one of text, contentInfo, richCard.');
    // A launched agent reaches any RCS user; this one is in testing: only testers who accepted.
    if (!reachable || this.testers.get(msisdn) !== 'ACCEPTED')
      return googleError(404, 'NOT_FOUND', 'Requested entity was not found.');
    if (this.accepted.some((message) => message.messageId === messageId))
      return googleError(409, 'ALREADY_EXISTS', 'Requested entity already exists');
    if (!this.bucket.take()) return googleError(429, 'RESOURCE_EXHAUSTED', 'Quota exceeded for quota metric.');
    this.accepted.push({ messageId, msisdn, contentMessage: content });
    if (!(this.options.silent ?? []).includes(msisdn)) this.track(this.reportEvents(messageId, msisdn));
    return json(200, {
      name: `phones/${msisdn}/agentMessages/${messageId}`,
      sendTime: new Date().toISOString(),
      contentMessage: content,
    });
  }

  private async reportEvents(messageId: string, msisdn: string): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 20));
    for (const eventType of ['DELIVERED', 'READ'])
      await this.push({
        senderPhoneNumber: msisdn,
        eventType,
        eventId: randomUUID(),
        messageId,
        sendTime: new Date().toISOString(),
        agentId: this.options.agentId,
      });
  }

  /** Pushes an event or user message as RBM does (Pub/Sub push format, signed); answers the HTTP status. */
  async push(data: Record<string, unknown>, signature?: string): Promise<number> {
    const decoded = Buffer.from(JSON.stringify(data), 'utf8');
    const body = JSON.stringify({
      message: {
        attributes: { message_type: data.eventType !== undefined ? 'event' : 'message' },
        data: decoded.toString('base64'),
        messageId: randomBytes(8).toString('hex'),
        publishTime: new Date().toISOString(),
      },
      subscription: 'projects/rbm-agent/subscriptions/rbm-agent-sub',
    });
    return postWebhook(this.webhookUrl, body, {
      'content-type': 'application/json',
      'x-goog-signature': signature ?? rbmSignature(this.options.clientToken, decoded),
    });
  }

  /** A user writes to the agent. */
  async userSends(
    msisdn: string,
    content: Record<string, unknown>,
    messageId: string = randomUUID(),
  ): Promise<{ messageId: string; status: number }> {
    return {
      messageId,
      status: await this.push({
        senderPhoneNumber: msisdn,
        messageId,
        sendTime: new Date().toISOString(),
        agentId: this.options.agentId,
        ...content,
      }),
    };
  }

  /** The webhook verification Google performs when the URL is configured. */
  async verifyWebhook(clientToken: string, secret: string): Promise<{ status: number; body: string }> {
    const response = await fetch(this.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ clientToken, secret }),
    });
    return { status: response.status, body: await response.text() };
  }
}
