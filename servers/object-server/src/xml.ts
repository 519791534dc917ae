/**
 * The one XML serializer of the server and the one guarded XML parser for request bodies.
 *
 * Handlers return plain data ({@link XmlDocument}); {@link toXml} writes it in S3's shape: the root element
 * carries the 2006-03-01 namespace, arrays become repeated elements, dates are ISO 8601 with milliseconds
 * (as in every S3 response body, e.g. https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html).
 *
 * {@link parseXml} reads DeleteObjects, CompleteMultipartUpload, Tagging and CORS bodies. It refuses DTDs and
 * entity declarations outright (no entity expansion, no XXE) and decodes only the five predefined entities and
 * numeric character references itself, so `&amp;` in a key arrives as `&` and nothing else expands.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { S3Error } from './s3-errors.ts';

/** The S3 XML namespace. */
export const S3_XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';

/** A value the serializer writes: text, a nested element, or a repeated element (array). */
export type XmlValue = string | number | boolean | Date | bigint | XmlObject | XmlValue[] | undefined | null;

/**
 * An element's children by name, written in insertion order; `undefined`/`null` children are omitted.
 * A name starting with `@` is written as an attribute of the element instead (e.g. `'@xsi:type'`).
 */
export interface XmlObject {
  [name: string]: XmlValue;
}

/** A whole response document: the root element's name and its children. */
export interface XmlDocument {
  root: string;
  /** The root's children, or its text (GetBucketLocation's root holds only text). */
  body: XmlObject | string;
  /** Omit the xmlns attribute (S3 omits it on error documents). */
  noNamespace?: boolean;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\r': '&#13;' };

/**
 * Escapes text for element content. CR is written as a reference so XML's line-end normalization keeps it.
 * The other C0 controls but TAB and LF (which keys may hold, and XML 1.0 cannot) are written as character
 * references such as `&#x1;`, as S3 writes them in listings: the AWS SDKs decode them back to the exact key.
 */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"'\r\x00-\x08\x0b\x0c\x0e-\x1f]/g, (c) => ESCAPES[c] ?? `&#x${c.charCodeAt(0).toString(16).toUpperCase()};`);
}

function text(value: string | number | boolean | Date | bigint): string {
  if (value instanceof Date) return value.toISOString();
  return escapeXml(String(value));
}

function writeElement(name: string, value: XmlValue, out: string[]): void {
  if (value === undefined || value === null) return;
  if (Array.isArray(value)) {
    for (const v of value) writeElement(name, v, out);
    return;
  }
  if (typeof value === 'object' && !(value instanceof Date)) {
    const entries = Object.entries(value);
    const attrs = entries.filter(([k, v]) => k.startsWith('@') && v !== undefined && v !== null);
    out.push(`<${name}${attrs.map(([k, v]) => ` ${k.slice(1)}="${escapeXml(String(v))}"`).join('')}>`);
    for (const [child, v] of entries) if (!child.startsWith('@')) writeElement(child, v, out);
    out.push(`</${name}>`);
    return;
  }
  out.push(`<${name}>${text(value)}</${name}>`);
}

/** Serializes a document with the XML declaration and S3's namespace on the root. */
export function toXml(doc: XmlDocument): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>\n'];
  out.push(doc.noNamespace ? `<${doc.root}>` : `<${doc.root} xmlns="${S3_XMLNS}">`);
  if (typeof doc.body === 'string') out.push(escapeXml(doc.body));
  else for (const [name, value] of Object.entries(doc.body)) writeElement(name, value, out);
  out.push(`</${doc.root}>`);
  return out.join('');
}

/** Decodes the five predefined XML entities and numeric character references; anything else is malformed. */
export function decodeEntities(value: string): string {
  return value.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (_, ref: string) => {
    if (ref.startsWith('#x')) return String.fromCodePoint(parseInt(ref.slice(2), 16));
    if (ref.startsWith('#')) return String.fromCodePoint(parseInt(ref.slice(1), 10));
    const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
    const v = named[ref];
    if (v === undefined) throw new S3Error('MalformedXML', `Unknown entity &${ref};`);
    return v;
  });
}

/** A parsed element: text, or children by name (repeated children become arrays). */
export type ParsedXml = string | { [name: string]: ParsedXml | ParsedXml[] };

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  processEntities: false,
  trimValues: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  tagValueProcessor: (_name, value) => decodeEntities(value),
});

/**
 * Parses a request body. Throws `MalformedXML` for anything that is not well-formed, for DTDs and entity
 * declarations, and when the root element is not `expectedRoot`. Returns the root's children.
 */
export function parseXml(body: string, expectedRoot: string): Record<string, ParsedXml | ParsedXml[]> {
  if (/<!DOCTYPE|<!ENTITY/i.test(body)) throw new S3Error('MalformedXML', 'DTDs and entity declarations are not allowed');
  if (body.trim() === '' || XMLValidator.validate(body) !== true) throw new S3Error('MalformedXML');
  let parsed: unknown;
  try {
    parsed = parser.parse(body);
  } catch (cause) {
    throw new S3Error('MalformedXML', undefined, { cause });
  }
  const root = (parsed as Record<string, unknown>)[expectedRoot];
  if (root === undefined) throw new S3Error('MalformedXML', `The root element must be ${expectedRoot}`);
  if (typeof root === 'string') {
    if (root.trim() !== '') throw new S3Error('MalformedXML');
    return {};
  }
  return root as Record<string, ParsedXml | ParsedXml[]>;
}

/** The children named `name` as an array (one child or many). Whitespace-only text nodes are dropped. */
export function children(node: ParsedXml | ParsedXml[] | undefined, name: string): ParsedXml[] {
  if (node === undefined || typeof node === 'string' || Array.isArray(node)) return [];
  const v = node[name];
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

/** The text of child `name`, or undefined when absent; an element child is malformed here. */
export function childText(node: ParsedXml | ParsedXml[] | undefined, name: string): string | undefined {
  const [first] = children(node, name);
  if (first === undefined) return undefined;
  if (typeof first === 'string') return first;
  // An empty element `<Key></Key>` parses as an empty string, but `<Key/>` may parse as an empty object.
  if (Object.keys(first).length === 0) return '';
  throw new S3Error('MalformedXML', `Element ${name} must contain text`);
}
