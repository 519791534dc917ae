/**
 * The sign-in form: an access key, its secret and the region to sign for (the server's own, from its
 * self-description). The keys are checked with one signed ListBuckets call before anything is kept; they stay
 * in this tab's sessionStorage and never leave the browser (requests carry signatures, not secrets).
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { useState } from 'preact/hooks';
import { describeError } from '../errors.ts';
import { signIn } from '../session.ts';
import type { Session } from '../session.ts';

/** Props of {@link SignIn}. */
export interface SignInProps {
  /** The region the server signs for, when it said so. */
  region: string | undefined;
  onSignedIn: (session: Session, client: S3Client) => void;
}

/** The sign-in page. */
export function SignIn({ region, onSignedIn }: SignInProps) {
  const [accessKeyId, setAccessKeyId] = useState('');
  const [secretAccessKey, setSecretAccessKey] = useState('');
  const [chosenRegion, setRegion] = useState<string>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const effectiveRegion = chosenRegion ?? region ?? 'us-east-1';

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    const session = { accessKeyId: accessKeyId.trim(), secretAccessKey, region: effectiveRegion.trim() };
    try {
      onSignedIn(session, await signIn(session));
    } catch (err) {
      setError(describeError(err));
      setBusy(false);
    }
  };

  return (
    <main id="main" class="sign-in">
      <form class="card sign-in-card" onSubmit={(e) => void submit(e)} aria-describedby="sign-in-note">
        <h1>
          <img src="icon.svg" alt="" width={32} height={32} /> Strata console
        </h1>
        <p id="sign-in-note" class="muted">
          Sign in with an access key of this server. Your browser signs every request itself; the secret stays in this tab.
        </p>
        <label for="access-key">Access key</label>
        <input id="access-key" name="username" autocomplete="username" required spellcheck={false} value={accessKeyId} onInput={(e) => setAccessKeyId(e.currentTarget.value)} />
        <label for="secret-key">Secret key</label>
        <input id="secret-key" name="password" type="password" autocomplete="current-password" required value={secretAccessKey} onInput={(e) => setSecretAccessKey(e.currentTarget.value)} />
        <label for="region">Region</label>
        <input id="region" name="region" required spellcheck={false} value={effectiveRegion} onInput={(e) => setRegion(e.currentTarget.value)} />
        {error && (
          <p class="form-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy} aria-busy={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
