// The period a conversation list covers: seed 003 never lets one request span more than 3 months.
import { ApiError, fieldInvalid } from '../../errors.js';
import { addMonths, parseApiDate } from '../../time.js';

/** Conversations created at or after `start` and strictly before `endExclusive`. */
export interface Period {
  start: Date;
  endExclusive: Date;
}

export const MAX_MONTHS = 3;

/**
 * Seed 003's rules, on `created_at`: neither bound → the last 3 months up to now; only `from` → the 3 months
 * after it; only `to` → the 3 months before it (its whole day when it is a date); both → that period, refused
 * when `to` names a moment more than 3 calendar months after `from` (so `2013-05-25`…`2013-08-25` is accepted)
 * or when it ends before it starts. Values were checked by the filter parser; unreadable ones are refused here too.
 */
export function conversationPeriod(from: string | undefined, to: string | undefined, now: Date): Period {
  const start = from === undefined ? undefined : readDate('filters[from]', from);
  const end = to === undefined ? undefined : readDate('filters[to]', to);
  if (start && end) {
    if (start.start.getTime() >= end.endExclusive.getTime()) {
      throw new ApiError(
        'period_invalid',
        400,
        `The period from '${from}' to '${to}' ends before it starts. Give a 'from' date before the 'to' date.`,
      );
    }
    if (end.start.getTime() > addMonths(start.start, MAX_MONTHS).getTime()) {
      throw new ApiError(
        'period_too_long',
        400,
        `The period from '${from}' to '${to}' is longer than ${MAX_MONTHS} months. Ask for ${MAX_MONTHS} months at most.`,
      );
    }
    return { start: start.start, endExclusive: end.endExclusive };
  }
  if (start) return { start: start.start, endExclusive: addMonths(start.start, MAX_MONTHS) };
  if (end) return { start: addMonths(end.endExclusive, -MAX_MONTHS), endExclusive: end.endExclusive };
  // "Up to now" includes the current second: a conversation created a moment ago is listed.
  return { start: addMonths(now, -MAX_MONTHS), endExclusive: new Date(now.getTime() + 1) };
}

function readDate(field: string, value: string) {
  const parsed = parseApiDate(value);
  if (parsed === null) throw fieldInvalid(field, 'Expected a date written YYYY-MM-DD or YYYY-MM-DD HH:MM:SS.');
  return parsed;
}
