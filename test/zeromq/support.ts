/** Shared by grove/zeromq's tests. */
import type { Operation } from 'grove';

/** The error an Operation throws (a test fails if it throws none). */
export function* thrownBy(operation: Operation<unknown>): Operation<Error> {
  try {
    yield* operation;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}
