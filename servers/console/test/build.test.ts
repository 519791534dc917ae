/**
 * The console's build (scripts/build-ui.mjs) and the browser app's types: the build embeds exactly the page,
 * the icon, one content-hashed script and one stylesheet, which the page loads by their hashed names with no
 * inline script or style (the CSP forbids both); two builds of the same sources are byte-identical; and the
 * browser app (ui/, which the root tsconfig does not cover: it needs the DOM library) type-checks.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { brotliDecompressSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_DIR, buildConsole } from './helpers/built-console.ts';
import type { BuiltConsole } from './helpers/built-console.ts';

let first: BuiltConsole;
let second: BuiltConsole;
beforeAll(async () => {
  [first, second] = await Promise.all([buildConsole(), buildConsole()]);
}, 60_000);
afterAll(() => {
  first?.remove();
  second?.remove();
});

const text = (b: BuiltConsole, path: string) => brotliDecompressSync(Buffer.from(b.assets.find((a) => a.path === path)?.brotli ?? '', 'base64')).toString();

describe('scripts/build-ui.mjs', () => {
  it('embeds the page, the icon, one hashed script and one hashed stylesheet', () => {
    const paths = first.assets.map((a) => a.path);
    expect(paths.filter((p) => !/^console-[A-Z0-9]+\.(js|css)$/.test(p))).toEqual(['index.html', 'icon.svg']);
    expect(paths.filter((p) => p.endsWith('.js'))).toHaveLength(1);
    expect(paths.filter((p) => p.endsWith('.css'))).toHaveLength(1);
    for (const a of first.assets) expect(a.immutable, a.path).toBe(a.path.startsWith('console-'));
    const html = text(first, 'index.html');
    for (const p of paths.filter((p) => p.startsWith('console-'))) expect(html).toContain(`"${p}"`);
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)|<style|\sstyle=|\son[a-z]+=/i);
  });

  it('is deterministic: the same sources build the same bytes', () => {
    expect(second.build).toBe(first.build);
    expect(readFileSync(second.modulePath, 'utf8')).toBe(readFileSync(first.modulePath, 'utf8'));
  });
});

describe('the browser app', () => {
  it('type-checks with the DOM library (ui/tsconfig.json)', () => {
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    const run = spawnSync(process.execPath, [tsc, '-p', join(PACKAGE_DIR, 'ui', 'tsconfig.json')], { encoding: 'utf8', timeout: 110_000 });
    expect({ status: run.status, errors: run.stdout + run.stderr }).toEqual({ status: 0, errors: '' });
  }, 120_000);
});
