/** The system line printed on every report: OS, CPU, cores, memory, Node, and the disk under the data dir. */
import { execFileSync } from 'node:child_process';
import os from 'node:os';

/** Facts about the machine a report was measured on. */
export interface SystemInfo {
  os: string;
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  disk: string;
  date: string;
}

/** Reads the system facts; `dir` names the directory whose filesystem is reported as the disk. */
export function systemInfo(dir: string): SystemInfo {
  let disk = 'unknown';
  try {
    const out = execFileSync('df', ['-hT', dir], { encoding: 'utf8' }).trim().split('\n')[1] ?? '';
    const [fs, type, size] = out.split(/\s+/);
    disk = `${type ?? '?'} ${size ?? '?'} (${fs ?? '?'})`;
  } catch {
    // df is missing on some minimal systems; the line then says unknown.
  }
  return {
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    disk,
    date: new Date().toISOString(),
  };
}

/** One line: `Linux 6.1 x64 · Intel Xeon … ×2 · 24 GiB · Node v20.20.2 · ext4 252G`. */
export function systemLine(s: SystemInfo): string {
  return `${s.os} · ${s.cpu} ×${s.cores} · ${s.memoryGiB} GiB · Node ${s.node} · disk ${s.disk} · ${s.date}`;
}
