/**
 * Bucket default encryption:
 * PutBucketEncryption — https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketEncryption.html
 * GetBucketEncryption — https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketEncryption.html
 * DeleteBucketEncryption — https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucketEncryption.html
 *
 * A bucket's default is stored as JSON under the server's reserved prefix and cached per process (the server is
 * the only writer), as the CORS store does; {@link BucketEncryptionStore.peek} answers from the cache without a
 * promise, so a PutObject to a bucket already looked up pays one map look-up. Only `AES256` (SSE-S3) is built;
 * `aws:kms` and `aws:kms:dsse` answer NotImplemented.
 */
import { hasErrorCode } from '@strata/storage';
import type { Storage } from '@strata/storage';
import { RESERVED_PREFIX } from '../bucket-registry.ts';
import { bucketOf } from '../context.ts';
import type { Handler } from '../context.ts';
import { readXmlBody } from '../request-body.ts';
import { S3Error } from '../s3-errors.ts';
import { readAll } from '../streams.ts';
import { childText, children, parseXml } from '../xml.ts';

const PREFIX = `${RESERVED_PREFIX}encryption/`;

/** A bucket's default encryption. */
export interface BucketEncryption {
  algorithm: 'AES256';
  bucketKeyEnabled: boolean;
}

/** The default encryption of every bucket. */
export interface BucketEncryptionStore {
  /** The cached default: a configuration, null for none, undefined when not yet looked up. */
  peek(bucket: string): BucketEncryption | null | undefined;
  get(bucket: string): Promise<BucketEncryption | null>;
  put(bucket: string, config: BucketEncryption): Promise<void>;
  remove(bucket: string): Promise<void>;
}

/** Creates the store over `storage`. */
export function createBucketEncryptionStore(storage: Storage): BucketEncryptionStore {
  const cache = new Map<string, BucketEncryption | null>();
  return {
    peek: (bucket) => cache.get(bucket),
    async get(bucket) {
      const cached = cache.get(bucket);
      if (cached !== undefined) return cached;
      let config: BucketEncryption | null = null;
      try {
        const { body } = await storage.get(PREFIX + bucket);
        config = JSON.parse((await readAll(body, 64 * 1024)).toString('utf8')) as BucketEncryption;
      } catch (e) {
        if (!hasErrorCode(e, 'NotFound')) throw e;
      }
      cache.set(bucket, config);
      return config;
    },
    async put(bucket, config) {
      await storage.put(PREFIX + bucket, JSON.stringify(config), { contentType: 'application/json' });
      cache.set(bucket, config);
    },
    async remove(bucket) {
      try {
        await storage.delete(PREFIX + bucket);
      } catch (e) {
        if (!hasErrorCode(e, 'NotFound')) throw e;
      }
      cache.set(bucket, null);
    },
  };
}

/** The store of the server, or a NotImplemented answer when the server was built without one. */
function storeOf(ctx: Parameters<Handler>[0]): BucketEncryptionStore {
  const store = ctx.state.encryption?.defaults;
  if (store === undefined) throw new S3Error('NotImplemented', 'Server-side encryption is not configured on this server.');
  return store;
}

/** Parses a ServerSideEncryptionConfiguration document. */
export function parseEncryptionXml(body: string): BucketEncryption {
  const rules = children(parseXml(body, 'ServerSideEncryptionConfiguration'), 'Rule');
  if (rules.length !== 1) throw new S3Error('MalformedXML', 'A ServerSideEncryptionConfiguration holds exactly one Rule');
  const rule = rules[0];
  const apply = children(rule, 'ApplyServerSideEncryptionByDefault')[0];
  const algorithm = childText(apply, 'SSEAlgorithm')?.trim();
  if (algorithm === undefined) throw new S3Error('MalformedXML', 'ApplyServerSideEncryptionByDefault needs an SSEAlgorithm');
  if (algorithm === 'aws:kms' || algorithm === 'aws:kms:dsse') throw new S3Error('NotImplemented', `Default encryption with ${algorithm} is not implemented by this server.`);
  if (algorithm !== 'AES256') throw new S3Error('MalformedXML', `Unknown SSEAlgorithm ${algorithm}`);
  if (childText(apply, 'KMSMasterKeyID') !== undefined) {
    throw new S3Error('InvalidArgument', 'a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse', { extra: { ArgumentName: 'ApplyServerSideEncryptionByDefault' } });
  }
  return { algorithm, bucketKeyEnabled: childText(rule, 'BucketKeyEnabled')?.trim() === 'true' };
}

/** Sets a bucket's default encryption. */
export const putBucketEncryption: Handler = async (ctx) => {
  const store = storeOf(ctx);
  const config = parseEncryptionXml(await readXmlBody(ctx));
  if (ctx.state.encryption?.masterKey === undefined) throw new S3Error('NotImplemented', 'SSE-S3 needs a master key: start the server with --sse-master-key-file or STRATA_SSE_MASTER_KEY.');
  await store.put(bucketOf(ctx), config);
  return {};
};

/** Returns a bucket's default encryption; ServerSideEncryptionConfigurationNotFoundError when none is set. */
export const getBucketEncryption: Handler = async (ctx) => {
  const bucket = bucketOf(ctx);
  const config = await storeOf(ctx).get(bucket);
  if (config === null) throw new S3Error('ServerSideEncryptionConfigurationNotFoundError', undefined, { extra: { BucketName: bucket } });
  return {
    xml: {
      root: 'ServerSideEncryptionConfiguration',
      body: { Rule: { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: config.algorithm }, BucketKeyEnabled: config.bucketKeyEnabled } },
    },
  };
};

/** Removes a bucket's default encryption (objects already written stay encrypted). */
export const deleteBucketEncryption: Handler = async (ctx) => {
  await storeOf(ctx).remove(bucketOf(ctx));
  return { status: 204 };
};
