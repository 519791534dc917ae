/**
 * The save and delete buttons' shared state: busy while a request runs, the server's error shown in the form
 * (the drafts are left as they were, so a failed save loses nothing), and a read back from the server after a
 * success, so the form then shows what the server stored rather than what was typed.
 */
import { useState } from 'preact/hooks';
import { useConsole } from '../../console-context.ts';
import { describeError } from '../../errors.ts';

/** State and runner of a form's requests. */
export interface SaveState {
  busy: boolean;
  error: string | undefined;
  /** Runs `action`; on success says `done` and reads the configuration back (`reload`); on failure keeps the error. */
  run(action: () => Promise<void>, done: string): Promise<void>;
  /** Shows a problem found before sending. */
  refuse(problem: string): void;
}

/** The request state of one settings form; `reload` reads the configuration back from the server. */
export function useSaveState(reload: () => void): SaveState {
  const { notify } = useConsole();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  return {
    busy,
    error,
    refuse: setError,
    async run(action, done) {
      setBusy(true);
      setError(undefined);
      try {
        await action();
        notify(done);
        reload();
      } catch (e) {
        setError(describeError(e));
      } finally {
        setBusy(false);
      }
    },
  };
}
