/**
 * Strata as a consumer gets it from npm: every public package packed (`pnpm pack`, as `pnpm publish` packs),
 * installed with plain npm into a project outside the workspace, and used there — the package contents and
 * manifests audited, a TypeScript program over the storage contract, the file adapter, the S3 adapter and the
 * pipelines type-checked under `moduleResolution` node16 and bundler with the workspace's tsc, its output run
 * on plain Node (no tsx, no TypeScript), and `npx strata serve` from the tarball answering the AWS SDK.
 *
 * Third-party dependencies come from the npm registry through npm's cache (`--prefer-offline`); the first run
 * on a machine fills the cache. Any package that is not consumable fails a case here.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAndPack, publicPackages } from '../src/pack.ts';
import { missingEntryPoints, optionalPeersInDeclarations, packageFiles, undeclaredImports, unexpectedFiles, unpublishableVersions } from '../src/package-audit.ts';
import type { Manifest } from '../src/package-audit.ts';
import { installedManifest, npmInstall, startServer, typeCheck, writeProject } from '../src/project.ts';
import { run } from '../src/run.ts';

const PACKAGES = publicPackages();
const work = mkdtempSync(join(tmpdir(), 'strata-consumer-'));
const project = join(work, 'project');
const KEYS = { accessKey: 'consumer-key', secretKey: 'consumer-secret' };

/** A dependency range out of a tarball's manifest, so the consumer shares the packages' own copy. */
function rangeIn(tarball: string, field: 'dependencies' | 'devDependencies', name: string): string {
  const manifest = JSON.parse(execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' })) as Manifest;
  const range = manifest[field]?.[name];
  if (range === undefined) throw new Error(`${tarball} has no ${field}.${name}`);
  return range;
}

beforeAll(async () => {
  const tarballDir = join(work, 'tarballs');
  mkdirSync(tarballDir);
  mkdirSync(project);
  const tarballs = await buildAndPack(PACKAGES, tarballDir);
  writeProject(project, {
    ...Object.fromEntries([...tarballs].map(([name, tarball]) => [name, `file:${tarball}`])),
    // The program uses the AWS SDK and Node's types itself, at the versions the packages are built with.
    '@aws-sdk/client-s3': rangeIn(tarballs.get('@strata/s3')!, 'dependencies', '@aws-sdk/client-s3'),
    '@types/node': rangeIn(tarballs.get('@strata/storage')!, 'devDependencies', '@types/node'),
  });
  await npmInstall(project);
}, 300_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the packed packages', () => {
  it('are every public package of the workspace', () => {
    expect(PACKAGES.map((p) => p.name).sort()).toEqual([
      '@strata/block', '@strata/conformance', '@strata/console', '@strata/file', '@strata/object-server', '@strata/pipelines', '@strata/s3', '@strata/storage',
    ]);
  });

  for (const { name } of PACKAGES) {
    it(`${name}: ships its build, README and LICENSE only, and everything its manifest names`, () => {
      const dir = join(project, 'node_modules', name);
      const manifest = installedManifest(project, name) as unknown as Manifest;
      const files = packageFiles(dir);
      expect(files).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json']));
      expect(files.some((f) => f.endsWith('.d.ts')) && files.some((f) => f.endsWith('.js.map'))).toBe(true);
      expect([...unexpectedFiles(files), ...missingEntryPoints(dir, manifest), ...unpublishableVersions(manifest)]).toEqual([]);
    });

    it(`${name}: declares every package its JavaScript and declarations import`, () => {
      const dir = join(project, 'node_modules', name);
      expect(undeclaredImports(dir, installedManifest(project, name) as unknown as Manifest, packageFiles(dir))).toEqual([]);
    });

    it(`${name}: its declarations type-check without its optional peers installed`, () => {
      const dir = join(project, 'node_modules', name);
      expect(optionalPeersInDeclarations(dir, installedManifest(project, name) as unknown as Manifest, packageFiles(dir))).toEqual([]);
    });
  }

  it('need neither TypeScript nor tsx at run time, nor the optional BullMQ and ioredis', () => {
    for (const absent of ['typescript', 'tsx', 'bullmq', 'ioredis']) expect(existsSync(join(project, 'node_modules', absent)), absent).toBe(false);
  });
});

describe('a TypeScript consumer', () => {
  it.each(['node16', 'bundler'] as const)('type-checks under moduleResolution %s', async (resolution) => {
    await typeCheck(project, resolution);
  }, 60_000);

  it('runs on plain Node against `npx strata serve`, the S3 adapter and the AWS SDK agreeing', async () => {
    await typeCheck(project, 'node16');
    const server = await startServer(project, ['--backend', 'memory', '--port', '0', '--access-key', KEYS.accessKey, '--secret-key', KEYS.secretKey]);
    try {
      // The banner keeps a secret the operator chose to itself.
      expect(server.output()).not.toContain(KEYS.secretKey);
      const env = { STRATA_ENDPOINT: server.endpoint, STRATA_ACCESS_KEY: KEYS.accessKey, STRATA_SECRET_KEY: KEYS.secretKey };
      const { stdout } = await run(process.execPath, [join('out', 'consumer.js')], { cwd: project, env, timeoutMs: 60_000 });
      expect(JSON.parse(stdout.trim().split('\n').at(-1) ?? '')).toEqual({
        contract: { etag: expect.stringMatching(/^"?[0-9a-f]{32}"?$/), read: 'first', listed: ['a', 'b'], missing: 'NotFound' },
        file: { read: 'on disk' },
        pipelines: { replayed: [{ n: 0 }, { n: 1 }, { n: 2 }], records: [{ dt: '2026-01-02', user: 'ada', amount: 12.5 }] },
        s3: { viaAdapter: 'hello over S3', viaSdk: 'hello over S3', contentType: 'text/plain' },
      });
    } finally {
      await server.stop();
    }
  }, 90_000);

  it('`npx strata --version` prints the packed version', async () => {
    // After `--`, so npx passes `--version` on rather than answering it itself.
    const { stdout } = await run('npx', ['--no', '--', 'strata', '--version'], { cwd: project, timeoutMs: 30_000 });
    expect(stdout.trim()).toBe(PACKAGES.find((p) => p.name === '@strata/object-server')!.version);
  });
});
