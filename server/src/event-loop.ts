// Giving the event loop back. On SQLite every statement runs on the node's one thread, and an await on one resolves
// as a microtask: a loop of statements never lets the node read a socket until it ends. Long background work yields
// between slices so that requests (and the answers of its own outbound calls) are served in between.

/** Resolves after the event loop's next poll for I/O: whatever arrived meanwhile is read and handled first. */
export function yieldToIo(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}
