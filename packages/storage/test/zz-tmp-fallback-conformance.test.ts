import { describeStorageContract } from '../../conformance/src/index.ts';
import { createStorage } from '../src/index.ts';
import { plainAdapter } from './helpers.ts';
describeStorageContract('plain list adapter (fallbacks)', () => createStorage(plainAdapter({ minPartSize: 1024, listOnly: true })), { largeObjectBytes: 8 * 1024 * 1024 });
