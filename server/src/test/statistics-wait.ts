// Test helper: waits until the app's statistics projection has followed every committed event, for tests that read
// figures from the rollups (GET /operator/{id}/statistic, v1 getStats, GET /statistic).
import type { TestApp } from './harness.js';

const POLL_MS = 100;

/**
 * Resolves once the projection's cursor has passed the last event and no hour is left to compute, twice in a row (a
 * round in flight when first seen has finished by the second). Used instead of `statistics.catchUp()`, which does not
 * return while an operator is connected: each of its rounds marks the current presence hour again, so it always finds
 * one more hour to compute. Here the app's own loop does the work; the current presence hour, which it marks again
 * every 30 s, is computed within a second of each mark.
 */
export async function statisticsCaughtUp(t: TestApp, timeoutMs = 30_000): Promise<void> {
  const projection = t.context.statistics;
  if (projection === undefined) throw new Error('this app runs no statistics projection');
  const deadline = Date.now() + timeoutMs;
  let idleChecks = 0;
  while (idleChecks < 2) {
    projection.poke();
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    await projection.settled();
    const last = await t.store.db
      .selectFrom('event')
      .select((eb) => eb.fn.max<number | string | null>('id').as('id'))
      .executeTakeFirst();
    const state = await t.store.db.selectFrom('stats_projection').select('cursor').executeTakeFirstOrThrow();
    const dirty = await t.store.db
      .selectFrom('stats_dirty')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow();
    const idle = Number(state.cursor) >= Number(last?.id ?? 0) && Number(dirty.n) === 0;
    idleChecks = idle ? idleChecks + 1 : 0;
    if (!idle && Date.now() > deadline)
      throw new Error(`statistics projection still busy after ${timeoutMs} ms (${dirty.n} hours to compute)`);
  }
}
