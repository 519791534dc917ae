/**
 * The body of a request exactly as the AWS SDK would send it, without sending it: the command runs through
 * the client's middleware up to the `build` step (parameters validated, the XML or JSON serialized), where a
 * middleware of its own takes the request and stops. Nothing is signed (signing is a later step,
 * `finalizeRequest`), nothing leaves the browser. The settings forms show this beside themselves, so what the
 * user reads is what the server will receive, byte for byte, not a second serializer's idea of it.
 * (Middleware steps: https://docs.aws.amazon.com/sdk-for-javascript/v3/developer-guide/middleware-stack.html)
 */
import type { S3Client } from '@aws-sdk/client-s3';

/** The request a preview stopped with. */
class Captured extends Error {
  constructor(readonly body: string) {
    super('request captured for preview');
  }
}

/** Something the SDK can send and whose middleware stack takes one more middleware. */
interface PreviewableCommand {
  middlewareStack: {
    add(
      middleware: (next: unknown) => (args: { request: unknown }) => Promise<never>,
      options: { step: 'build'; name: string; priority: 'high' },
    ): void;
  };
}

const textOf = (body: unknown): string => {
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return new TextDecoder().decode(body);
  return body === undefined || body === null ? '' : String(body);
};

/**
 * The body `command` would carry. Rejects with the SDK's own error when the input is not valid for the
 * command (a required member missing), which the forms show as they show a server's error.
 */
export async function requestBodyOf(client: S3Client, command: PreviewableCommand): Promise<string> {
  command.middlewareStack.add(
    () => async (args) => {
      throw new Captured(textOf((args.request as { body?: unknown }).body));
    },
    { step: 'build', name: 'consoleRequestPreview', priority: 'high' },
  );
  try {
    await client.send(command as Parameters<S3Client['send']>[0]);
  } catch (e) {
    if (e instanceof Captured) return e.body;
    throw e;
  }
  throw new Error('The request was not built.');
}
