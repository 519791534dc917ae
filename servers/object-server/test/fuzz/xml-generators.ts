/**
 * XML request bodies for the server's XML operations — DeleteObjects (`Delete`), CompleteMultipartUpload,
 * Put{Object,Bucket}Tagging (`Tagging`), PutBucketCors (`CORSConfiguration`) — in two families:
 *
 * - {@link xmlDocument}: well-formed documents shaped like the schema, with random values (escapes, character
 *   references valid and not, unicode), missing, repeated, unknown and misplaced elements, comments, CDATA,
 *   namespaces, deep nesting and oversized text;
 * - {@link malformedXml}: documents that are not well-formed XML by construction (cut short, a mismatched end
 *   tag, two roots, a DTD or entity declaration, an undefined entity, stray `<`), which S3 answers
 *   MalformedXML (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList).
 */
import fc from 'fast-check';

/** The roots the XML operations expect. */
export const XML_ROOTS = ['Delete', 'CompleteMultipartUpload', 'Tagging', 'CORSConfiguration'] as const;

/** Text content: plain, escaped, references valid and not, unicode, whitespace, control characters. */
const text: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.stringMatching(/^[A-Za-z0-9 ._/-]{0,20}$/), weight: 6 },
  { arbitrary: fc.constantFrom('&amp;', '&lt;', '&gt;', '&quot;', '&apos;', '&#65;', '&#x1F642;', '&#13;', '&#0;', '&#xD800;', '&#x110000;', '&#99999999999;', '&#x;', '&#;', ']]>'), weight: 3 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 10 }).map((s) => s.replace(/[<&]/g, '')), weight: 2 },
  { arbitrary: fc.constantFrom('', ' ', '\t\n', '../x', '..', 'a//b', '%2F', '.strata-self', '1', '-1', '10001', 'true', '"etag"'), weight: 3 },
  { arbitrary: fc.constant('<![CDATA[<Key>x</Key>]]>'), weight: 1 },
  { arbitrary: fc.integer({ min: 1000, max: 300_000 }).map((n) => 'k'.repeat(n)), weight: 1 },
);

/** Element names of every schema, so a child of one document may land in another. */
const elementName = fc.oneof(
  { arbitrary: fc.constantFrom('Object', 'Key', 'VersionId', 'Quiet', 'Part', 'PartNumber', 'ETag', 'ChecksumCRC32', 'ChecksumSHA256', 'TagSet', 'Tag', 'Value', 'CORSRule', 'AllowedOrigin', 'AllowedMethod', 'AllowedHeader', 'ExposeHeader', 'MaxAgeSeconds', 'ID'), weight: 8 },
  { arbitrary: fc.constantFrom('s3:Key', 'x:Object', 'Unknown', 'key', '_', 'a.b-c'), weight: 1 },
);

/** An element tree of bounded size, names from the schemas, text at the leaves. */
const element: fc.Arbitrary<string> = fc.letrec<{ node: string }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.tuple(elementName, text).map(([n, t]) => `<${n}>${t}</${n}>`),
    fc.tuple(elementName, fc.array(tie('node'), { maxLength: 4 })).map(([n, kids]) => `<${n}>${kids.join('')}</${n}>`),
    elementName.map((n) => `<${n}/>`),
    fc.constantFrom('<!-- a comment -->', '<?pi data?>', '  \n  '),
  ),
})).node;

/** A schema-shaped child list for each root, with random values. */
const shapedChildren: Record<(typeof XML_ROOTS)[number], fc.Arbitrary<string>> = {
  Delete: fc
    .tuple(fc.option(fc.constantFrom('true', 'false', 'TRUE', 'maybe'), { nil: undefined }), fc.array(text, { maxLength: 6 }))
    .map(([quiet, keys]) => `${quiet === undefined ? '' : `<Quiet>${quiet}</Quiet>`}${keys.map((k) => `<Object><Key>${k}</Key></Object>`).join('')}`),
  CompleteMultipartUpload: fc
    .array(fc.tuple(fc.constantFrom('1', '2', '0', '10001', '-1', 'x', ' 1 '), text), { maxLength: 5 })
    .map((parts) => parts.map(([n, etag]) => `<Part><PartNumber>${n}</PartNumber><ETag>${etag}</ETag></Part>`).join('')),
  Tagging: fc
    .array(fc.tuple(text, text), { maxLength: 12 })
    .map((tags) => `<TagSet>${tags.map(([k, v]) => `<Tag><Key>${k}</Key><Value>${v}</Value></Tag>`).join('')}</TagSet>`),
  CORSConfiguration: fc
    .array(fc.tuple(fc.array(text, { maxLength: 2 }), fc.array(fc.constantFrom('GET', 'PUT', 'BREW', 'get', ''), { maxLength: 3 }), fc.option(text, { nil: undefined })), { maxLength: 3 })
    .map((rules) =>
      rules
        .map(([origins, methods, maxAge]) => `<CORSRule>${origins.map((o) => `<AllowedOrigin>${o}</AllowedOrigin>`).join('')}${methods.map((m) => `<AllowedMethod>${m}</AllowedMethod>`).join('')}${maxAge === undefined ? '' : `<MaxAgeSeconds>${maxAge}</MaxAgeSeconds>`}</CORSRule>`)
        .join(''),
    ),
};

const prolog = fc.constantFrom('', '<?xml version="1.0" encoding="UTF-8"?>\n', '<?xml version="1.0"?>', '\ufeff', '\ufeff<?xml version="1.0" encoding="UTF-8"?>', '<?xml version="1.1" encoding="ISO-8859-1"?>');
const rootAttributes = fc.constantFrom('', ' xmlns="http://s3.amazonaws.com/doc/2006-03-01/"', ' xmlns:x="urn:x"', ' a="1"');

/** Well-formed documents for `root` (or, now and then, another root). */
export function xmlDocument(root: (typeof XML_ROOTS)[number]): fc.Arbitrary<string> {
  const name = fc.oneof({ arbitrary: fc.constant<string>(root), weight: 8 }, { arbitrary: fc.constantFrom<string>(...XML_ROOTS, 'delete', 'Error'), weight: 1 });
  const children = fc.oneof(
    { arbitrary: shapedChildren[root], weight: 6 },
    { arbitrary: fc.array(element, { maxLength: 5 }).map((e) => e.join('')), weight: 2 },
    { arbitrary: fc.integer({ min: 100, max: 20_000 }).map((depth) => `${'<Object>'.repeat(depth)}${'</Object>'.repeat(depth)}`), weight: 1 },
  );
  return fc.tuple(prolog, name, rootAttributes, children).map(([p, n, a, c]) => `${p}<${n}${a}>${c}</${n}>`);
}

/** Documents that are not well-formed, built from a well-formed one for `root`. */
export function malformedXml(root: (typeof XML_ROOTS)[number]): fc.Arbitrary<string> {
  const doc = xmlDocument(root);
  return fc.oneof(
    // Any strict prefix of a document leaves its root unclosed.
    fc.tuple(doc, fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true })).map(([d, at]) => d.slice(0, Math.floor(at * d.length))),
    doc.map((d) => d.replace(/<\/([^>]+)>$/, '</$1x>')),
    doc.map((d) => `${d}${d}`),
    doc.map((d) => d.replace(/>/, '><')),
    fc.constantFrom(
      `<?xml version="1.0"?><!DOCTYPE ${root} [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><${root}>&b;</${root}>`,
      `<!DOCTYPE ${root} SYSTEM "file:///etc/passwd"><${root}/>`,
      `<${root}><Key>&undefined;</Key></${root}>`,
      `<${root}><Key>a & b</Key></${root}>`,
      `<${root}><Key>a < b</Key></${root}>`,
      `<${root} a="1" a="2"></${root}>`,
      `<${root}></${root.toLowerCase()}>`,
      `<${root}>`,
      '<',
      '<>',
      'not xml at all',
      '{"Objects":[{"Key":"a"}]}',
    ),
  );
}
