/**
 * Facts about declarations that exist only at the type level, read with the TypeScript compiler API: the
 * members of a string-literal union (`StorageErrorReason` has no runtime list) and which entries of an object
 * literal carry a doc comment (the error registry documents each code in TSDoc as well as in data).
 */
import ts from 'typescript';
import { createProgram } from './public-exports.ts';

function sourceOf(program: ts.Program, file: string): ts.SourceFile {
  const source = program.getSourceFile(file);
  if (source === undefined) throw new Error(`not in the program: ${file}`);
  return source;
}

/** The string literals of the union type alias `typeName` declared in `file`, in declaration order. */
export function unionLiterals(root: string, file: string, typeName: string): string[] {
  const program = createProgram(root, [file]);
  const checker = program.getTypeChecker();
  const alias = sourceOf(program, file).statements.find((s): s is ts.TypeAliasDeclaration => ts.isTypeAliasDeclaration(s) && s.name.text === typeName);
  if (alias === undefined) throw new Error(`no type alias ${typeName} in ${file}`);
  const type = checker.getTypeAtLocation(alias.name);
  const members = type.isUnion() ? type.types : [type];
  return members.map((t) => {
    if (!t.isStringLiteral()) throw new Error(`${typeName} has a member that is not a string literal: ${checker.typeToString(t)}`);
    return t.value;
  });
}

/** One entry of an object literal and whether a `/** … *\/` comment precedes it. */
export interface PropertyDoc {
  /** The property name. */
  name: string;
  /** The comment's text, or `undefined` when the entry has none. */
  doc: string | undefined;
}

/**
 * The entries of the object literal initialising `const constName` in `file` (through `as const` and
 * `satisfies`), each with its doc comment.
 */
export function objectLiteralDocs(root: string, file: string, constName: string): PropertyDoc[] {
  const program = createProgram(root, [file]);
  program.getTypeChecker(); // binds the files: JSDoc lookups walk parent pointers the binder sets
  const source = sourceOf(program, file);
  let literal: ts.ObjectLiteralExpression | undefined;
  for (const statement of source.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    for (const declaration of statement.declarationList.declarations) {
      if (!ts.isIdentifier(declaration.name) || declaration.name.text !== constName) continue;
      let init = declaration.initializer;
      while (init !== undefined && (ts.isAsExpression(init) || ts.isSatisfiesExpression(init) || ts.isParenthesizedExpression(init))) init = init.expression;
      if (init !== undefined && ts.isObjectLiteralExpression(init)) literal = init;
    }
  }
  if (literal === undefined) throw new Error(`no object literal const ${constName} in ${file}`);
  return literal.properties.map((property) => {
    const name = property.name !== undefined && (ts.isIdentifier(property.name) || ts.isStringLiteral(property.name)) ? property.name.text : property.getText(source);
    const docs = ts.getJSDocCommentsAndTags(property).filter(ts.isJSDoc);
    const text = docs.map((d) => (typeof d.comment === 'string' ? d.comment : (d.comment ?? []).map((c) => c.text).join(''))).join('\n').trim();
    return { name, doc: text.length > 0 ? text : undefined };
  });
}
