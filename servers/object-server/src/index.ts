/**
 * `@strata/object-server`: the S3 API over any Storage. `buildApp` builds the fastify app; `main.ts` and
 * `cli.ts` are the `strata` command.
 */
export { buildApp } from './app.ts';
export type { AppOptions } from './app.ts';
export { S3Error, S3_ERRORS, isS3Error } from './s3-errors.ts';
export type { S3ErrorCode } from './s3-errors.ts';
export { RESERVED_PREFIX } from './bucket-registry.ts';
export { toXml, parseXml } from './xml.ts';
export { CODE_TO_S3, REASON_TO_S3, toS3Error } from './error-mapping.ts';
