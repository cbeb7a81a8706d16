// The claim-and-retry loop the webhook and channel workers plug into: batches drained back to back, wake-ups that
// beat the idle poll, failures that do not stop it, lease recovery on its interval, settle and stop.
import { afterEach, describe, expect, it } from 'vitest';
import { ClaimLoop, type ClaimSteps } from './claim-loop.js';

/** A queue of numbered jobs, claimed `batch` at a time, as a worker's table of due rows. */
function jobQueue(batch: number) {
  const due: number[] = [];
  const processed: number[] = [];
  let claims = 0;
  const steps: ClaimSteps<number> = {
    claim: async () => {
      claims += 1;
      const items = due.splice(0, batch);
      return { items, more: items.length === batch };
    },
    process: async (items) => {
      processed.push(...items);
      return true;
    },
  };
  return { due, processed, steps, claims: () => claims };
}

const failures: string[] = [];
const report = (_error: unknown, message: string) => void failures.push(message);
const loops: ClaimLoop<number>[] = [];

function startLoop(steps: ClaimSteps<number>, idlePollMs: number): ClaimLoop<number> {
  const loop = new ClaimLoop(steps, { work: 'jobs', idlePollMs, report });
  loops.push(loop);
  loop.start();
  return loop;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const QUIET_POLL_MS = 1_000;

/** A loop idle long enough that its quiet backoff has reached the idle poll (5 ms doubling: about 1.3 s). */
async function quietLoop(steps: ClaimSteps<number>): Promise<ClaimLoop<number>> {
  const loop = startLoop(steps, QUIET_POLL_MS);
  await sleep(1_500);
  await loop.settled();
  return loop;
}

afterEach(async () => {
  for (const loop of loops.splice(0)) await loop.stop();
  failures.length = 0;
});

describe('ClaimLoop', () => {
  it('claims full batches back to back until a short one, and settles after', async () => {
    const queue = jobQueue(10);
    queue.due.push(...Array.from({ length: 35 }, (_, index) => index));
    const loop = startLoop(queue.steps, 60_000);
    await loop.settled();
    expect(queue.processed).toEqual(Array.from({ length: 35 }, (_, index) => index));
    // Three full batches and the short fourth: no idle poll waited for between them.
    expect(queue.claims()).toBe(4);
  });

  it('picks up work when poked, long before the idle poll', async () => {
    const queue = jobQueue(10);
    const loop = await quietLoop(queue.steps);
    queue.due.push(1, 2);
    const poked = Date.now();
    loop.poke();
    expect(loop.busy).toBe(true);
    await loop.settled();
    expect(queue.processed).toEqual([1, 2]);
    expect(Date.now() - poked).toBeLessThan(QUIET_POLL_MS / 2);
  });

  it('looks again shortly after a poke that found nothing (the writer had not committed yet)', async () => {
    const queue = jobQueue(10);
    const loop = await quietLoop(queue.steps);
    loop.poke();
    await loop.settled();
    // The write commits just after the poke's round: found without waiting for the idle poll.
    queue.due.push(7);
    await sleep(QUIET_POLL_MS / 4);
    expect(queue.processed).toEqual([7]);
  });

  it("finds work nobody announced (another node's, a retry coming due) without a poke", async () => {
    const queue = jobQueue(10);
    startLoop(queue.steps, 100);
    await sleep(50);
    queue.due.push(3);
    await sleep(600);
    expect(queue.processed).toEqual([3]);
  });

  it('reports a failed round and goes on with the next', async () => {
    const queue = jobQueue(10);
    let failOnce = true;
    const loop = startLoop(
      {
        ...queue.steps,
        claim: () => {
          if (failOnce) {
            failOnce = false;
            return Promise.reject(new Error('database busy'));
          }
          return queue.steps.claim();
        },
      },
      60_000,
    );
    await loop.settled();
    expect(failures).toEqual(['claiming or processing jobs failed']);
    queue.due.push(5);
    loop.poke();
    await loop.settled();
    expect(queue.processed).toEqual([5]);
  });

  it('stops looking at once when processing says the rest is taken elsewhere', async () => {
    const queue = jobQueue(2);
    queue.due.push(1, 2, 3, 4);
    const loop = startLoop(
      { ...queue.steps, process: async (items) => queue.steps.process(items).then(() => false) },
      60_000,
    );
    await loop.settled();
    expect(queue.processed).toEqual([1, 2]);
  });

  it('takes back expired leases on its interval, not at every round', async () => {
    const queue = jobQueue(1);
    queue.due.push(...Array.from({ length: 50 }, (_, index) => index));
    let recoveries = 0;
    const loop = startLoop(
      {
        ...queue.steps,
        recover: {
          everyMs: 60_000,
          run: async () => {
            recoveries += 1;
          },
        },
      },
      60_000,
    );
    await loop.settled();
    expect(queue.processed).toHaveLength(50);
    expect(recoveries).toBe(1);
  });

  it('claims nothing once stopped, and may be started again', async () => {
    const queue = jobQueue(10);
    const loop = startLoop(queue.steps, 50);
    await loop.settled();
    await loop.stop();
    queue.due.push(6);
    loop.poke();
    await sleep(200);
    expect(queue.processed).toEqual([]);
    expect(loop.busy).toBe(false);
    loop.start();
    await sleep(50);
    await loop.settled();
    expect(queue.processed).toEqual([6]);
  });
});
