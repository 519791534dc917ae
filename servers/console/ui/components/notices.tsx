/**
 * The notice area: short messages after actions ("Bucket created"), announced by screen readers through live
 * regions that exist from the start (a region added together with its text is often not read). Information
 * goes to a polite `role="status"` region and disappears after a few seconds; errors go to `role="alert"` and
 * stay until dismissed.
 */
import { useCallback, useState } from 'preact/hooks';

/** One message. */
export interface Notice {
  id: number;
  message: string;
  kind: 'info' | 'error';
}

/** How long an information notice stays, in ms. */
const INFO_MS = 6000;
let nextId = 1;

/** The notices and the functions that add and dismiss them. */
export function useNotices() {
  const [notices, setNotices] = useState<Notice[]>([]);
  const dismiss = useCallback((id: number) => setNotices((list) => list.filter((n) => n.id !== id)), []);
  const notify = useCallback(
    (message: string, kind: 'info' | 'error' = 'info') => {
      const id = nextId++;
      setNotices((list) => [...list.slice(-4), { id, message, kind }]);
      if (kind === 'info') setTimeout(() => dismiss(id), INFO_MS);
    },
    [dismiss],
  );
  return { notices, notify, dismiss };
}

/** The live regions holding the notices. */
export function NoticeArea({ notices, dismiss }: { notices: Notice[]; dismiss: (id: number) => void }) {
  const list = (kind: Notice['kind']) =>
    notices
      .filter((n) => n.kind === kind)
      .map((n) => (
        <div key={n.id} class={`notice notice-${kind}`}>
          <span>{n.message}</span>
          <button type="button" class="icon-button" aria-label="Dismiss message" onClick={() => dismiss(n.id)}>
            ×
          </button>
        </div>
      ));
  return (
    <div class="notices">
      <div role="status" aria-live="polite">
        {list('info')}
      </div>
      <div role="alert">{list('error')}</div>
    </div>
  );
}
