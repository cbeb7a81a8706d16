// CAUSERIE_COMPILE_SCHEMAS_AHEAD on real nodes: a node compiles the schemas of the routes nobody called yet once it
// listens, unless told not to (the tests' nodes), in which case each waits for its route's first call.
import { killAll, routeSchemasPending, startNode } from '@causerie/test-support/processes';
import { eventually } from '@causerie/test-support/wait';
import { afterAll, describe, expect, it } from 'vitest';

afterAll(() => killAll());

describe('compiling route schemas ahead', () => {
  it('is what a node does by default; with false, schemas wait for their first call', { timeout: 90_000 }, async () => {
    const [ahead, onFirstCall] = await Promise.all([
      startNode({ env: { CAUSERIE_COMPILE_SCHEMAS_AHEAD: 'true' } }),
      startNode({ env: { CAUSERIE_COMPILE_SCHEMAS_AHEAD: 'false' } }),
    ]);
    await eventually(
      async () => ((await routeSchemasPending(ahead.base)) === 0 ? true : undefined),
      60_000,
      'none pending',
    );
    // The other node has had as long, and compiled nothing but what was called (the /metrics route has no schema).
    const before = await routeSchemasPending(onFirstCall.base);
    expect(before).toBeGreaterThan(100);
    const answer = await fetch(`${onFirstCall.base}/api/2/operator`, { headers: { 'x-api-key': 'not-a-key' } });
    expect(answer.status).toBe(403);
    expect(await routeSchemasPending(onFirstCall.base)).toBeLessThan(before);
    await Promise.all([ahead.stop(), onFirstCall.stop()]);
  });
});
