/**
 * An editable list of name/value pairs (object tags, user metadata): one row of two labelled inputs and a
 * remove button per pair, and an add button. Inputs are labelled by row ("Tag key 2") so a screen reader
 * and a test can find each one.
 */

/** One pair. */
export interface Pair {
  name: string;
  value: string;
}

/** Props of {@link KeyValueEditor}. */
export interface KeyValueEditorProps {
  pairs: readonly Pair[];
  onChange: (pairs: Pair[]) => void;
  /** "Tag" or "Metadata": the labels read "Tag key 1", "Tag value 1", "Remove tag 1", "Add tag". */
  noun: string;
  /** The most pairs allowed (S3: 10 tags). */
  max?: number;
}

/** The editor. */
export function KeyValueEditor({ pairs, onChange, noun, max }: KeyValueEditorProps) {
  const set = (i: number, change: Partial<Pair>) => onChange(pairs.map((p, j) => (j === i ? { ...p, ...change } : p)));
  const lower = noun.toLowerCase();
  return (
    <div class="kv-editor">
      {pairs.length === 0 && <p class="muted">No {lower}s.</p>}
      {pairs.map((p, i) => (
        <div class="kv-row" key={i}>
          <input aria-label={`${noun} key ${i + 1}`} placeholder="key" spellcheck={false} value={p.name} onInput={(e) => set(i, { name: e.currentTarget.value })} />
          <input aria-label={`${noun} value ${i + 1}`} placeholder="value" spellcheck={false} value={p.value} onInput={(e) => set(i, { value: e.currentTarget.value })} />
          <button type="button" class="quiet" aria-label={`Remove ${lower} ${i + 1}`} onClick={() => onChange(pairs.filter((_, j) => j !== i))}>
            Remove
          </button>
        </div>
      ))}
      <button type="button" disabled={max !== undefined && pairs.length >= max} onClick={() => onChange([...pairs, { name: '', value: '' }])}>
        Add {lower}
      </button>
    </div>
  );
}
