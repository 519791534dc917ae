/**
 * docker-compose.yml cannot run here (no Docker engine), so this checks what it names: the Dockerfile and
 * the files it starts exist, the strata command line it passes is one `strata serve` accepts, ports are
 * well-formed and distinct, and images are pinned.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseServeArgs } from '../src/cli.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const compose = parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, { build?: { context: string; dockerfile: string }; image?: string; command?: string[]; environment?: Record<string, string>; ports?: string[] }>;
};
const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');

describe('docker-compose.yml', () => {
  it('names the object server and MinIO', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['minio', 'strata']);
  });

  it('builds strata from a Dockerfile whose entrypoint is the bundle its build stage makes', () => {
    const build = compose.services.strata?.build;
    expect(build).toBeDefined();
    expect(existsSync(path.join(root, build!.context, build!.dockerfile))).toBe(true);
    expect(dockerfile).toMatch(/^FROM node:20/m);
    // The final stage runs the file the build stage's bundler writes (scripts/build-server.mjs's default
    // outfile), copied in under the entrypoint's path.
    const entry = /ENTRYPOINT \[(.*)\]/.exec(dockerfile)?.[1];
    const [node, file] = (entry ?? '').split(',').map((s) => JSON.parse(s.trim()) as string);
    expect(node).toBe('node');
    expect(dockerfile).toMatch(/^RUN .*node scripts\/build-server\.mjs/m);
    expect(existsSync(path.join(root, 'scripts', 'build-server.mjs'))).toBe(true);
    const copy = /^COPY --from=build \/app\/(\S+) (\S+)$/m.exec(dockerfile);
    expect(copy?.[1]).toBe('servers/object-server/dist/strata.mjs');
    expect(readFileSync(path.join(root, 'scripts', 'build-server.mjs'), 'utf8')).toContain("join(server, 'dist', 'strata.mjs')");
    expect(copy?.[2]).toBe(file);
  });

  it('passes strata a command line `strata serve` accepts', () => {
    const svc = compose.services.strata!;
    const [command, ...args] = svc.command ?? [];
    expect(command).toBe('serve');
    const config = parseServeArgs(args, svc.environment ?? {});
    expect(config.host).toBe('0.0.0.0');
    expect(config.port).toBe(9000);
    expect(config.accessKey).not.toBe('strata');
    expect(svc.ports).toContain(`${config.port}:${config.port}`);
  });

  it('pins the MinIO image and maps distinct host ports', () => {
    expect(compose.services.minio?.image).toMatch(/^minio\/minio:RELEASE\./);
    expect(compose.services.minio?.command?.[0]).toBe('server');
    const hostPorts = Object.values(compose.services).flatMap((s) => (s.ports ?? []).map((p) => p.split(':')[0]));
    expect(new Set(hostPorts).size).toBe(hostPorts.length);
    for (const p of hostPorts) expect(Number(p)).toBeGreaterThan(0);
  });
});
