/**
 * The README's examples are programs: every ```ts block of packages/storage/README.md runs here as its own
 * module (its `@strata/storage` import pointed at the sources), against the memory adapter, and what each
 * `console.log` prints must equal the `// → …` comment on its line. An example that stops compiling, throws,
 * or prints something else fails this test, so the documentation cannot drift from the code.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

const README = resolve(import.meta.dirname, '../README.md');
const SOURCES = resolve(import.meta.dirname, '../src/index.ts');

interface Example {
  /** 1-based line of the opening fence, for the test title. */
  line: number;
  code: string;
  /** The `// → …` expectations, one per console.log line, in order. */
  expected: string[];
}

/** The ```ts blocks of a markdown text. */
function examplesOf(markdown: string): Example[] {
  const examples: Example[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] !== '```ts') continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i] !== '```'; i++) body.push(lines[i]!);
    const expected: string[] = [];
    for (const line of body) {
      if (!line.includes('console.log(')) continue;
      const arrow = line.indexOf('// → ');
      if (arrow < 0) throw new Error(`README line ${start + 1}: a console.log without a "// → " expectation: ${line.trim()}`);
      expected.push(line.slice(arrow + '// → '.length));
    }
    examples.push({ line: start + 1, code: body.join('\n'), expected });
  }
  return examples;
}

const examples = examplesOf(await readFile(README, 'utf8'));
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'strata-readme-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('packages/storage/README.md examples', () => {
  it('has examples for the contract, exists/move/listAll, errors, content types and tracing', () => {
    expect(examples.length).toBeGreaterThanOrEqual(5);
    const all = examples.map((e) => e.code).join('\n');
    for (const api of ['.exists(', '.move(', '.listAll(', 'e.message', 'withContentTypeFromExtension', "tracingChannel<unknown, StorageTraceContext>('strata:storage:put')"]) {
      expect(all, api).toContain(api);
    }
  });

  for (const example of examples) {
    it(`the example at line ${example.line} runs and prints what its comments say`, async () => {
      const file = join(dir, `example-${example.line}.ts`);
      await writeFile(file, example.code.replaceAll("from '@strata/storage'", `from ${JSON.stringify(SOURCES)}`));
      const printed: string[] = [];
      const log = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
        printed.push(format(...args));
      });
      try {
        await import(/* @vite-ignore */ pathToFileURL(file).href);
      } finally {
        log.mockRestore();
      }
      expect(printed).toEqual(example.expected);
    });
  }
});
