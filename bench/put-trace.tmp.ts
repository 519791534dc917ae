import { createFileStorage } from '@strata/file';
import { createRawFsTier } from '/work/main/bench/src/tiers/raw-fs.ts';
const which = process.argv[2];
const root = `/tmp/perfw/root-${which}`;
const data = Buffer.alloc(4096, 1);
if (which === 'file') {
  const s = createFileStorage({ root });
  await s.put('bench/4KiB/0', data); // warm (dirs)
  console.error('--- MARK ---');
  process.stderr.write('');
  for (let i = 0; i < 2; i++) await s.put('bench/4KiB/0', data);
  await s.close();
} else {
  const t = createRawFsTier(root);
  await t.put('bench/4KiB/0', data);
  console.error('--- MARK ---');
  for (let i = 0; i < 2; i++) await t.put('bench/4KiB/0', data);
}
