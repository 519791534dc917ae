/**
 * Finds the public exports of the workspace's packages and whether each one carries TSDoc.
 *
 * Every public export has TSDoc: a reader of a package's API finds its contract where it is declared. A
 * package's public surface is what its package.json `exports` map points at; the TypeScript checker resolves
 * every `export *`, `export { x } from` and `export type *` to the declaration that actually names the symbol,
 * so a re-export is judged by the doc comment on the original declaration (the place an editor's hover shows).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/** One public entry point: a package and one `.ts` file its `exports` map names. */
export interface PublicEntry {
  /** The package name, e.g. `@strata/storage`. */
  packageName: string;
  /** The export subpath, e.g. `.` or `./testing`. */
  subpath: string;
  /** Absolute path of the entry's source file. */
  file: string;
}

/** One exported symbol of an entry and where it is declared. */
export interface ExportReport {
  /** The entry that exports it. */
  entry: PublicEntry;
  /** The exported name. */
  name: string;
  /** `path:line` of the declaration that was checked (relative to the repository root). */
  declaredAt: string;
  /** Whether a TSDoc comment with text (or at least one tag) sits on the declaration. */
  documented: boolean;
}

/** The workspace folders whose packages are public (test/* and bench are private). */
const PUBLIC_PARENTS = ['packages', 'servers'];

/**
 * Lists the public entry points under `root`: every `.ts` source (not `.d.ts`) named by the `exports` map of a
 * package in `packages/*` and `servers/*`.
 */
export function findPublicEntries(root: string): PublicEntry[] {
  const entries: PublicEntry[] = [];
  for (const parent of PUBLIC_PARENTS) {
    const dir = join(root, parent);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) {
      const manifestPath = join(dir, name, 'package.json');
      if (!existsSync(manifestPath)) continue;
      const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { name: string; exports?: unknown };
      for (const [subpath, target] of exportTargets(manifest.exports)) {
        // `.d.ts` targets are the build (dist/), generated from the `.ts` sources listed beside them.
        if (target.endsWith('.ts') && !target.endsWith('.d.ts')) entries.push({ packageName: manifest.name, subpath, file: resolve(dir, name, target) });
      }
    }
  }
  return entries;
}

/** Flattens an `exports` field (a string, a subpath map, or condition maps) to `[subpath, file]` pairs. */
function exportTargets(exportsField: unknown): Array<[string, string]> {
  if (typeof exportsField === 'string') return [['.', exportsField]];
  if (typeof exportsField !== 'object' || exportsField === null) return [];
  const pairs: Array<[string, string]> = [];
  for (const [key, value] of Object.entries(exportsField)) {
    const subpath = key.startsWith('.') ? key : '.';
    if (typeof value === 'string') pairs.push([subpath, value]);
    else for (const [, target] of exportTargets(value)) pairs.push([subpath, target]);
  }
  return pairs;
}

/** Builds one TypeScript program over `files` with the repository's `tsconfig.base.json` options. */
export function createProgram(root: string, files: string[]): ts.Program {
  const configPath = join(root, 'tsconfig.base.json');
  const config = ts.readConfigFile(configPath, (p) => ts.sys.readFile(p));
  if (config.error) throw new Error(ts.flattenDiagnosticMessageText(config.error.messageText, '\n'));
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, dirname(configPath));
  return ts.createProgram({ rootNames: files, options: { ...parsed.options, noEmit: true } });
}

/** Reports every exported symbol of every entry, documented or not, in entry then name order. */
export function reportExports(root: string, entries: PublicEntry[], program = createProgram(root, entries.map((e) => e.file))): ExportReport[] {
  const checker = program.getTypeChecker();
  const reports: ExportReport[] = [];
  for (const entry of entries) {
    const source = program.getSourceFile(entry.file);
    if (source === undefined) throw new Error(`not in the program: ${entry.file}`);
    const moduleSymbol = checker.getSymbolAtLocation(source);
    if (moduleSymbol === undefined) continue; // a file without exports has no module symbol
    for (const exported of checker.getExportsOfModule(moduleSymbol)) {
      const declarations = ownDeclarations(resolveAlias(checker, exported));
      if (declarations.length === 0) continue; // re-exported from a third-party package: not ours to document
      const documented = declarations.some(hasDocComment);
      const first = documented ? (declarations.find(hasDocComment) ?? declarations[0]!) : declarations[0]!;
      reports.push({ entry, name: exported.name, declaredAt: location(root, first), documented });
    }
  }
  return reports.sort((a, b) => a.entry.file.localeCompare(b.entry.file) || a.name.localeCompare(b.name));
}

/** Follows `export { x } from`, `import { x }; export { x }` chains to the symbol that declares the thing. */
function resolveAlias(checker: ts.TypeChecker, symbol: ts.Symbol): ts.Symbol {
  return symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
}

/** The symbol's declarations that live in this repository's sources (not node_modules, not lib files). */
function ownDeclarations(symbol: ts.Symbol): ts.Declaration[] {
  return (symbol.declarations ?? []).filter((d) => !d.getSourceFile().fileName.split(/[\\/]/).includes('node_modules'));
}

/**
 * Whether a `/** … *\/` comment with text or tags precedes the declaration. For `export const a = …` the
 * comment belongs to the variable statement, which `getJSDocCommentsAndTags` already walks up to.
 */
function hasDocComment(declaration: ts.Declaration): boolean {
  return ts.getJSDocCommentsAndTags(declaration).some((doc) => {
    if (ts.isJSDoc(doc)) return textOf(doc.comment).trim().length > 0 || (doc.tags?.length ?? 0) > 0;
    return true; // a bare tag (e.g. @deprecated) still documents the declaration
  });
}

function textOf(comment: string | ts.NodeArray<ts.JSDocComment> | undefined): string {
  if (comment === undefined) return '';
  return typeof comment === 'string' ? comment : comment.map((part) => part.text).join('');
}

function location(root: string, declaration: ts.Declaration): string {
  const file = declaration.getSourceFile();
  const { line } = file.getLineAndCharacterOfPosition(declaration.getStart(file));
  return `${relative(root, file.fileName).split(sep).join('/')}:${line + 1}`;
}
