// The search endpoint's `filters[…]` (already read by parseListQuery) → the query's filters, refusing unknown values.
import type { ConversationChannel, ConversationStatus } from '../../db/schema.js';
import { fieldInvalid } from '../../errors.js';
import { parseApiDate } from '../../time.js';
import type { SearchFilters } from './query.js';

const STATUSES: readonly ConversationStatus[] = ['waiting', 'open', 'closed'];
const CHANNELS: readonly ConversationChannel[] = ['chat', 'call', 'video', 'social'];

export type SearchFilterName = 'status' | 'operator_id' | 'website_id' | 'channel' | 'tag_id' | 'from' | 'to';

export function searchFilters(filters: Partial<Record<string, string | number | boolean>>): SearchFilters {
  const result: SearchFilters = {};
  const { status, operator_id, website_id, channel, tag_id, from, to } = filters;
  if (status !== undefined) {
    if (!STATUSES.includes(status as ConversationStatus))
      throw fieldInvalid('filters[status]', `Expected one of: ${STATUSES.join(', ')}.`);
    result.status = status as ConversationStatus;
  }
  if (channel !== undefined) {
    if (!CHANNELS.includes(channel as ConversationChannel))
      throw fieldInvalid('filters[channel]', `Expected one of: ${CHANNELS.join(', ')}.`);
    result.channel = channel as ConversationChannel;
  }
  if (typeof website_id === 'number') result.websiteId = website_id;
  if (typeof tag_id === 'number') result.tagId = tag_id;
  if (typeof operator_id === 'number' || operator_id === 'null' || operator_id === '!null')
    result.operatorId = operator_id;
  const start = typeof from === 'string' ? parseApiDate(from) : null;
  const end = typeof to === 'string' ? parseApiDate(to) : null;
  if (start !== null) result.createdFrom = start.start.toISOString();
  if (end !== null) result.createdBefore = end.endExclusive.toISOString();
  if (start !== null && end !== null && start.start.getTime() >= end.endExclusive.getTime())
    throw fieldInvalid('filters[to]', "The period ends before it starts: give a 'to' date after 'from'.");
  return result;
}
