/**
 * aws-chunked bodies: the S3 documentation's signed chunked upload (seed 4f232c43…, chunks ad80c730…, 0055627c…,
 * b6c6ea8a…) and its signed-trailer variant (seed 106e2a8a…, trailer d81f82fc…), the CRT's trailer vector, the
 * SDKs' unsigned-trailer form, and every way a body can be wrong: tampered, truncated, mis-sized, mis-framed.
 */
import { describe, expect, it } from 'vitest';
import { createPayloadDecoder, deriveSigningKey, encodeAwsChunked, type AuthResult } from '../../src/auth/index.ts';
import { DOC_CREDENTIALS, docAuthenticator, runThrough, s3ErrorOf } from './helpers.ts';

const SCOPE = '20130524/us-east-1/s3/aws4_request';
const DATA = Buffer.alloc(66_560, 'a');

/** The documented chunked PUT: its request headers (seed signature) and its body. */
function docSigned(trailer: boolean) {
  const headers: Record<string, string> = {
    host: 's3.amazonaws.com',
    'x-amz-date': '20130524T000000Z',
    'x-amz-storage-class': 'REDUCED_REDUNDANCY',
    'x-amz-content-sha256': trailer ? 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER' : 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
    'content-encoding': 'aws-chunked',
    'x-amz-decoded-content-length': '66560',
  };
  let signed: string;
  let seed: string;
  let sigs: [string, string, string];
  let tail: string;
  if (trailer) {
    headers['x-amz-trailer'] = 'x-amz-checksum-crc32c';
    signed = 'content-encoding;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class;x-amz-trailer';
    seed = '106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e';
    sigs = [
      'b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2',
      '1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7',
      '2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992',
    ];
    tail = 'x-amz-checksum-crc32c:sOO8/Q==\r\nx-amz-trailer-signature:d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435\r\n\r\n';
  } else {
    headers['content-length'] = '66824';
    signed = 'content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class';
    seed = '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9';
    sigs = [
      'ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648',
      '0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497',
      'b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9',
    ];
    tail = '\r\n';
  }
  headers.authorization = `AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/${SCOPE},SignedHeaders=${signed},Signature=${seed}`;
  const body = Buffer.concat([
    Buffer.from(`10000;chunk-signature=${sigs[0]}\r\n`),
    DATA.subarray(0, 65_536),
    Buffer.from(`\r\n400;chunk-signature=${sigs[1]}\r\n`),
    DATA.subarray(65_536),
    Buffer.from(`\r\n0;chunk-signature=${sigs[2]}\r\n${tail}`),
  ]);
  const auth = docAuthenticator().authenticate({ method: 'PUT', rawUrl: '/examplebucket/chunkObject.txt', headers });
  return { headers, body, auth, seed };
}

async function decode(auth: AuthResult, headers: Record<string, string>, body: Buffer, slice?: number) {
  const decoder = createPayloadDecoder(auth, headers);
  const result = await runThrough(decoder.stream, body, slice);
  return { ...result, decoder };
}

async function errorCode(auth: AuthResult, headers: Record<string, string>, body: Buffer, slice?: number): Promise<string | undefined> {
  const { error } = await decode(auth, headers, body, slice);
  return (error as { code?: string } | undefined)?.code;
}

describe('signed chunks: the S3 documentation example', () => {
  const doc = docSigned(false);

  it('authenticates the seed and says how to read the body', () => {
    expect(doc.auth.payload).toMatchObject({ kind: 'streaming-signed', seedSignature: doc.seed, scope: SCOPE, amzDate: '20130524T000000Z', trailer: false });
    expect(doc.body.length).toBe(66_824);
  });

  for (const slice of [7, 1000, 65_537, 100_000]) {
    it(`decodes the 66560 bytes, whatever the slicing (${slice})`, async () => {
      const { output, error, decoder } = await decode(doc.auth, doc.headers, doc.body, slice);
      expect(error).toBeUndefined();
      expect(output.equals(DATA)).toBe(true);
      expect(decoder.decodedLength).toBe(66_560);
      expect(decoder.trailers()).toEqual({});
    });
  }

  it('refuses a changed data byte in either chunk, a changed signature, swapped chunks', async () => {
    for (const at of [200, 65_536 + 150, 66_700]) {
      const body = Buffer.from(doc.body);
      body[at] = 'b'.charCodeAt(0);
      expect(await errorCode(doc.auth, doc.headers, body), `byte ${at}`).toBe('SignatureDoesNotMatch');
    }
    const sig = Buffer.from(doc.body.toString('latin1').replace('0055627c', '0055627d'), 'latin1');
    expect(await errorCode(doc.auth, doc.headers, sig)).toBe('SignatureDoesNotMatch');
    const finalSig = Buffer.from(doc.body.toString('latin1').replace('b6c6ea8a', 'b6c6ea8b'), 'latin1');
    expect(await errorCode(doc.auth, doc.headers, finalSig)).toBe('SignatureDoesNotMatch');
    const noSig = Buffer.from(doc.body.toString('latin1').replace(/^10000;chunk-signature=[0-9a-f]+/, '10000'), 'latin1');
    expect(await errorCode(doc.auth, doc.headers, noSig)).toBe('SignatureDoesNotMatch');
  });

  it('refuses a body signed with another seed (wrong secret)', async () => {
    const other = { ...doc.auth, payload: { ...doc.auth.payload, signingKey: deriveSigningKey('not the secret', '20130524', 'us-east-1') } } as AuthResult;
    expect(await errorCode(other, doc.headers, doc.body)).toBe('SignatureDoesNotMatch');
  });

  it('IncompleteBody for a body cut anywhere', async () => {
    for (const cut of [1, 40, 70, 1000, 65_536 + 90, doc.body.length - 3]) {
      expect(await errorCode(doc.auth, doc.headers, doc.body.subarray(0, cut)), `cut at ${cut}`).toBe('IncompleteBody');
    }
    // Missing only the final CRLF is tolerated (some clients never send it).
    expect(await errorCode(doc.auth, doc.headers, doc.body.subarray(0, doc.body.length - 2))).toBeUndefined();
  });

  it('IncompleteBody when x-amz-decoded-content-length disagrees, either way', async () => {
    for (const n of ['66559', '66561', '0']) {
      expect(await errorCode(doc.auth, { ...doc.headers, 'x-amz-decoded-content-length': n }, doc.body), n).toBe('IncompleteBody');
    }
    expect(() => createPayloadDecoder(doc.auth, { ...doc.headers, 'x-amz-decoded-content-length': 'lots' })).toThrow(/x-amz-decoded-content-length/);
  });

  it('InvalidRequest for framing errors: bad size, data longer than its size, junk after the end, huge chunks', async () => {
    const text = doc.body.toString('latin1');
    const cases = [
      Buffer.from(text.replace(/^10000;/, 'zz;'), 'latin1'),
      Buffer.from(text.replace(/^10000;/, '0fff0;'), 'latin1'),
      Buffer.concat([doc.body, Buffer.from('extra')]),
      Buffer.from(`${'f'.repeat(5000)}\r\n`),
    ];
    for (const body of cases) expect(await errorCode(doc.auth, { ...doc.headers, 'x-amz-decoded-content-length': '66560' }, body)).toBe('InvalidRequest');
    const small = createPayloadDecoder(doc.auth, doc.headers, { maxChunkSize: 1024 });
    const { error } = await runThrough(small.stream, doc.body);
    expect((error as { code: string }).code).toBe('InvalidRequest');
  });
});

describe('signed chunks with a signed trailer', () => {
  const doc = docSigned(true);

  it('decodes the documented example and returns its CRC32C trailer', async () => {
    expect(doc.auth.payload).toMatchObject({ kind: 'streaming-signed', trailer: true, seedSignature: doc.seed });
    for (const slice of [13, 65_536]) {
      const { output, error, decoder } = await decode(doc.auth, doc.headers, doc.body, slice);
      expect(error).toBeUndefined();
      expect(output.equals(DATA)).toBe(true);
      expect(decoder.trailers()).toEqual({ 'x-amz-checksum-crc32c': 'sOO8/Q==' });
    }
  });

  it('refuses a changed trailer value or signature, and a missing trailer signature', async () => {
    const text = doc.body.toString('latin1');
    for (const body of [text.replace('sOO8/Q==', 'sOO8/A=='), text.replace('d81f82fc', 'd81f82fd'), text.replace(/x-amz-trailer-signature:[0-9a-f]+\r\n/, '')]) {
      expect(await errorCode(doc.auth, doc.headers, Buffer.from(body, 'latin1'))).toBe('SignatureDoesNotMatch');
    }
  });

  it('MalformedTrailerError when the announced trailer does not come', async () => {
    const text = doc.body.toString('latin1');
    const none = text.slice(0, text.indexOf('x-amz-checksum-crc32c')) + '\r\n';
    expect(await errorCode(doc.auth, doc.headers, Buffer.from(none, 'latin1'))).toBe('MalformedTrailerError');
  });

  it('verifies the CRT trailer vector (first/second/third after the documented final chunk)', async () => {
    const plain = docSigned(false);
    const body = Buffer.concat([
      plain.body.subarray(0, plain.body.length - 2),
      Buffer.from('first:1st\r\nsecond:2nd\r\nthird:3rd\r\nx-amz-trailer-signature:df5735bd9f3295cd9386572292562fefc93ba94e80a0a1ddcbd652c4e0a75e6c\r\n\r\n'),
    ]);
    const auth = { ...plain.auth, payload: { ...plain.auth.payload, trailer: true } } as AuthResult;
    const headers = { ...plain.headers, 'x-amz-trailer': 'first,second,third' };
    const { output, error, decoder } = await decode(auth, headers, body);
    expect(error).toBeUndefined();
    expect(output.length).toBe(66_560);
    expect(decoder.trailers()).toEqual({ first: '1st', second: '2nd', third: '3rd' });
  });

  it('round-trips encodeAwsChunked with signed chunks and trailer (random sizes)', async () => {
    const key = deriveSigningKey(DOC_CREDENTIALS.secretAccessKey, '20130524', 'us-east-1');
    const signing = { seedSignature: doc.seed, signingKey: key, scope: SCOPE, amzDate: '20130524T000000Z' };
    const chunks = [Buffer.alloc(8192, 1), Buffer.alloc(1, 2), Buffer.alloc(70_000, 3)];
    const body = encodeAwsChunked({ chunks, signing, trailers: { 'x-amz-checksum-sha256': 'n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=' } });
    const headers = { ...doc.headers, 'x-amz-trailer': 'x-amz-checksum-sha256', 'x-amz-decoded-content-length': '78193' };
    const { output, error, decoder } = await decode(doc.auth, headers, body, 999);
    expect(error).toBeUndefined();
    expect(output.equals(Buffer.concat(chunks))).toBe(true);
    expect(decoder.trailers()['x-amz-checksum-sha256']).toBe('n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=');
  });
});

describe('STREAMING-UNSIGNED-PAYLOAD-TRAILER (the SDKs default for streams)', () => {
  const auth: AuthResult = { accessKeyId: 'AK', payload: { kind: 'streaming-unsigned-trailer' }, presigned: false };
  const headers = { 'content-encoding': 'aws-chunked', 'x-amz-trailer': 'x-amz-checksum-crc32', 'x-amz-decoded-content-length': '5' };

  it('decodes hello with its CRC32 trailer, CRLF or LF line ends, with or without the final blank line', async () => {
    for (const body of [
      '5\r\nhello\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n',
      '5\r\nhello\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\n\r\n',
      '5\r\nhello\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n',
      '5\r\nhello\r\n0\r\n\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n',
      '5;ext=1\r\nhello\r\n0\r\nX-Amz-Checksum-CRC32: NhCmhg== \r\n\r\n',
    ]) {
      for (const slice of [1, 3, 64]) {
        const { output, error, decoder } = await decode(auth, headers, Buffer.from(body), slice);
        expect(error, JSON.stringify(body)).toBeUndefined();
        expect(output.toString()).toBe('hello');
        expect(decoder.trailers()).toEqual({ 'x-amz-checksum-crc32': 'NhCmhg==' });
      }
    }
  });

  it('encodeAwsChunked output decodes, several chunks', async () => {
    const chunks = [Buffer.from('hel'), Buffer.from(''), Buffer.from('lo')];
    const body = encodeAwsChunked({ chunks, trailers: { 'x-amz-checksum-crc32': 'NhCmhg==' } });
    const { output, error } = await decode(auth, headers, body, 2);
    expect(error).toBeUndefined();
    expect(output.toString()).toBe('hello');
  });

  it('refuses a missing or wrong trailer, trailing lines after the end, a truncated body, a wrong length', async () => {
    expect(await errorCode(auth, headers, Buffer.from('5\r\nhello\r\n0\r\n\r\n'))).toBe('MalformedTrailerError');
    expect(await errorCode(auth, headers, Buffer.from('5\r\nhello\r\n0\r\nx-amz-checksum-sha256:abc=\r\n\r\n'))).toBe('MalformedTrailerError');
    expect(await errorCode(auth, headers, Buffer.from('5\r\nhello\r\n0\r\nnot a header\r\n\r\n'))).toBe('MalformedTrailerError');
    expect(await errorCode(auth, headers, Buffer.from('5\r\nhello\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\nmore'))).toBe('InvalidRequest');
    expect(await errorCode(auth, headers, Buffer.from('5\r\nhel'))).toBe('IncompleteBody');
    expect(await errorCode(auth, headers, Buffer.from('5\r\nhello'))).toBe('IncompleteBody');
    expect(await errorCode(auth, headers, Buffer.from(''))).toBe('IncompleteBody');
    expect(await errorCode(auth, headers, Buffer.from('5\r\nhelloX\r\n0\r\n'))).toBe('InvalidRequest');
    expect(await errorCode(auth, { ...headers, 'x-amz-decoded-content-length': '4' }, Buffer.from('5\r\nhello\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n'))).toBe(
      'IncompleteBody',
    );
  });
});

describe('plain bodies', () => {
  it('x-amz-content-sha256 is verified: XAmzContentSHA256Mismatch on a different body', async () => {
    const hex = '44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072'; // "Welcome to Amazon S3."
    const auth: AuthResult = { accessKeyId: 'AK', payload: { kind: 'sha256', hex }, presigned: false };
    const ok = await decode(auth, {}, Buffer.from('Welcome to Amazon S3.'), 4);
    expect(ok.error).toBeUndefined();
    expect(ok.output.toString()).toBe('Welcome to Amazon S3.');
    const bad = await decode(auth, {}, Buffer.from('Welcome to Amazon S4.'), 4);
    expect((bad.error as { code: string }).code).toBe('XAmzContentSHA256Mismatch');
  });

  it('UNSIGNED-PAYLOAD passes bytes through untouched', async () => {
    const auth: AuthResult = { accessKeyId: null, payload: { kind: 'unsigned' }, presigned: true };
    const { output, error } = await decode(auth, {}, Buffer.from('0\r\n\r\nnot chunked'));
    expect(error).toBeUndefined();
    expect(output.toString()).toBe('0\r\n\r\nnot chunked');
  });

  it('s3ErrorOf helper reports non-S3 errors (sanity)', () => {
    expect(() => s3ErrorOf(() => 1)).toThrow(/nothing was thrown/);
  });
});
