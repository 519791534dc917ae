/**
 * Reads a browser-based upload's multipart/form-data body (RFC 7578) up to its file: the fields before the file
 * are collected (S3 caps them at 20 KB, "Browser-Based Uploads Using POST",
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-UsingHTTPPOST.html), the file itself is handed on as a
 * stream, never buffered. S3 requires the file to be the last field; fields after it are ignored.
 *
 * The multipart framing is parsed by busboy, a streaming parser that holds back only a boundary's length.
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import busboy from 'busboy';
import { S3Error } from '../s3-errors.ts';

/** The fields before the file (names lower-cased) and the file as a stream. */
export interface PostForm {
  fields: Map<string, string>;
  file: Readable;
  /** The file part's filename (for `${filename}` in the key). */
  filename: string;
  /** The file part's own Content-Type, if it has one. */
  fileContentType: string | undefined;
}

/** S3's limit on the form fields before the file. */
export const MAX_POST_FIELDS_BYTES = 20 * 1024;

const malformed = (cause?: unknown) =>
  new S3Error('MalformedPOSTRequest', 'The body of your POST request is not well-formed multipart/form-data.', cause === undefined ? {} : { cause });

/**
 * Parses the request up to the file part. Rejects with PreconditionFailed for a body that is not
 * multipart/form-data, MalformedPOSTRequest for broken framing, MaxPostPreDataLengthExceeded-style
 * InvalidArgument for oversized fields, and InvalidArgument when the form holds no file.
 */
export function readPostForm(raw: IncomingMessage, headers: IncomingHttpHeaders): Promise<PostForm> {
  const contentType = headers['content-type'] ?? '';
  if (!/^multipart\/form-data\s*;/i.test(contentType)) {
    return Promise.reject(new S3Error('PreconditionFailed', 'Bucket POST must be of the enclosure-type multipart/form-data', { extra: { Condition: 'Bucket POST must be of the enclosure-type multipart/form-data' } }));
  }
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers, limits: { fieldSize: MAX_POST_FIELDS_BYTES, fieldNameSize: 1024, files: 1, fields: 1000 }, preservePath: true });
    } catch (cause) {
      reject(malformed(cause));
      return;
    }
    const fields = new Map<string, string>();
    let fieldBytes = 0;
    let settled = false;
    const fail = (e: S3Error) => {
      if (settled) return;
      settled = true;
      raw.unpipe(parser);
      reject(e);
    };
    parser.on('field', (name, value, info) => {
      if (settled) return; // after the file: ignored, as S3 does
      fieldBytes += name.length + value.length;
      if (info.valueTruncated || fieldBytes > MAX_POST_FIELDS_BYTES) {
        fail(new S3Error('InvalidArgument', 'Your POST request fields preceding the upload file were too large.', { extra: { ArgumentName: name } }));
        return;
      }
      // A repeated field keeps its first value.
      const key = name.toLowerCase();
      if (!fields.has(key)) fields.set(key, value);
    });
    parser.on('file', (_name, stream, info) => {
      if (settled) {
        stream.resume();
        return;
      }
      settled = true;
      resolve({ fields, file: stream, filename: info.filename ?? '', fileContentType: info.mimeType || undefined });
    });
    parser.on('error', (cause) => fail(malformed(cause)));
    parser.on('close', () => fail(new S3Error('InvalidArgument', 'POST requires exactly one file upload per request.', { extra: { ArgumentName: 'file', ArgumentValue: '0' } })));
    raw.on('error', (cause) => fail(malformed(cause)));
    raw.pipe(parser);
  });
}
