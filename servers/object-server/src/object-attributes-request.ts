/**
 * The request headers of GetObjectAttributes
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObjectAttributes.html#API_GetObjectAttributes_RequestSyntax):
 * `x-amz-object-attributes` (required; a comma-separated list of ETag, Checksum, ObjectParts, StorageClass,
 * ObjectSize), `x-amz-max-parts` and `x-amz-part-number-marker` (paging ObjectParts). A missing or empty
 * attribute list, an unknown attribute name or a paging value that is not a non-negative integer is
 * InvalidArgument.
 */
import { header } from './context.ts';
import type { S3Context } from './context.ts';
import { S3Error } from './s3-errors.ts';

/** The attributes GetObjectAttributes can return. */
export const OBJECT_ATTRIBUTES = ['ETag', 'Checksum', 'ObjectParts', 'StorageClass', 'ObjectSize'] as const;

/** One of {@link OBJECT_ATTRIBUTES}. */
export type ObjectAttribute = (typeof OBJECT_ATTRIBUTES)[number];

/** The parts a request pages through: those after `partNumberMarker`, at most `maxParts` of them. */
export interface PartsPaging {
  /** @default 1000 (as ListParts) */
  maxParts: number;
  /** @default 0 */
  partNumberMarker: number;
}

/** The default and largest `x-amz-max-parts`, as ListParts caps its page. */
export const DEFAULT_MAX_PARTS = 1000;

const ATTRIBUTE_SET = new Set<string>(OBJECT_ATTRIBUTES);

/** The attributes asked for, in the order of {@link OBJECT_ATTRIBUTES}. */
export function requestedAttributes(ctx: Pick<S3Context, 'headers'>): Set<ObjectAttribute> {
  const raw = ctx.headers['x-amz-object-attributes'];
  // Node joins a repeated header with ", "; the SDKs send one comma-separated value.
  const names = (Array.isArray(raw) ? raw.join(',') : (raw ?? '')).split(',').map((n) => n.trim()).filter((n) => n !== '');
  if (names.length === 0) {
    throw new S3Error('InvalidArgument', 'Missing required header for this request: x-amz-object-attributes', {
      extra: { ArgumentName: 'x-amz-object-attributes', ArgumentValue: '' },
    });
  }
  const unknown = names.find((n) => !ATTRIBUTE_SET.has(n));
  if (unknown !== undefined) {
    throw new S3Error('InvalidArgument', 'Invalid attribute name specified.', { extra: { ArgumentName: 'x-amz-object-attributes', ArgumentValue: unknown } });
  }
  return new Set(names as ObjectAttribute[]);
}

function nonNegativeInteger(ctx: Pick<S3Context, 'headers'>, name: string, fallback: number): number {
  const v = header(ctx, name)?.trim();
  if (v === undefined) return fallback;
  if (!/^\d{1,10}$/.test(v) || Number(v) > 2_147_483_647) {
    throw new S3Error('InvalidArgument', `Provided ${name} not an integer or within integer range`, { extra: { ArgumentName: name, ArgumentValue: v } });
  }
  return Number(v);
}

/** `x-amz-max-parts` (capped at {@link DEFAULT_MAX_PARTS}) and `x-amz-part-number-marker`. */
export function partsPaging(ctx: Pick<S3Context, 'headers'>): PartsPaging {
  return {
    maxParts: Math.min(nonNegativeInteger(ctx, 'x-amz-max-parts', DEFAULT_MAX_PARTS), DEFAULT_MAX_PARTS),
    partNumberMarker: nonNegativeInteger(ctx, 'x-amz-part-number-marker', 0),
  };
}
