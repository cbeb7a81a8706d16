// What every messaging state machine (company, account, environment, carrier, tester) shares: its transitions as data,
// the check of one change against them, and the refusal the API answers 409 with the current state.

/** A change the state machine does not allow: answered 409 with the current state. */
export class InvalidTransition extends Error {
  constructor(
    readonly resource: string,
    readonly current: string,
    readonly wanted: string,
  ) {
    super(`This ${resource} is '${current}': it cannot become '${wanted}'.`);
    this.name = 'InvalidTransition';
  }
}

export interface StateMachine<S extends string> {
  /** Whether `from` may become `to` (listed in the transitions). */
  canBecome(from: S, to: S): boolean;
  /** Throws InvalidTransition unless `from` may become `to`. */
  assert(from: S, to: S): void;
}

/** The machine of `resource` (as its refusals name it) with these transitions. */
export function stateMachine<S extends string>(
  resource: string,
  transitions: Readonly<Record<S, readonly S[]>>,
): StateMachine<S> {
  const canBecome = (from: S, to: S) => transitions[from].includes(to);
  return {
    canBecome,
    assert(from, to) {
      if (!canBecome(from, to)) throw new InvalidTransition(resource, from, to);
    },
  };
}
