/**
 * Per-version fields of the version store (object lock retention and legal hold): recorded by a write, changed
 * by `updateVersion` without touching bytes, kept across a reopen, and consulted by `delete`'s guard under the
 * key's lock, so a refused removal changes nothing. Noncurrent-since times derive from the successor version.
 */
import { describe, expect, it } from 'vitest';
import { createMemoryStorage, hasErrorCode, noncurrentSince, readText, VersionStore } from '../../src/index.ts';
import type { VersionEntry } from '../../src/index.ts';

const OPTIONS = { plainPrefix: 'bkt/', metaPrefix: '.meta/bkt/' };
const refuseHeld = (entry: VersionEntry) => {
  if (entry.legalHold) throw new Error('held');
};

describe('version fields', () => {
  it('are recorded by a put and survive a reopen', async () => {
    const storage = createMemoryStorage();
    const store = new VersionStore(storage, OPTIONS);
    const retention = { mode: 'COMPLIANCE' as const, until: '2100-01-01T00:00:00.000Z' };
    const { versionId } = await store.put('k', 'v1', 'Enabled', {}, { retention, legalHold: true });
    const again = new VersionStore(storage, OPTIONS);
    const found = await again.resolve('k', versionId);
    expect(found.kind === 'object' && found.entry).toMatchObject({ retention, legalHold: true });
  });

  it('updateVersion changes one entry and no bytes; an unknown version is NotFound', async () => {
    const store = new VersionStore(createMemoryStorage(), OPTIONS);
    const first = await store.put('k', 'v1', 'Enabled');
    const second = await store.put('k', 'v2', 'Enabled');
    const updated = await store.updateVersion('k', first.versionId, (e) => ({ ...e, legalHold: true }));
    expect(updated.legalHold).toBe(true);
    const versions = await store.versionsOf('k');
    expect(versions.map((v) => [v.id, v.legalHold === true])).toEqual([[second.versionId, false], [first.versionId, true]]);
    expect(await readText((await store.get('k', first.versionId)).body)).toBe('v1');
    expect(await readText((await store.get('k', undefined)).body)).toBe('v2');
    await expect(store.updateVersion('k', 'nope', (e) => e)).rejects.toSatisfy((e: unknown) => hasErrorCode(e, 'NotFound'));
  });

  it('updateVersion gives a key written before versioning an index, its plain object the null version', async () => {
    const storage = createMemoryStorage();
    await storage.put('bkt/old', 'plain');
    const store = new VersionStore(storage, OPTIONS);
    await store.updateVersion('old', 'null', (e) => ({ ...e, legalHold: true }));
    expect((await store.readIndex('old'))?.versions).toMatchObject([{ id: 'null', legalHold: true }]);
    expect(await readText((await storage.get('bkt/old')).body)).toBe('plain');
  });

  it("a delete guard that throws leaves the version, and the guard sees the version's fields", async () => {
    const store = new VersionStore(createMemoryStorage(), OPTIONS);
    const { versionId } = await store.put('k', 'v1', 'Enabled', {}, { legalHold: true });
    await expect(store.delete('k', 'Enabled', versionId, {}, refuseHeld)).rejects.toThrow('held');
    expect((await store.versionsOf('k')).map((v) => v.id)).toEqual([versionId]);
    // A delete marker is not a removal: the guard is not asked.
    const marker = await store.delete('k', 'Enabled', undefined, {}, refuseHeld);
    expect(marker.deleteMarker).toBe(true);
  });

  it('noncurrentSince is the successor version\'s write time', async () => {
    const versions: VersionEntry[] = [
      { id: 'b', etag: '', size: 0, lastModified: '2026-01-02T00:00:00.000Z' },
      { id: 'a', etag: '', size: 0, lastModified: '2026-01-01T00:00:00.000Z' },
    ];
    expect(noncurrentSince(versions, 0)).toBeUndefined();
    expect(noncurrentSince(versions, 1)?.toISOString()).toBe('2026-01-02T00:00:00.000Z');
  });
});
