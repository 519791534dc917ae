/**
 * How a target leaves out interop cases it cannot pass for a documented reason: the case is still declared,
 * skipped, with the reason in its title, so every run lists what a target does not do and why.
 */
import { it } from 'vitest';

/** What every case module takes besides its target. */
export interface CaseSelection {
  /** Case title → why this target does not run it (a documented difference of the target, not a bug). */
  exclude?: Readonly<Record<string, string>>;
}

/** A vitest test function (`it`, `it.skipIf(…)`), as the case modules call it. */
type TestFunction = (title: string, ...rest: never[]) => void;

/**
 * Returns `declare(test, title, …rest)`: `test(title, …rest)` for a case the selection keeps, `it.skip` with
 * the reason in the title for one it excludes.
 */
export function excluder(exclude: Readonly<Record<string, string>> = {}) {
  return (test: TestFunction, title: string, ...rest: unknown[]): void => {
    const reason = exclude[title];
    if (reason === undefined) (test as (title: string, ...rest: unknown[]) => void)(title, ...rest);
    else (it.skip as (title: string, ...rest: unknown[]) => void)(`${title} — not on this target: ${reason}`, ...rest);
  };
}
