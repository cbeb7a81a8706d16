// The limits of the visitor's HTTP fallback (docs/SECURITY.md, Limits): the socket's rate per visitor, new visitors
// per address, and a ceiling per website, so the fallback is no way around the socket's limits.
import type { FastifyRequest } from 'fastify';
import type { RequestLimit } from '../limits/limits.js';
import { VISITOR_RATE } from './connection.js';

/** One visitor over HTTP: the socket's frame rate (20 a second, bursts of 60), so the fallback is no way around it. */
export const visitorLimit = (websiteId: number, vuid: string): RequestLimit => ({
  name: 'visitor',
  key: `visitor:${websiteId}:${vuid}`,
  rate: VISITOR_RATE,
  refusal: `from this visitor: at most ${VISITOR_RATE.perSecond} a second (bursts of ${VISITOR_RATE.burst}), as on the socket`,
});

/** New anonymous visitors from one address: a page load makes one; a script making hundreds a second is refused. */
export const NEW_VISITORS_PER_ADDRESS = { perSecond: 1 / 6, burst: 20 };
export const newVisitorLimit = (address: string): RequestLimit => ({
  name: 'new_visitors_per_address',
  key: `new-visitors:${address}`,
  rate: NEW_VISITORS_PER_ADDRESS,
  refusal: `starting new visitors from this address: at most ${NEW_VISITORS_PER_ADDRESS.burst} at once, then 10 a minute`,
});

/** Every fallback request of one website, whoever sends it: a ceiling that a flood of made-up visitors cannot pass. */
export const WEBSITE_CEILING = { perSecond: 500, burst: 1000 };
export const websiteLimit = (websiteId: number): RequestLimit => ({
  name: 'website',
  key: `website:${websiteId}`,
  rate: WEBSITE_CEILING,
  refusal: `to this website's visitor fallback: at most ${WEBSITE_CEILING.perSecond} a second for all its visitors`,
});

/** The website and visitor a fallback request names (its query for GET, its body otherwise), once validated. */
export function visitorOfRequest(request: FastifyRequest): { websiteId: number; vuid: string | undefined } | undefined {
  const input: unknown = request.method === 'GET' ? request.query : request.body;
  if (input === null || typeof input !== 'object') return undefined;
  const { website_id: websiteId, vuid } = input as { website_id?: unknown; vuid?: unknown };
  if (typeof websiteId !== 'number') return undefined;
  return { websiteId, vuid: typeof vuid === 'string' ? vuid : undefined };
}
