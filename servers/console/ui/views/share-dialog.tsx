/**
 * The share dialog: a presigned GET link to one object with a chosen expiry (up to 7 days, SigV4's limit),
 * signed in the browser, and a button that copies it. The link works for anyone who has it until it expires;
 * the dialog says so.
 */
import { useEffect, useState } from 'preact/hooks';
import { Modal } from '../components/modal.tsx';
import { useConsole } from '../console-context.ts';
import { describeError } from '../errors.ts';
import { EXPIRY_CHOICES, shareLink } from '../s3/share.ts';

/** Props of {@link ShareDialog}. */
export interface ShareDialogProps {
  bucket: string;
  objectKey: string;
  onClose: () => void;
}

/** Copies text with the Clipboard API, else by selecting it in `fallback` and the older copy command. */
async function copyText(text: string, fallback: HTMLInputElement | null): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    fallback?.select();
    if (!document.execCommand('copy')) throw new Error('the browser did not allow copying: select the link and copy it');
  }
}

/** The share dialog of one object. */
export function ShareDialog({ bucket, objectKey, onClose }: ShareDialogProps) {
  const { client } = useConsole();
  const [seconds, setSeconds] = useState(3600);
  const [link, setLink] = useState<string>();
  const [error, setError] = useState<string>();
  const [copied, setCopied] = useState(false);
  const [input, setInput] = useState<HTMLInputElement | null>(null);

  useEffect(() => {
    let current = true;
    setCopied(false);
    setLink(undefined);
    shareLink(client, bucket, objectKey, seconds).then(
      (url) => current && setLink(url),
      (e: unknown) => current && setError(describeError(e)),
    );
    return () => {
      current = false;
    };
  }, [client, bucket, objectKey, seconds]);

  const expires = new Date(Date.now() + seconds * 1000);
  return (
    <Modal title="Share a link" onClose={onClose}>
      <div class="modal-body share">
        <p>
          Anyone with this link can download <strong class="key">{objectKey}</strong> until it expires.
        </p>
        <label for="share-expiry">Expires after</label>
        <select id="share-expiry" value={String(seconds)} onChange={(e) => setSeconds(Number(e.currentTarget.value))}>
          {EXPIRY_CHOICES.map((c) => (
            <option key={c.seconds} value={String(c.seconds)}>
              {c.label}
            </option>
          ))}
        </select>
        <p class="muted">Valid until {expires.toLocaleString()}.</p>
        <label for="share-link">Link</label>
        <div class="copy-row">
          <input id="share-link" ref={setInput} readOnly value={link ?? ''} placeholder="Signing…" onFocus={(e) => e.currentTarget.select()} />
          <button
            type="button"
            class="primary"
            disabled={link === undefined}
            onClick={() => link && void copyText(link, input).then(() => setCopied(true), (e: unknown) => setError(describeError(e)))}
          >
            Copy link
          </button>
        </div>
        <p role="status" class="muted">
          {copied ? 'Link copied to the clipboard.' : ''}
        </p>
        {error && (
          <p class="form-error" role="alert">
            {error}
          </p>
        )}
      </div>
    </Modal>
  );
}
