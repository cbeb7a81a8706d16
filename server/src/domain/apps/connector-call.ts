// One call from Causerie to an app's connector, shared by the verification URLs (verification.ts) and the console's
// interactions (interactions.ts): through the outbound guard (no private addresses unless allowed), with a short
// timeout, signed with the app's signing secret (signing.ts: over a POST's body, a GET's path and query), answered by
// parsed JSON. Each caller reads the JSON against its own seed shape and words the failure for its reader.
import { type OutboundGuard, OutboundRefused } from '../../http/outbound.js';
import { connectorSignatureHeaders } from './signing.js';

/** Why a connector call failed; `problem` reads after the connector's name ("… answered HTTP 503"). */
export class ConnectorFailure extends Error {
  constructor(
    readonly kind: 'refused' | 'unanswered' | 'status' | 'not_json',
    readonly problem: string,
  ) {
    super(problem);
  }
}

export interface ConnectorRequest {
  method: 'GET' | 'POST';
  /** The whole URL, query included (a GET's filters). */
  url: string;
  /** A POST's JSON body. */
  body?: string;
  /** Headers beside accept, user-agent and the signature. */
  headers?: Record<string, string>;
  signingSecret: string | undefined;
  timeoutMs: number;
  maxResponseBytes?: number;
}

/** Calls the connector and parses its 2xx JSON answer; throws ConnectorFailure otherwise. */
export async function callConnector(outbound: OutboundGuard, request: ConnectorRequest): Promise<unknown> {
  const target = new URL(request.url);
  const signed = request.method === 'POST' ? (request.body ?? '') : `${target.pathname}${target.search}`;
  let answer: Awaited<ReturnType<OutboundGuard['request']>>;
  try {
    answer = await outbound.request({
      method: request.method,
      url: target.toString(),
      headers: {
        accept: 'application/json',
        'user-agent': 'Causerie-Apps/1',
        ...(request.body !== undefined && { 'content-type': 'application/json' }),
        ...request.headers,
        ...connectorSignatureHeaders(request.signingSecret, signed),
      },
      ...(request.body !== undefined && { body: request.body }),
      timeoutMs: request.timeoutMs,
      ...(request.maxResponseBytes !== undefined && { maxResponseBytes: request.maxResponseBytes }),
    });
  } catch (error) {
    if (error instanceof OutboundRefused) throw new ConnectorFailure('refused', `may not be called (${error.reason})`);
    throw new ConnectorFailure(
      'unanswered',
      `did not answer (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  if (answer.status < 200 || answer.status > 299)
    throw new ConnectorFailure('status', `answered HTTP ${answer.status}`);
  try {
    return JSON.parse(answer.body.toString('utf8')) as unknown;
  } catch {
    throw new ConnectorFailure('not_json', 'answered something that is not JSON');
  }
}
