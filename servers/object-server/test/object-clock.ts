/**
 * What the object lock, lifecycle and versioning tests share: a clock the server's `objectClock` reads and the
 * tests move forward (retention and rule ages are counted in days; no test waits for them), and the S3 error
 * a refused SDK call ends with.
 */
import { S3ServiceException } from '@aws-sdk/client-s3';

export const DAY = 24 * 60 * 60 * 1000;

/** A clock that runs with the wall clock, shifted by whatever the test has advanced it. */
export interface TestClock {
  /** Milliseconds since the epoch, shifted: pass as `objectClock`. */
  readonly now: () => number;
  /** Moves the clock forward by `days` (fractions allowed). */
  advance(days: number): void;
  /** Back to the wall clock. */
  reset(): void;
  /** The date `days` from the clock's now. */
  inDays(days: number): Date;
}

/** A new {@link TestClock} at the wall clock. */
export function testClock(): TestClock {
  let offset = 0;
  const now = () => Date.now() + offset;
  return {
    now,
    advance: (days) => void (offset += days * DAY),
    reset: () => void (offset = 0),
    inDays: (days) => new Date(now() + days * DAY),
  };
}

/** The S3 error `p` rejects with; fails the test when it resolves or rejects with anything else. */
export async function s3Failure(p: Promise<unknown>): Promise<S3ServiceException> {
  try {
    await p;
  } catch (e) {
    if (e instanceof S3ServiceException) return e;
    throw e;
  }
  throw new Error('expected a failure');
}
