/**
 * The document beside each settings form: the request body the AWS SDK would send for the form as it stands
 * (ui/s3/request-preview.ts builds it without sending), recomputed as the form changes, or the reason the form
 * cannot be sent yet.
 */
import { useEffect, useState } from 'preact/hooks';
import { useConsole } from '../../console-context.ts';
import { describeError } from '../../errors.ts';
import { requestBodyOf } from '../../s3/request-preview.ts';

/** What a form would send: a command, or why there is none. */
export type Sendable = { command: Parameters<typeof requestBodyOf>[1] } | { problem: string };

/** The body of the request `build()` makes, kept current with `inputs`. */
export function useRequestPreview(build: () => Sendable, inputs: readonly unknown[]): { body?: string; problem?: string } {
  const { client } = useConsole();
  const [preview, setPreview] = useState<{ body?: string; problem?: string }>({});
  useEffect(() => {
    let current = true;
    const made = build();
    if ('problem' in made) setPreview({ problem: made.problem });
    else {
      requestBodyOf(client, made.command).then(
        (body) => current && setPreview({ body }),
        (e: unknown) => current && setPreview({ problem: describeError(e) }),
      );
    }
    return () => {
      current = false;
    };
    // `inputs` are the dependencies, as with useEffect; `build` is a new closure on every render.
  }, [client, ...inputs]);
  return preview;
}

/** Props of {@link RequestPreview}. */
export interface RequestPreviewProps {
  /** The S3 action, e.g. `PutBucketCors`. */
  action: string;
  /** `XML` or `JSON`. */
  format: string;
  preview: { body?: string; problem?: string };
}

/** The request body as the server will receive it, in a focusable, scrollable region. */
export function RequestPreview({ action, format, preview }: RequestPreviewProps) {
  return (
    <figure class="request-preview">
      <figcaption>
        {action} request body ({format}), as the server will receive it
      </figcaption>
      {preview.problem !== undefined ? (
        <p class="muted">Nothing to send yet: {preview.problem}</p>
      ) : (
        // Focusable so keyboard users can scroll a long document (WCAG 2.1.1; axe "scrollable-region-focusable").
        <pre tabIndex={0} aria-label={`${action} request body`} data-format={format.toLowerCase()}>
          {preview.body ?? ''}
        </pre>
      )}
    </figure>
  );
}
