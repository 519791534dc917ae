/**
 * docker-compose.yml cannot run here (no Docker engine), so this checks what it names: the Dockerfile and
 * the files it starts exist, the strata command lines it passes are ones `strata serve` accepts, ports are
 * well-formed and distinct, and images are pinned. The `ceph` profile's cluster runs docker/ceph/entrypoint.sh,
 * which must pass `bash -n` and write the ceph.conf scripts/ceph/config.mjs writes (test/ceph runs it for real).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderCephConf } from '../../../scripts/ceph/config.mjs';
import { parseServeArgs } from '../src/cli.ts';

/** The parts of a compose service these checks read. */
interface ComposeService {
  profiles?: string[];
  build?: { context: string; dockerfile: string };
  image?: string;
  entrypoint?: string[];
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const compose = parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, ComposeService>;
};
const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');

describe('docker-compose.yml', () => {
  it('starts the object server and MinIO by default; the ceph profile adds Ceph and a Strata gateway over it', () => {
    const byProfile = (profile: string | undefined) =>
      Object.entries(compose.services).filter(([, svc]) => svc.profiles?.[0] === profile).map(([name]) => name).sort();
    expect(byProfile(undefined)).toEqual(['minio', 'strata']);
    expect(byProfile('ceph')).toEqual(['ceph', 'strata-ceph']);
    for (const svc of Object.values(compose.services)) expect(svc.profiles ?? [], 'one profile at most').toHaveLength(svc.profiles ? 1 : 0);
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

describe('docker-compose.yml, the ceph profile', () => {
  const ceph = compose.services.ceph!;
  const gateway = compose.services['strata-ceph']!;
  const env = ceph.environment ?? {};
  /** The host directory mounted where the entrypoint is, and the script in it. */
  const mount = (ceph.volumes ?? []).map((v) => v.split(':')).find(([, target]) => ceph.entrypoint?.[1]?.startsWith(`${target}/`));
  const script = mount ? path.join(root, mount[0]!, path.basename(ceph.entrypoint![1]!)) : '';
  const printConf = (vars: Record<string, string>) => spawnSync('bash', [script, '--print-conf'], { env: { PATH: process.env.PATH, ...vars }, encoding: 'utf8' });
  /** A ceph.conf as section → key → value. */
  const sections = (text: string) => {
    const out: Record<string, Record<string, string>> = {};
    let section = '';
    for (const line of text.split('\n').filter(Boolean)) {
      const header = /^\[(.+)\]$/.exec(line);
      if (header) out[(section = header[1]!)] = {};
      else out[section]![line.slice(0, line.indexOf(' = '))] = line.slice(line.indexOf(' = ') + 3);
    }
    return out;
  };

  it('runs Ceph 16.2 (Pacific, as Debian packages it for scripts/ceph) with an entrypoint from this repository that bash accepts', () => {
    expect(ceph.image).toMatch(/^quay\.io\/ceph\/ceph:v16\.2\.\d+$/);
    expect(ceph.entrypoint?.[0]).toBe('bash');
    expect(mount?.[2]).toBe('ro');
    expect(existsSync(script)).toBe(true);
    const syntax = spawnSync('bash', ['-n', script], { encoding: 'utf8' });
    expect(syntax.stderr).toBe('');
    expect(syntax.status).toBe(0);
  });

  it('writes the ceph.conf scripts/ceph/config.mjs writes, except that the gateway listens on every interface', () => {
    const dir = '/var/lib/strata-ceph';
    const ports = { mon: 3300, rgw: Number(env.CEPH_RGW_PORT), bindMin: 6800, bindMax: 6821 };
    const printed = printConf({ ...env, CEPH_DIR: dir, CEPH_FSID: 'fsid-1' });
    expect(printed.status, printed.stderr).toBe(0);
    const expected = sections(renderCephConf({ dir, ports, fsid: 'fsid-1' }));
    expected['client.rgw.r']!['rgw frontends'] = `beast endpoint=0.0.0.0:${ports.rgw} tcp_nodelay=1`;
    expect(sections(printed.stdout)).toEqual(expected);
    // The same text, section and key order included, for the values cluster.mjs starts the daemons with.
    const local = printConf({ CEPH_DIR: '/tmp/c', CEPH_FSID: 'f', CEPH_RGW_HOST: '127.0.0.1', CEPH_RGW_PORT: '20001', CEPH_MON_PORT: '20000', CEPH_BIND_MIN: '20002', CEPH_BIND_MAX: '20023' });
    expect(local.stdout).toBe(renderCephConf({ dir: '/tmp/c', ports: { mon: 20000, rgw: 20001, bindMin: 20002, bindMax: 20023 }, fsid: 'f' }));
  });

  it('publishes the gateway port the entrypoint listens on, and is healthy once the entrypoint marks the cluster ready', () => {
    expect(ceph.ports).toEqual([`9300:${env.CEPH_RGW_PORT}`]);
    const source = readFileSync(script, 'utf8');
    const dir = /^CEPH_DIR=\$\{CEPH_DIR:-(\S+)\}$/m.exec(source)?.[1];
    expect(source).toContain('touch "$CEPH_DIR/ready"');
    expect(ceph.healthcheck?.test).toEqual(['CMD', 'test', '-f', `${dir}/ready`]);
    expect(env.CEPH_ACCESS_KEY).toBeTruthy();
    expect(env.CEPH_SECRET_KEY).toBeTruthy();
  });

  it('passes strata-ceph a command line `strata serve` accepts, on the ceph service with its user and bucket', () => {
    const [command, ...args] = gateway.command ?? [];
    expect(command).toBe('serve');
    const config = parseServeArgs(args, gateway.environment ?? {});
    expect(config.backend).toBe('s3');
    expect(config.upstream).toEqual({
      url: `http://ceph:${env.CEPH_RGW_PORT}`,
      bucket: env.CEPH_BUCKET,
      prefix: '',
      region: 'us-east-1',
      credentials: { accessKeyId: env.CEPH_ACCESS_KEY, secretAccessKey: env.CEPH_SECRET_KEY },
    });
    expect(config.host).toBe('0.0.0.0');
    expect(config.accessKey).not.toBe('strata');
    expect(gateway.ports).toEqual([`9200:${config.port}`]);
    expect(gateway.build).toEqual(compose.services.strata?.build);
    expect(gateway.depends_on).toEqual({ ceph: { condition: 'service_healthy' } });
  });
});
