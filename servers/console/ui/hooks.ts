/**
 * Small hooks the views share: re-render when an observable changes, and run an async load with its
 * loading, error and reload states (aborted when the view goes away or the inputs change).
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { describeError } from './errors.ts';

/** Re-renders the component whenever `source` notifies. */
export function useSubscription(source: { subscribe(listener: () => void): () => void }): void {
  const [, setTick] = useState(0);
  useEffect(() => source.subscribe(() => setTick((t) => t + 1)), [source]);
}

/** The state of an async load. */
export interface Loaded<T> {
  value: T | undefined;
  error: string | undefined;
  loading: boolean;
  reload(): void;
}

/** Runs `load` whenever `inputs` change (and on `reload()`); an earlier run still going is aborted. */
export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, inputs: readonly unknown[]): Loaded<T> {
  const [state, setState] = useState<{ value: T | undefined; error: string | undefined; loading: boolean }>({ value: undefined, error: undefined, loading: true });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    const abort = new AbortController();
    setState((s) => ({ ...s, loading: true, error: undefined }));
    load(abort.signal).then(
      (value) => abort.signal.aborted || setState({ value, error: undefined, loading: false }),
      (e: unknown) => abort.signal.aborted || setState((s) => ({ value: s.value, error: describeError(e), loading: false })),
    );
    return () => abort.abort();
    // `inputs` are the dependencies, as with useEffect; `load` is a new closure on every render.
  }, [...inputs, generation]);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { ...state, reload };
}
