/**
 * The upload panel: every upload of the tab with its own progress bar and status, a total progress bar, and
 * per-file pause, resume, retry (of the failed parts) and cancel. It stays open across pages while uploads
 * run, and can be collapsed.
 */
import { useState } from 'preact/hooks';
import { useConsole } from '../console-context.ts';
import { formatBytes } from '../format.ts';
import { useSubscription } from '../hooks.ts';
import type { FileUpload } from '../upload/file-upload.ts';

const STATUS_TEXT: Record<FileUpload['status'], string> = {
  queued: 'Waiting',
  uploading: 'Uploading',
  paused: 'Paused',
  failed: 'Failed',
  done: 'Done',
  cancelled: 'Cancelled',
};

/** A progress bar with its accessible name; `<progress>` is announced with its percentage. */
function Progress({ label, done, total }: { label: string; done: number; total: number }) {
  return <progress aria-label={label} max={Math.max(total, 1)} value={total === 0 ? 1 : done} />;
}

/** One upload's row. */
function UploadRow({ upload, onResume }: { upload: FileUpload; onResume: () => void }) {
  const parts = upload.parts;
  const detail = upload.status === 'failed' ? upload.error : parts.total > 1 ? `part ${parts.done} of ${parts.total}` : undefined;
  return (
    <li class={`upload upload-${upload.status}`} data-status={upload.status}>
      <div class="upload-line">
        <span class="upload-name" title={upload.key}>
          {upload.key}
        </span>
        <span class="upload-size">
          {formatBytes(upload.uploadedBytes)} / {formatBytes(upload.size)}
        </span>
      </div>
      <Progress label={`Upload of ${upload.key}`} done={upload.uploadedBytes} total={upload.size} />
      <div class="upload-line">
        <span class={upload.status === 'failed' ? 'form-error' : 'muted'}>
          {STATUS_TEXT[upload.status]}
          {detail ? `: ${detail}` : ''}
        </span>
        <span class="upload-actions">
          {upload.status === 'uploading' && (
            <button type="button" class="quiet" aria-label={`Pause ${upload.key}`} onClick={() => void upload.pause()}>
              Pause
            </button>
          )}
          {(upload.status === 'paused' || upload.status === 'failed') && (
            <button type="button" class="quiet" aria-label={`${upload.status === 'failed' ? 'Retry' : 'Resume'} ${upload.key}`} onClick={onResume}>
              {upload.status === 'failed' ? 'Retry' : 'Resume'}
            </button>
          )}
          {upload.status !== 'done' && upload.status !== 'cancelled' && (
            <button type="button" class="quiet" aria-label={`Cancel ${upload.key}`} onClick={() => void upload.cancel()}>
              Cancel
            </button>
          )}
        </span>
      </div>
    </li>
  );
}

/** The upload panel; renders nothing while the tab has no uploads. */
export function UploadPanel() {
  const { uploads } = useConsole();
  useSubscription(uploads);
  // Open while anything is unfinished, unless the user chose otherwise; folded away once all is stored, so the
  // finished panel covers no more of the page than its summary.
  const [choice, setChoice] = useState<boolean>();
  const list = uploads.uploads;
  if (list.length === 0) return null;
  const totals = uploads.totals();
  const active = list.some((u) => u.status === 'uploading' || u.status === 'queued');
  const unfinished = list.some((u) => u.status !== 'done' && u.status !== 'cancelled');
  const open = choice ?? unfinished;
  return (
    <aside class="upload-panel" aria-labelledby="uploads-heading">
      <div class="upload-panel-head">
        <h2 id="uploads-heading">Uploads</h2>
        <span class="muted" aria-live="polite">
          {totals.done} of {totals.files} files{totals.failed > 0 ? `, ${totals.failed} failed` : ''}
        </span>
        <button type="button" class="quiet" aria-expanded={open} aria-controls="upload-list" onClick={() => setChoice(!open)}>
          {open ? 'Hide' : 'Show'}
        </button>
        {!unfinished && (
          <button type="button" class="icon-button" aria-label="Close uploads" onClick={() => uploads.clearFinished()}>
            ×
          </button>
        )}
      </div>
      <Progress label="Total upload progress" done={totals.uploadedBytes} total={totals.bytes} />
      <p class="muted upload-total">
        {formatBytes(totals.uploadedBytes)} of {formatBytes(totals.bytes)}
      </p>
      <div id="upload-list" hidden={!open}>
        <div class="upload-panel-actions">
          <button type="button" class="quiet" disabled={!active} onClick={() => void uploads.pauseAll()}>
            Pause all
          </button>
          <button
            type="button"
            class="quiet"
            onClick={() => {
              uploads.clearFinished();
              setChoice(undefined);
            }}
          >
            Clear finished
          </button>
        </div>
        <ul class="uploads">
          {list.map((u) => (
            <UploadRow key={u.id} upload={u} onResume={() => uploads.resume(u)} />
          ))}
        </ul>
      </div>
    </aside>
  );
}
