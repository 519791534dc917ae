/**
 * `strata-block create|info|fsck <image>`: the block tools on the command line. Exit codes: 0 success,
 * 1 damage found (fsck), 2 usage or I/O error.
 */
import { parseArgs } from 'node:util';
import { createImage, fsckImage, imageInfo } from './tools.ts';

const USAGE = `usage:
  strata-block create <image> [--page-size 4096] [--pages 262144] [--journal-pages N]
  strata-block info <image> [--json]
  strata-block fsck <image> [--json]`;

/** Runs the CLI with `argv` (without node and script); returns the exit code. */
export async function runCli(argv: string[], out: (s: string) => void = (s) => process.stdout.write(s + '\n')): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { 'page-size': { type: 'string' }, pages: { type: 'string' }, 'journal-pages': { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean' } },
  });
  const [command, path] = positionals;
  if (values.help || !command || !path) {
    out(USAGE);
    return values.help ? 0 : 2;
  }
  const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  try {
    switch (command) {
      case 'create': {
        const opts: { pageSize?: number; pageCount?: number; journalPages?: number } = {};
        if (values['page-size'] !== undefined) opts.pageSize = num(values['page-size'])!;
        if (values.pages !== undefined) opts.pageCount = num(values.pages)!;
        if (values['journal-pages'] !== undefined) opts.journalPages = num(values['journal-pages'])!;
        const info = await createImage(path, opts);
        out(`created ${path}: ${info.pageCount} pages of ${info.pageSize} bytes, ${info.superblock.journalPages}-page journal`);
        return 0;
      }
      case 'info': {
        const info = await imageInfo(path);
        if (values.json) out(JSON.stringify(info, null, 2));
        else {
          out(`${path}: ${info.pageCount} pages of ${info.pageSize} bytes (generation ${info.superblock.generation})`);
          out(`objects ${info.objects} (${info.bytesStored} bytes), uploads ${info.uploads}, free pages ${info.pagesFree}`);
          out(`journal ${info.journalPagesUsed}/${info.superblock.journalPages} pages, ${info.batchesReplayed} batches to replay`);
        }
        return 0;
      }
      case 'fsck': {
        const report = await fsckImage(path);
        if (values.json) out(JSON.stringify(report, null, 2));
        else {
          for (const e of report.errors) out(`ERROR ${e}`);
          for (const n of report.notes) out(`note  ${n}`);
          out(`${report.ok ? 'clean' : 'DAMAGED'}: ${report.objects} objects, ${report.uploads} uploads, ${report.extents} extents, ${report.pagesRead} pages read, ${report.errors.length} errors`);
        }
        return report.ok ? 0 : 1;
      }
      default:
        out(USAGE);
        return 2;
    }
  } catch (e) {
    out(`error: ${(e as Error).message}`);
    return 2;
  }
}
