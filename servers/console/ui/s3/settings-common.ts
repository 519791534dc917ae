/**
 * Small pieces the bucket settings share: a missing configuration read as empty, list fields edited one entry
 * a line, and whole-number fields checked before anything is sent.
 */

/**
 * The value of `pending`, or `empty` when the server answers that the configuration does not exist
 * (NoSuchCORSConfiguration, NoSuchBucketPolicy, NoSuchLifecycleConfiguration: "none set" is not an error to
 * the form, which then starts empty).
 */
export async function absentAs<T>(pending: Promise<T>, absentCode: string, empty: T): Promise<T> {
  try {
    return await pending;
  } catch (e) {
    if (e instanceof Error && e.name === absentCode) return empty;
    throw e;
  }
}

/** The non-empty lines of a text field, trimmed (commas separate too, as people paste lists). */
export const linesOf = (text: string): string[] =>
  text
    .split(/[\n,]/)
    .map((l) => l.trim())
    .filter((l) => l !== '');

/** Why `text` is not a whole number of at least `min` (empty is fine: the field is optional), or undefined. */
export function wholeNumberProblem(text: string, label: string, min = 0): string | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  if (!/^\d+$/.test(t) || !Number.isSafeInteger(Number(t))) return `${label} must be a whole number.`;
  if (Number(t) < min) return `${label} must be at least ${min}.`;
  return undefined;
}
