/** A progress bar on stderr (a plain line per step when stderr is not a terminal, e.g. in CI logs). */

/** Creates a bar for `total` steps. */
export function createProgress(total: number, stream: NodeJS.WriteStream = process.stderr) {
  let done = 0;
  const started = Date.now();
  const width = 30;
  return {
    step(label: string): void {
      done = Math.min(total, done + 1);
      const frac = total ? done / total : 1;
      const filled = Math.round(frac * width);
      const secs = ((Date.now() - started) / 1000).toFixed(0);
      const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${secs}s ${label}`;
      if (stream.isTTY) stream.write(`\r\x1b[2K${line.slice(0, (stream.columns ?? 100) - 1)}`);
      else stream.write(`${line}\n`);
    },
    finish(): void {
      if (stream.isTTY) stream.write('\n');
    },
  };
}
