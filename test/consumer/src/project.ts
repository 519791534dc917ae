/**
 * A consumer's project in a temporary directory outside the workspace: a package.json naming the packed
 * tarballs, installed with plain npm from the registry (third-party dependencies) and npm's cache
 * (`--prefer-offline`), the fixture program `consumer.ts`, and one tsconfig per module resolution the packages
 * must type-check under.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freshEnv, run } from './run.ts';
import type { RunResult } from './run.ts';
import { TSC } from './pack.ts';

const FIXTURE = join(import.meta.dirname, '..', 'fixture', 'consumer.ts');

/** The module resolutions a consumer may use: node16 (Node's own rules) and bundler (Vite, esbuild, webpack). */
export type Resolution = 'node16' | 'bundler';

const COMPILER_OPTIONS: Record<Resolution, Record<string, unknown>> = {
  // node16 also emits: its output is what runs on plain Node.
  node16: { module: 'node16', moduleResolution: 'node16', outDir: 'out' },
  bundler: { module: 'esnext', moduleResolution: 'bundler', noEmit: true },
};

/**
 * Writes the project: `dependencies` maps each package name to a version range or a `file:` tarball. The
 * tsconfigs are strict with `skipLibCheck` (as `tsc --init` writes them); the fixture's `@ts-expect-error`
 * lines prove the packages' types resolved rather than decaying to `any`.
 */
export function writeProject(dir: string, dependencies: Record<string, string>): void {
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'strata-consumer', private: true, type: 'module', dependencies }, null, 2)}\n`);
  copyFileSync(FIXTURE, join(dir, 'consumer.ts'));
  for (const [resolution, options] of Object.entries(COMPILER_OPTIONS)) {
    const compilerOptions = { target: 'ES2022', strict: true, skipLibCheck: true, types: ['node'], ...options };
    writeFileSync(join(dir, `tsconfig.${resolution}.json`), `${JSON.stringify({ compilerOptions, files: ['consumer.ts'] }, null, 2)}\n`);
  }
}

/** `npm install` in the project, bounded. */
export function npmInstall(dir: string): Promise<RunResult> {
  return run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, timeoutMs: 150_000 });
}

const checks = new Map<string, Promise<RunResult>>();

/**
 * Type-checks the fixture under one module resolution with the workspace's tsc (node16 also emits `out/`),
 * once per project and resolution: the case that runs the output awaits the same check.
 */
export function typeCheck(dir: string, resolution: Resolution): Promise<RunResult> {
  const key = `${dir}\0${resolution}`;
  if (!checks.has(key)) checks.set(key, run(process.execPath, [TSC, '-p', `tsconfig.${resolution}.json`], { cwd: dir, timeoutMs: 60_000 }));
  return checks.get(key)!;
}

/** The manifest of an installed package. */
export function installedManifest(dir: string, name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(dir, 'node_modules', name, 'package.json'), 'utf8')) as Record<string, unknown>;
}

/** A server started with `npx strata serve`. */
export interface StartedServer {
  endpoint: string;
  /** Everything it printed so far. */
  output(): string;
  /** SIGTERM to its process group (npx and the server under it); SIGKILL after 5 s. */
  stop(): Promise<void>;
}

/**
 * `npx --no strata serve <args>` in the project: `--no` so npx runs the installed bin and never fetches a
 * registry package of that name. Resolves once the banner's last line is printed; fails after 30 s or on exit.
 */
export function startServer(dir: string, args: readonly string[]): Promise<StartedServer> {
  // Its own process group, so stopping it reaches the server under npx.
  const child: ChildProcess = spawn('npx', ['--no', 'strata', 'serve', ...args], { cwd: dir, env: freshEnv(), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const kill = (signal: NodeJS.Signals) => {
      try {
        process.kill(-(child.pid as number), signal);
      } catch {
        // the group is gone already
      }
    };
    kill('SIGTERM');
    const timer = setTimeout(() => kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`npx strata serve printed no banner within 30 s:\n${out}`));
    }, 30_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const endpoint = /endpoint:\s+(http:\/\/\S+)/.exec(out)?.[1];
      if (endpoint !== undefined && /backend:.*\n/.test(out)) {
        clearTimeout(timer);
        resolve({ endpoint, output: () => out, stop });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`npx strata serve exited with ${code}:\n${out}`));
    });
  });
}
