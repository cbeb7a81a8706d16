// The verification URL (seed 003): a POST of the step's values as `[ { "id", "value", "fieldType" } ]`, answered
// `{ "isValid", "message", "fields": [ { "id", "message" } ] }`, through callConnector (guarded, short timeout,
// signed); an answer that is not of that shape, late, or not 2xx is the connector's fault, told to the installer as
// such (502).
import type { AppRow, AppVersionRow } from '../../db/schema.js';
import { ApiError } from '../../errors.js';
import type { OutboundGuard } from '../../http/outbound.js';
import { ConnectorFailure, callConnector } from './connector-call.js';
import type { AppField } from './definition.js';

export const VERIFICATION_TIMEOUT_MS = 5_000;

export interface StepVerdict {
  isValid: boolean;
  message: string;
  fields: Array<{ id: string; message: string }>;
}

const connectorFault = (problem: string) =>
  new ApiError(
    'connector_failed',
    502,
    `The app's verification URL ${problem}. Try again later or contact the app's developer.`,
    'error',
  );

/** Reads a connector's answer as the seed's response payload; undefined when it is not one. */
export function readVerdict(body: unknown): StepVerdict | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const answer = body as Record<string, unknown>;
  if (typeof answer.isValid !== 'boolean') return undefined;
  if (answer.message !== undefined && answer.message !== null && typeof answer.message !== 'string') return undefined;
  const fields: StepVerdict['fields'] = [];
  if (answer.fields !== undefined && answer.fields !== null) {
    if (!Array.isArray(answer.fields)) return undefined;
    for (const item of answer.fields) {
      if (typeof item !== 'object' || item === null) return undefined;
      const { id, message } = item as Record<string, unknown>;
      if (typeof id !== 'string' || (message !== undefined && message !== null && typeof message !== 'string'))
        return undefined;
      fields.push({ id, message: typeof message === 'string' ? message : '' });
    }
  }
  return { isValid: answer.isValid, message: typeof answer.message === 'string' ? answer.message : '', fields };
}

/**
 * Posts a step's values to its verification URL and reads the verdict. Headers tell the connector which app version
 * and client ask; `apiKey` (the last verified step of an installation) is the client-scoped key the app gets when the
 * installation succeeds (never valid otherwise).
 */
export async function verifyStep(
  outbound: OutboundGuard,
  url: string,
  values: ReadonlyArray<{ field: AppField; value: string }>,
  context: {
    app: AppRow;
    version: AppVersionRow;
    clientId: number;
    signingSecret: string | undefined;
    apiKey?: string;
  },
): Promise<StepVerdict> {
  const body = JSON.stringify(values.map(({ field, value }) => ({ id: field.id, value, fieldType: field.type })));
  let parsed: unknown;
  try {
    parsed = await callConnector(outbound, {
      method: 'POST',
      url,
      body,
      headers: {
        'x-causerie-connector-id': context.app.uuid,
        'x-causerie-connector-version-id': context.version.uuid,
        'x-causerie-client-id': String(context.clientId),
        ...(context.apiKey !== undefined && { 'x-causerie-api-key': context.apiKey }),
      },
      signingSecret: context.signingSecret,
      timeoutMs: VERIFICATION_TIMEOUT_MS,
    });
  } catch (error) {
    if (error instanceof ConnectorFailure) throw connectorFault(error.problem);
    throw error;
  }
  const verdict = readVerdict(parsed);
  if (verdict === undefined)
    throw connectorFault('answered JSON without a boolean `isValid` (expected { "isValid", "message", "fields" })');
  return verdict;
}
