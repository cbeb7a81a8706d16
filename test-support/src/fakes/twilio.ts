// A local Twilio-compatible Messages API: HTTP Basic (SID:token, 20003), the account path, form validation (21211
// invalid To, 21602 missing Body, 21606 unknown From), per-sender throughput (20429), and signed webhooks
// (X-Twilio-Signature over the full URL + sorted parameters, every value of a repeated one) for incoming messages
// and status callbacks.
import { createHmac, randomBytes } from 'node:crypto';
import { Bucket, type FakeAnswer, FakeProvider, type FakeRequest, json, postWebhook } from './http.js';

export interface FakeTwilioOptions {
  accountSid: string;
  authToken: string;
  /** Numbers this account may send from. */
  numbers: string[];
  ratePerSecond?: number;
}

export interface TwilioMessage {
  sid: string;
  to: string;
  from: string;
  body: string;
  statusCallback: string | undefined;
  mediaUrl?: string;
  /** What Twilio downloaded from `MediaUrl` (it fetches the file when it sends the MMS). */
  fetched?: { status: number; contentType: string; bytes: Buffer };
}

/** Form parameters as Twilio posts them: a name given several times (a repeated key in the body) has a list of values. */
export type TwilioParams = Record<string, string | readonly string[]>;

/**
 * X-Twilio-Signature as Twilio computes it: base64 HMAC-SHA1, keyed by the auth token, of the full URL followed by each
 * POST parameter's name and value in name order; a repeated name contributes name + value for each of its distinct
 * values, sorted (what Twilio's helper libraries check: twilio-node's validateRequest, twilio-python's
 * RequestValidator). Written here from Twilio's documentation rather than imported from the server, so a mistake in
 * the server's check shows.
 */
export function twilioSignature(authToken: string, url: string, params: TwilioParams): string {
  let data = url;
  for (const name of Object.keys(params).sort()) {
    const given = params[name] ?? [];
    const values = typeof given === 'string' ? [given] : [...new Set(given)].sort();
    for (const value of values) data += name + value;
  }
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf8')).digest('base64');
}

/** The form body of these parameters: a list repeats its name once per value, in order. */
export function twilioForm(params: TwilioParams): string {
  const form = new URLSearchParams();
  for (const [name, given] of Object.entries(params))
    for (const value of typeof given === 'string' ? [given] : given) form.append(name, value);
  return form.toString();
}

const sid = (prefix: string) => `${prefix}${randomBytes(16).toString('hex')}`;
const twilioError = (status: number, code: number, message: string): FakeAnswer =>
  json(status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });

export class FakeTwilio extends FakeProvider {
  readonly accepted: TwilioMessage[] = [];
  private readonly bucket: Bucket;

  constructor(readonly options: FakeTwilioOptions) {
    super();
    this.bucket = new Bucket(options.ratePerSecond ?? 10);
  }

  protected handle(request: FakeRequest): Promise<FakeAnswer> | FakeAnswer {
    const match = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/.exec(request.path);
    if (match === null) return twilioError(404, 20404, 'The requested resource was not found');
    const expected = `Basic ${Buffer.from(`${this.options.accountSid}:${this.options.authToken}`).toString('base64')}`;
    if (request.headers.authorization !== expected || match[1] !== this.options.accountSid)
      return twilioError(401, 20003, 'Authentication Error - invalid username');
    if (request.method !== 'POST') return twilioError(405, 20004, 'Method not allowed');
    if (!(request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded'))
      return twilioError(400, 20001, 'Content-Type must be application/x-www-form-urlencoded');
    const form = new URLSearchParams(request.body.toString('utf8'));
    const to = form.get('To') ?? '';
    const from = form.get('From') ?? '';
    const body = form.get('Body') ?? '';
    if (!/^\+[1-9][0-9]{6,14}$/.test(to))
      return twilioError(400, 21211, `The 'To' number ${to} is not a valid phone number.`);
    if (!this.options.numbers.includes(from))
      return twilioError(
        400,
        21606,
        `The From phone number ${from} is not a valid, SMS-capable inbound phone number or short code for your account.`,
      );
    if (body === '' && form.get('MediaUrl') === null) return twilioError(400, 21602, 'Message body is required.');
    if (!this.bucket.take()) return twilioError(429, 20429, 'Too Many Requests');
    const mediaUrl = form.get('MediaUrl') ?? undefined;
    if (mediaUrl !== undefined && !/^https?:\/\//.test(mediaUrl))
      return twilioError(400, 21620, `Invalid media URL(s): ${mediaUrl}`);
    const message: TwilioMessage = {
      sid: sid('SM'),
      to,
      from,
      body,
      statusCallback: form.get('StatusCallback') ?? undefined,
      ...(mediaUrl !== undefined && { mediaUrl }),
    };
    this.accepted.push(message);
    if (message.statusCallback !== undefined) this.track(this.reportStatuses(message, message.statusCallback));
    return json(201, {
      sid: message.sid,
      account_sid: this.options.accountSid,
      to,
      from,
      body,
      status: 'queued',
      num_segments: '1',
      direction: 'outbound-api',
      api_version: '2010-04-01',
      date_created: new Date().toUTCString(),
      error_code: null,
      error_message: null,
      uri: `/2010-04-01/Accounts/${this.options.accountSid}/Messages/${message.sid}.json`,
    });
  }

  private async reportStatuses(message: TwilioMessage, url: string): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 20));
    // Twilio fetches the media of an MMS when sending: an unreachable URL fails with 11200, an unsupported type 12300.
    if (message.mediaUrl !== undefined) {
      const failure = await this.fetchMedia(message, message.mediaUrl);
      if (failure !== undefined) {
        await this.postSigned(url, {
          MessageSid: message.sid,
          SmsSid: message.sid,
          AccountSid: this.options.accountSid,
          MessageStatus: 'failed',
          SmsStatus: 'failed',
          To: message.to,
          From: message.from,
          ApiVersion: '2010-04-01',
          ErrorCode: failure,
        });
        return;
      }
    }
    const undeliverable = message.to.startsWith('+1500555');
    for (const status of undeliverable ? ['sent', 'undelivered'] : ['sent', 'delivered']) {
      const params: Record<string, string> = {
        MessageSid: message.sid,
        SmsSid: message.sid,
        AccountSid: this.options.accountSid,
        MessageStatus: status,
        SmsStatus: status,
        To: message.to,
        From: message.from,
        ApiVersion: '2010-04-01',
      };
      if (status === 'undelivered') params.ErrorCode = '30003';
      await this.postSigned(url, params);
    }
  }

  /** Downloads an MMS's media as Twilio does; answers Twilio's error code when it cannot be sent. */
  private async fetchMedia(message: TwilioMessage, url: string): Promise<string | undefined> {
    try {
      const response = await fetch(url, { redirect: 'follow' });
      const contentType = (response.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
      message.fetched = { status: response.status, contentType, bytes: Buffer.from(await response.arrayBuffer()) };
      if (response.status !== 200) return '11200';
      if (!/^(image|audio|video|text)\/|^application\/(pdf|vcard)$/.test(contentType)) return '12300';
      if (message.fetched.bytes.length > 5 * 1024 * 1024) return '30019';
      return undefined;
    } catch {
      return '11200';
    }
  }

  /** Posts form parameters signed as Twilio does; answers the HTTP status. */
  async postSigned(
    url: string,
    params: TwilioParams,
    signature = twilioSignature(this.options.authToken, url, params),
  ): Promise<number> {
    return postWebhook(url, twilioForm(params), {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': signature,
    });
  }

  /** A customer texts the number: the incoming-message webhook, signed. */
  async customerSends(
    from: string,
    to: string,
    body: string,
    messageSid = sid('SM'),
  ): Promise<{ sid: string; status: number; params: Record<string, string> }> {
    const params = {
      ToCountry: 'FR',
      SmsMessageSid: messageSid,
      NumMedia: '0',
      SmsSid: messageSid,
      SmsStatus: 'received',
      Body: body,
      To: to,
      NumSegments: '1',
      MessageSid: messageSid,
      AccountSid: this.options.accountSid,
      From: from,
      ApiVersion: '2010-04-01',
    };
    return { sid: messageSid, status: await this.postSigned(this.webhookUrl, params), params };
  }
}
