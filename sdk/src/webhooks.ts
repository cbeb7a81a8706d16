// Verifies webhooks from Causerie: the Standard Webhooks signature (with a timestamp), or the X-Causerie/X-iAdvize `sha256=` signature.
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Header values as Node (`IncomingHttpHeaders`), Fetch (`Headers`) or a plain object give them. */
export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

export interface VerifyWebhookOptions {
  /** Oldest and newest `webhook-timestamp` accepted, in seconds from now (default 300): a replayed capture is refused. */
  toleranceSeconds?: number;
  /** Current time in milliseconds (tests). */
  now?: number;
}

export interface VerifiedWebhook {
  /** The body: parsed JSON, or the fields of a form-encoded body. */
  payload: unknown;
  /** `webhook-id`: the same for every retry and replay of one event to one subscription; de-duplicate on it. Null when only the `sha256=` header was checked. */
  webhookId: string | null;
  /** Which signature was checked. */
  scheme: 'standard-webhooks' | 'sha256';
}

export class WebhookVerificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookVerificationError';
  }
}

function header(headers: WebhookHeaders, name: string): string | undefined {
  if (typeof Headers !== 'undefined' && headers instanceof Headers) return headers.get(name) ?? undefined;
  const record = headers as Record<string, string | string[] | undefined>;
  const key = Object.keys(record).find((candidate) => candidate.toLowerCase() === name);
  const value = key === undefined ? undefined : record[key];
  return Array.isArray(value) ? value.join(', ') : value;
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function parse(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return Object.fromEntries(new URLSearchParams(body));
  }
}

/**
 * Checks that a webhook comes from Causerie with one of your secrets (`whsec_…`; pass two during a rotation) and
 * returns its payload; throws WebhookVerificationError otherwise. Give the raw body, exactly as received.
 *
 * ```ts
 * app.post('/hooks/causerie', express.raw({ type: '*\/*' }), (req, res) => {
 *   const { payload, webhookId } = verifyWebhook(req.body, req.headers, process.env.CAUSERIE_WEBHOOK_SECRET!);
 *   res.sendStatus(204);
 * });
 * ```
 */
export function verifyWebhook(
  rawBody: string | Uint8Array,
  headers: WebhookHeaders,
  secret: string | readonly string[],
  options: VerifyWebhookOptions = {},
): VerifiedWebhook {
  const body = typeof rawBody === 'string' ? rawBody : Buffer.from(rawBody).toString('utf8');
  const secrets = typeof secret === 'string' ? [secret] : [...secret];
  if (secrets.length === 0 || secrets.some((value) => value === ''))
    throw new WebhookVerificationError('No secret to verify with.');

  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (id !== undefined && timestamp !== undefined && signatures !== undefined) {
    if (!/^\d+$/.test(timestamp))
      throw new WebhookVerificationError('The webhook-timestamp header is not a number of seconds.');
    const tolerance = options.toleranceSeconds ?? 300;
    const nowSeconds = Math.floor((options.now ?? Date.now()) / 1000);
    if (Math.abs(nowSeconds - Number(timestamp)) > tolerance)
      throw new WebhookVerificationError('The webhook-timestamp is too far from now: a replayed or delayed request.');
    const offered = signatures
      .split(' ')
      .filter((entry) => entry.startsWith('v1,'))
      .map((entry) => entry.slice(3));
    for (const candidate of secrets) {
      const key = Buffer.from(candidate.startsWith('whsec_') ? candidate.slice(6) : candidate, 'base64');
      const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
      if (offered.some((signature) => sameText(signature, expected)))
        return { payload: parse(body), webhookId: id, scheme: 'standard-webhooks' };
    }
    throw new WebhookVerificationError('No webhook-signature matches the secret.');
  }

  const ours = header(headers, 'x-causerie-signature') ?? header(headers, 'x-iadvize-signature');
  if (ours === undefined) throw new WebhookVerificationError('The request carries no Causerie signature header.');
  const offered = ours
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.startsWith('sha256='))
    .map((entry) => entry.slice(7));
  for (const candidate of secrets) {
    const expected = createHmac('sha256', candidate).update(body).digest('hex');
    if (offered.some((signature) => sameText(signature, expected)))
      return { payload: parse(body), webhookId: null, scheme: 'sha256' };
  }
  throw new WebhookVerificationError('No sha256 signature matches the secret.');
}
