/**
 * Exact conversions of the scalar types that JavaScript has no native form for: dates (days since the epoch,
 * as Parquet's DATE stores them), timestamps (microseconds since the epoch, UTC: Parquet's
 * `TIMESTAMP(isAdjustedToUTC = true, unit = MICROS)`, PROTOCOL.md "Primitive Types") and decimals (an unscaled
 * integer and a scale). Nothing here rounds: a value that cannot be held exactly is reported, not cut.
 */

/** Milliseconds in a day. */
export const DAY_MS = 86_400_000;

/** Days since 1970-01-01 of a `YYYY-MM-DD` string, or `undefined` when it is not a real calendar date. */
export function parseDateString(text: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (m === null) return undefined;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  // Date.UTC rolls 2026-02-30 over to March: a round trip tells real dates from rolled ones.
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== text) return undefined;
  return ms / DAY_MS;
}

/** `YYYY-MM-DD` of a day number. */
export function formatDate(days: number): string {
  return new Date(days * DAY_MS).toISOString().slice(0, 10);
}

const TIMESTAMP_RE = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})$/;

/**
 * Microseconds since the epoch of an ISO 8601 timestamp with a zone (`Z` or `±hh:mm`), or a reason it has
 * none: a timestamp without a zone is ambiguous, and digits past the microsecond would be lost.
 */
export function parseTimestampString(text: string): bigint | string {
  const m = TIMESTAMP_RE.exec(text);
  if (m === null) return 'not an ISO 8601 timestamp with a time zone (e.g. 2026-11-22T10:00:00.123456Z)';
  const days = parseDateString(m[1]!);
  const [hh, mm, ss] = [Number(m[2]), Number(m[3]), Number(m[4])];
  if (days === undefined || hh > 23 || mm > 59 || ss > 59) return 'not a valid date and time';
  const fraction = (m[5] ?? '').padEnd(9, '0');
  if (!/^0*$/.test(fraction.slice(6))) return 'has digits below the microsecond (timestamps hold microseconds)';
  const zone = m[6]!;
  let offsetMinutes = 0;
  if (zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    offsetMinutes = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2)));
  }
  const seconds = BigInt(days) * 86_400n + BigInt(hh * 3600 + mm * 60 + ss - offsetMinutes * 60);
  return seconds * 1_000_000n + BigInt(fraction.slice(0, 6));
}

/** Microseconds since the epoch of a `Date` (whose precision is the millisecond). */
export function dateToMicros(date: Date): bigint {
  return BigInt(date.getTime()) * 1000n;
}

/** ISO 8601 UTC with six fraction digits: `2026-11-22T10:00:00.123456Z`. */
export function formatTimestampMicros(micros: bigint): string {
  const millis = micros / 1000n - (micros % 1000n < 0n ? 1n : 0n); // floor, also before 1970
  const subMillis = micros - millis * 1000n;
  const iso = new Date(Number(millis)).toISOString(); // …T10:00:00.123Z
  return `${iso.slice(0, -1)}${String(subMillis).padStart(3, '0')}Z`;
}

/**
 * The unscaled integer of a decimal literal (`-12.50` at scale 2 → `-1250n`), or a reason it does not fit
 * `decimal(precision, scale)`: more fraction digits than the scale (after dropping trailing zeros) or more
 * integer digits than `precision - scale`.
 */
export function parseDecimal(text: string, precision: number, scale: number): bigint | string {
  const m = /^([+-]?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (m === null) return 'not a decimal number';
  const integer = m[2]!.replace(/^0+(?=\d)/, '');
  const fraction = (m[3] ?? '').replace(/0+$/, '');
  if (fraction.length > scale) return `has ${fraction.length} digits after the point; the scale is ${scale}`;
  if ((integer === '0' ? 0 : integer.length) > precision - scale) return `has more than ${precision - scale} digits before the point`;
  const unscaled = BigInt(integer + fraction.padEnd(scale, '0'));
  return m[1] === '-' ? -unscaled : unscaled;
}

/** The literal of an unscaled decimal: `(-1250n, 2)` → `'-12.50'`. */
export function formatDecimal(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return negative ? `-${text}` : text;
}

/** A big-endian two's-complement integer (Parquet's DECIMAL in binary form). */
export function bytesToBigInt(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const b of bytes) value = (value << 8n) | BigInt(b);
  if (bytes.length > 0 && (bytes[0]! & 0x80) !== 0) value -= 1n << BigInt(bytes.length * 8);
  return value;
}
