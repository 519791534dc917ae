/**
 * The contract suite on the block adapter over a memory device, which must pass it in full. Parts down to 1 KiB
 * keep the multipart cases fast; the large-object case streams 32 MiB (the device is not durable, so the
 * suite allows the object's own size in memory).
 */
import { describeStorageContract } from '@strata/conformance';
import { createBlockStorage, createMemoryDevice } from '../src/index.ts';

const LARGE = 32 * 1024 * 1024;

describeStorageContract(
  'block (memory device)',
  async () => createBlockStorage({ device: await createMemoryDevice({ pageSize: 4096, pageCount: (2 * LARGE) / 4096 + 4096 }), minPartSize: 1024 }),
  { largeObjectBytes: LARGE },
);
