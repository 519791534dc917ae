/**
 * Lifecycle rules (PutBucketLifecycleConfiguration, GetBucketLifecycleConfiguration, DeleteBucketLifecycle):
 * per rule a prefix filter and the number of days after which objects expire, noncurrent versions expire and
 * incomplete multipart uploads are aborted, with the LifecycleConfiguration XML beside the form.
 */
import { Fragment } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ConfirmDialog } from '../../components/confirm-dialog.tsx';
import { useConsole } from '../../console-context.ts';
import { useLoad } from '../../hooks.ts';
import { deleteLifecycle, getLifecycle, hasOtherConditions, lifecycleDrafts, lifecycleRules, newLifecycleRule, putLifecycle, putLifecycleCommand } from '../../s3/lifecycle.ts';
import type { LifecycleRuleDraft } from '../../s3/lifecycle.ts';
import { RequestPreview, useRequestPreview } from './request-preview.tsx';
import { useSaveState } from './save-state.ts';

/** The day-count fields of a rule: the draft's member and its label. */
const DAY_FIELDS = [
  ['expirationDays', 'Expire objects after (days)'],
  ['noncurrentDays', 'Expire noncurrent versions after (days)'],
  ['abortDays', 'Abort incomplete multipart uploads after (days)'],
] as const;

/** One rule's fields. */
function LifecycleRuleFields({ index, rule, onChange, onRemove }: { index: number; rule: LifecycleRuleDraft; onChange: (r: LifecycleRuleDraft) => void; onRemove: () => void }) {
  const id = (field: string) => `lifecycle-${index}-${field}`;
  const set = (patch: Partial<LifecycleRuleDraft>) => onChange({ ...rule, ...patch });
  const otherConditions = hasOtherConditions(rule.original);
  return (
    <fieldset class="rule">
      <legend>Lifecycle rule {index + 1}</legend>
      <div class="field-grid">
        <label for={id('id')}>Rule ID</label>
        <input id={id('id')} value={rule.id} spellcheck={false} placeholder="generated when empty" onInput={(e) => set({ id: e.currentTarget.value })} />
        <label for={id('enabled')}>Enabled</label>
        <input id={id('enabled')} type="checkbox" class="check" checked={rule.enabled} onChange={(e) => set({ enabled: e.currentTarget.checked })} />
        <label for={id('prefix')}>Key prefix</label>
        <input
          id={id('prefix')}
          value={rule.prefix}
          spellcheck={false}
          placeholder="the whole bucket when empty"
          disabled={otherConditions}
          aria-describedby={otherConditions ? id('filter-help') : undefined}
          onInput={(e) => set({ prefix: e.currentTarget.value })}
        />
        {DAY_FIELDS.map(([field, label]) => (
          <Fragment key={field}>
            <label for={id(field)}>{label}</label>
            <input id={id(field)} inputMode="numeric" value={rule[field]} onInput={(e) => set({ [field]: e.currentTarget.value })} />
          </Fragment>
        ))}
      </div>
      {otherConditions && (
        <p id={id('filter-help')} class="muted">
          This rule's filter also names tags or sizes, which the console does not edit: a save keeps the filter as it is.
        </p>
      )}
      <button type="button" class="danger-quiet" onClick={onRemove}>
        Remove lifecycle rule {index + 1}
      </button>
    </fieldset>
  );
}

/** The lifecycle section of the settings page. */
export function LifecycleForm({ bucket }: { bucket: string }) {
  const { client } = useConsole();
  const stored = useLoad(() => getLifecycle(client, bucket), [client, bucket]);
  const [drafts, setDrafts] = useState<LifecycleRuleDraft[]>([]);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const save = useSaveState(stored.reload);
  useEffect(() => {
    if (stored.value) setDrafts(lifecycleDrafts(stored.value));
  }, [stored.value]);

  const built = lifecycleRules(drafts);
  const preview = useRequestPreview(() => ('problem' in built ? built : { command: putLifecycleCommand(bucket, built.rules) }), [bucket, JSON.stringify(drafts)]);
  const submit = (e: Event) => {
    e.preventDefault();
    if ('problem' in built) return save.refuse(built.problem);
    void save.run(() => putLifecycle(client, bucket, built.rules), 'Lifecycle rules saved.');
  };

  return (
    <section class="card settings-section" aria-labelledby="lifecycle-heading">
      <h2 id="lifecycle-heading">Lifecycle</h2>
      <p class="muted">Objects, old versions and abandoned uploads the server removes by itself after a number of days.</p>
      {stored.error && (
        <p class="form-error" role="alert">
          Could not read the lifecycle rules: {stored.error}
        </p>
      )}
      <div class="settings-pair">
        <form onSubmit={submit} noValidate aria-label="Lifecycle rules">
          {drafts.map((rule, i) => (
            <LifecycleRuleFields key={i} index={i} rule={rule} onChange={(r) => setDrafts(drafts.map((d, j) => (j === i ? r : d)))} onRemove={() => setDrafts(drafts.filter((_, j) => j !== i))} />
          ))}
          {stored.value?.length === 0 && drafts.length === 0 && <p class="muted">No lifecycle rules.</p>}
          <div class="toolbar">
            <button type="button" onClick={() => setDrafts([...drafts, newLifecycleRule()])}>
              Add lifecycle rule
            </button>
            <button type="submit" class="primary" disabled={save.busy || stored.loading}>
              Save lifecycle rules
            </button>
            <button type="button" class="danger-quiet" disabled={save.busy || !stored.value?.length} onClick={() => setConfirmDelete(true)}>
              Delete lifecycle configuration
            </button>
          </div>
          {save.error && (
            <p class="form-error" role="alert">
              {save.error}
            </p>
          )}
        </form>
        <RequestPreview action="PutBucketLifecycleConfiguration" format="XML" preview={preview} />
      </div>
      {confirmDelete && (
        <ConfirmDialog title="Delete the lifecycle configuration?" confirmLabel="Delete lifecycle configuration" onClose={() => setConfirmDelete(false)} onConfirm={() => save.run(() => deleteLifecycle(client, bucket), 'Lifecycle configuration deleted.')}>
          <p>The server stops expiring objects and aborting uploads in this bucket.</p>
        </ConfirmDialog>
      )}
    </section>
  );
}
