// Waiting in tests for what happens asynchronously (a saga finishing, a stream delivering, a page
// re-rendering) by looking again, instead of sleeping for a guessed time.

export interface EventuallyOptions {
  /** How long to keep looking before failing; 10 s by default. */
  readonly timeoutMs?: number;
  /** The pause between two looks; 50 ms by default. */
  readonly intervalMs?: number;
  /** What is waited for, for the failure message ("the order is CONFIRMED"). */
  readonly what?: string;
}

type Truthy<T> = Exclude<T, false | 0 | 0n | "" | null | undefined>;

/**
 * Calls `check` until it returns a truthy value, and resolves with that value. A falsy value or a
 * throw means "not yet". Once `timeoutMs` has passed it rejects: with the error the last look
 * threw (as it is, so that a failed expect() shows its diff; prefixed by `what` when given), or
 * else saying what was not met.
 */
export async function eventually<T>(check: () => T | Promise<T>, options: EventuallyOptions = {}): Promise<Truthy<T>> {
  const { timeoutMs = 10_000, intervalMs = 50, what } = options;
  const deadline = Date.now() + timeoutMs;
  let earlierError: unknown;
  for (;;) {
    let thrown: { error: unknown } | undefined;
    let value: T | undefined;
    try {
      value = await check();
      if (value) return value as Truthy<T>;
    } catch (error) {
      thrown = { error };
      earlierError = error;
    }
    if (Date.now() >= deadline) {
      const notMet = `${what ?? "the condition"} not met within ${timeoutMs} ms`;
      if (thrown !== undefined) {
        if (what === undefined) throw thrown.error;
        throw new Error(`${notMet}: ${messageOf(thrown.error)}`, { cause: thrown.error });
      }
      if (earlierError !== undefined) {
        throw new Error(`${notMet} (an earlier look failed: ${messageOf(earlierError)})`, { cause: earlierError });
      }
      // A check written as assertions alone returns undefined even once they hold.
      throw new Error(value === undefined ? `${notMet} (the check returned undefined; return a truthy value once it holds)` : notMet);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
