/**
 * The CORS rules of a bucket (PutBucketCors, GetBucketCors, DeleteBucketCors): each rule's origins, methods,
 * allowed and exposed headers and max age, with the CORSConfiguration XML beside the form.
 */
import { useEffect, useState } from 'preact/hooks';
import { ConfirmDialog } from '../../components/confirm-dialog.tsx';
import { useConsole } from '../../console-context.ts';
import { useLoad } from '../../hooks.ts';
import { CORS_METHODS, corsDrafts, corsRules, deleteCors, getCors, newCorsRule, putCors, putCorsCommand } from '../../s3/cors.ts';
import type { CorsRuleDraft } from '../../s3/cors.ts';
import { RequestPreview, useRequestPreview } from './request-preview.tsx';
import { useSaveState } from './save-state.ts';

/** One rule's fields. */
function CorsRuleFields({ index, rule, onChange, onRemove }: { index: number; rule: CorsRuleDraft; onChange: (r: CorsRuleDraft) => void; onRemove: () => void }) {
  const id = (field: string) => `cors-${index}-${field}`;
  const set = (patch: Partial<CorsRuleDraft>) => onChange({ ...rule, ...patch });
  return (
    <fieldset class="rule">
      <legend>CORS rule {index + 1}</legend>
      <div class="field-grid">
        <label for={id('id')}>Rule ID</label>
        <input id={id('id')} value={rule.id} spellcheck={false} placeholder="optional" onInput={(e) => set({ id: e.currentTarget.value })} />
        <label for={id('origins')}>Allowed origins</label>
        <textarea id={id('origins')} rows={2} value={rule.origins} spellcheck={false} aria-describedby="cors-lines-help" onInput={(e) => set({ origins: e.currentTarget.value })} />
        <span class="label">Allowed methods</span>
        <div class="checks" role="group" aria-label={`Allowed methods of rule ${index + 1}`}>
          {CORS_METHODS.map((m) => (
            <label key={m} class="check-label">
              <input type="checkbox" checked={rule.methods.includes(m)} onChange={(e) => set({ methods: e.currentTarget.checked ? [...rule.methods, m] : rule.methods.filter((x) => x !== m) })} /> {m}
            </label>
          ))}
        </div>
        <label for={id('allowed-headers')}>Allowed headers</label>
        <textarea id={id('allowed-headers')} rows={2} value={rule.allowedHeaders} spellcheck={false} aria-describedby="cors-lines-help" onInput={(e) => set({ allowedHeaders: e.currentTarget.value })} />
        <label for={id('expose-headers')}>Exposed headers</label>
        <textarea id={id('expose-headers')} rows={2} value={rule.exposeHeaders} spellcheck={false} aria-describedby="cors-lines-help" onInput={(e) => set({ exposeHeaders: e.currentTarget.value })} />
        <label for={id('max-age')}>Max age (seconds)</label>
        <input id={id('max-age')} inputMode="numeric" value={rule.maxAge} onInput={(e) => set({ maxAge: e.currentTarget.value })} />
      </div>
      <button type="button" class="danger-quiet" onClick={onRemove}>
        Remove CORS rule {index + 1}
      </button>
    </fieldset>
  );
}

/** The CORS section of the settings page. */
export function CorsForm({ bucket }: { bucket: string }) {
  const { client } = useConsole();
  const stored = useLoad(() => getCors(client, bucket), [client, bucket]);
  const [drafts, setDrafts] = useState<CorsRuleDraft[]>([]);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const save = useSaveState(stored.reload);
  useEffect(() => {
    if (stored.value) setDrafts(corsDrafts(stored.value));
  }, [stored.value]);

  const built = corsRules(drafts);
  const preview = useRequestPreview(() => ('problem' in built ? built : { command: putCorsCommand(bucket, built.rules) }), [bucket, JSON.stringify(drafts)]);
  const submit = (e: Event) => {
    e.preventDefault();
    if ('problem' in built) return save.refuse(built.problem);
    void save.run(() => putCors(client, bucket, built.rules), 'CORS rules saved.');
  };

  return (
    <section class="card settings-section" aria-labelledby="cors-heading">
      <h2 id="cors-heading">CORS</h2>
      <p class="muted">
        Which other web sites may call this bucket from a browser. The console itself needs no rule: it is served by this server.
      </p>
      {stored.error && (
        <p class="form-error" role="alert">
          Could not read the CORS rules: {stored.error}
        </p>
      )}
      <div class="settings-pair">
        <form onSubmit={submit} noValidate aria-label="CORS rules">
          <p id="cors-lines-help" class="muted">
            Lists take one entry a line.
          </p>
          {drafts.map((rule, i) => (
            <CorsRuleFields key={i} index={i} rule={rule} onChange={(r) => setDrafts(drafts.map((d, j) => (j === i ? r : d)))} onRemove={() => setDrafts(drafts.filter((_, j) => j !== i))} />
          ))}
          {stored.value?.length === 0 && drafts.length === 0 && <p class="muted">No CORS rules.</p>}
          <div class="toolbar">
            <button type="button" onClick={() => setDrafts([...drafts, newCorsRule()])}>
              Add CORS rule
            </button>
            <button type="submit" class="primary" disabled={save.busy || stored.loading}>
              Save CORS rules
            </button>
            <button type="button" class="danger-quiet" disabled={save.busy || !stored.value?.length} onClick={() => setConfirmDelete(true)}>
              Delete CORS configuration
            </button>
          </div>
          {save.error && (
            <p class="form-error" role="alert">
              {save.error}
            </p>
          )}
        </form>
        <RequestPreview action="PutBucketCors" format="XML" preview={preview} />
      </div>
      {confirmDelete && (
        <ConfirmDialog title="Delete the CORS configuration?" confirmLabel="Delete CORS configuration" onClose={() => setConfirmDelete(false)} onConfirm={() => save.run(() => deleteCors(client, bucket), 'CORS configuration deleted.')}>
          <p>Browsers on other sites can no longer call this bucket.</p>
        </ConfirmDialog>
      )}
    </section>
  );
}
