// Waiting in tests for what happens after an answer (webhooks processed, frames fanned out): poll, never sleep blindly.

/** Polls `check` until it answers something defined, and answers that; fails naming `what` after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 8000,
  what = 'condition',
  intervalMs = 25,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Retries an assertion until it passes; after `timeoutMs` its last failure is thrown. */
export async function assertEventually(
  assertion: () => void | Promise<void>,
  timeoutMs: number,
  intervalMs = 25,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      await assertion();
      return;
    } catch (error) {
      if (Date.now() > until) throw error;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}
