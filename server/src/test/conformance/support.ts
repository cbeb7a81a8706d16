// Helpers of the conformance tests: calls that must succeed, and dates written the way the seeds write them.
import { formatDateTime } from '../../time.js';
import type { CallOptions, Resource, TestApp } from '../harness.js';

const DAY_MS = 86_400_000;

/** `YYYY-MM-DD HH:MM:SS` (UTC) of the moment `days` days from now (negative: in the past). */
export function dateTimeIn(days: number): string {
  return formatDateTime(new Date(Date.now() + days * DAY_MS).toISOString());
}

/** `YYYY-MM-DD` (UTC) of the day `days` days from today. */
export function dayIn(days: number): string {
  return new Date(Date.now() + days * DAY_MS).toISOString().slice(0, 10);
}

/** A call that must answer 200; returns `data`. A failure names the call and the answer, so a broken set-up is obvious. */
export async function ok(
  t: TestApp,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: string,
  options: CallOptions,
): Promise<Resource> {
  const answer = await t.api(method, path, options);
  if (answer.status !== 200)
    throw new Error(`${method} ${path} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body.data;
}

/** Ids of a list answer (all of them: limit 100). */
export async function listIds(t: TestApp, path: string, key: string): Promise<number[]> {
  const separator = path.includes('?') ? '&' : '?';
  const answer = await t.api('GET', `${path}${separator}limit=100`, { key });
  if (answer.status !== 200) throw new Error(`GET ${path} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body.data.map((item) => item.id);
}

/** Escapes text for use inside a regular expression. */
export function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
