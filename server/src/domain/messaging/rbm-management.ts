// A client of Google's RBM Management API (Business Communications API v1): brands, agents, launch requests and
// launch states, testers. Authenticated with the platform's partner service account (CAUSERIE_RBM_SERVICE_ACCOUNT)
// through channels/google-auth.ts, as RCS channels are, with the businesscommunications scope. Every answer is either
// the parsed body or a failure saying whether trying again may help (5xx, 429, timeouts, malformed answers) or not
// (Google refused the request: 400 naming the field).
import { BUSINESS_COMMUNICATIONS_SCOPE, checkServiceAccount, serviceAccountToken } from '../../channels/google-auth.js';
import { field, readJson, text } from '../../channels/http-util.js';
import { DEFAULT_RBM_MANAGEMENT_URL } from '../../config.js';
import { OutboundFailed, type OutboundGuard, OutboundRefused, type OutboundRequest } from '../../http/outbound.js';

export interface ProviderFailure {
  ok: false;
  /** True when the same call may succeed later (an outage, throttling, a garbled answer, a missing configuration). */
  retry: boolean;
  error: { code: string; message: string; field?: string };
}

export type ProviderAnswer = { ok: true; body: Record<string, unknown> } | ProviderFailure;

/** The service-account cache entry of the platform's management calls (RCS channels use their channel ids, from 1). */
const PLATFORM_TOKEN_SLOT = 0;

export class RbmManagementClient {
  private readonly baseUrl: string;

  constructor(
    private readonly http: OutboundGuard,
    baseUrl: string | undefined,
    private readonly serviceAccount: string | undefined,
    /** How long Google has to answer one call; a timeout is a failure tried again (the call may have been carried out). */
    private readonly timeoutMs = 15_000,
  ) {
    this.baseUrl = (baseUrl ?? DEFAULT_RBM_MANAGEMENT_URL).replace(/\/+$/, '');
  }

  /** One call; `path` starts after `/v1/` (`brands`, `brands/x/agents/y:requestLaunch`, `testers/+33…`). */
  async call(
    method: OutboundRequest['method'],
    path: string,
    options: { body?: unknown; query?: Record<string, string> } = {},
  ): Promise<ProviderAnswer> {
    if (this.serviceAccount === undefined)
      return failure(
        true,
        'not_configured',
        'The RBM partner account is not configured (CAUSERIE_RBM_SERVICE_ACCOUNT); the registration waits for it.',
      );
    const checked = checkServiceAccount(this.serviceAccount);
    if (!checked.ok)
      return failure(
        true,
        'invalid_service_account',
        `CAUSERIE_RBM_SERVICE_ACCOUNT: field '${checked.field}' is wrong.`,
      );
    const url = new URL(`${this.baseUrl}/v1/${path}`);
    for (const [name, value] of Object.entries(options.query ?? {})) url.searchParams.set(name, value);
    let refused: string | undefined;
    for (let attempt = 0; attempt < 2; attempt++) {
      const token = await serviceAccountToken(this.http, PLATFORM_TOKEN_SLOT, checked.key, {
        scope: BUSINESS_COMMUNICATIONS_SCOPE,
        ...(refused !== undefined && { refused }),
      });
      if (!token.ok) return failure(true, token.error.code, token.error.message);
      let response: Awaited<ReturnType<OutboundGuard['request']>>;
      try {
        response = await this.http.request({
          method,
          url: url.toString(),
          headers: {
            authorization: `Bearer ${token.token}`,
            accept: 'application/json',
            ...(options.body !== undefined && { 'content-type': 'application/json' }),
          },
          ...(options.body !== undefined && { body: JSON.stringify(options.body) }),
          timeoutMs: this.timeoutMs,
        });
      } catch (error) {
        if (error instanceof OutboundRefused)
          return failure(true, 'outbound_refused', `The RBM Management API URL was refused: ${error.reason}.`);
        if (error instanceof OutboundFailed)
          return failure(true, 'network', `Google's RBM Management API could not be reached: ${error.reason}.`);
        throw error;
      }
      // A token refused (expired early, revoked) is replaced once.
      if (response.status === 401 && attempt === 0) {
        refused = token.token;
        continue;
      }
      const body = readJson(response.body.toString('utf8'));
      if (response.status >= 200 && response.status < 300) {
        if (typeof body !== 'object' || body === null || Array.isArray(body))
          return failure(true, 'malformed_answer', `Google answered ${response.status} with a body that is not JSON.`);
        return { ok: true, body: body as Record<string, unknown> };
      }
      return googleFailure(response.status, body);
    }
    return failure(true, 'unauthenticated', 'Google refused the access token twice.');
  }
}

function failure(retry: boolean, code: string, message: string, fieldName?: string): ProviderFailure {
  return { ok: false, retry, error: { code, message, ...(fieldName !== undefined && { field: fieldName }) } };
}

/** Google's `{error: {code, message, status, details: [{fieldViolations: [{field}]}]}}` as a failure. */
function googleFailure(httpStatus: number, body: unknown): ProviderFailure {
  const error = field(body, 'error');
  const status = text(field(error, 'status')) ?? `HTTP_${httpStatus}`;
  const message = text(field(error, 'message')) ?? `Google answered HTTP ${httpStatus}.`;
  const details = field(error, 'details');
  const violation = Array.isArray(details)
    ? details.map((detail) => field(detail, 'fieldViolations')).find(Array.isArray)?.[0]
    : undefined;
  const fieldName = text(field(violation, 'field'));
  // Outages, throttling and timeouts pass; a refused key or project (403) waits for the operator; the rest is final.
  const retry =
    httpStatus >= 500 || httpStatus === 429 || httpStatus === 408 || httpStatus === 401 || httpStatus === 403;
  return failure(retry, status, fieldName === undefined ? message : `${message} (field ${fieldName})`, fieldName);
}

/** The last segment of an agent's name (`brands/b/agents/a` → `a`): the `agentId` of the testers calls. */
export function agentIdOf(agentName: string): string {
  return agentName.slice(agentName.lastIndexOf('/') + 1);
}
