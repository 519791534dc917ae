/**
 * The console's shell: the sign-in page until a session exists, then the header (navigation, the signed-in
 * key, sign-out), the page the hash names (router.ts), the upload panel and the notice area.
 *
 * On every page change the new page's heading takes the focus, so keyboard and screen-reader users start
 * reading where the content starts (the skip link does the same from the top).
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { ConfirmDialog } from './components/confirm-dialog.tsx';
import { NoticeArea, useNotices } from './components/notices.tsx';
import { ConsoleProvider } from './console-context.ts';
import type { ConsoleContext } from './console-context.ts';
import { MetricsPoller } from './metrics/poller.ts';
import { parseHash, routeHash } from './router.ts';
import type { Route } from './router.ts';
import { fetchServerInfo } from './server-info.ts';
import type { ServerInfo } from './server-info.ts';
import { clearSession, createS3Client, loadSession } from './session.ts';
import type { Session } from './session.ts';
import { UploadQueue } from './upload/upload-queue.ts';
import { BucketBrowser } from './views/bucket-browser.tsx';
import { BucketList } from './views/bucket-list.tsx';
import { BucketSettings } from './views/bucket-settings.tsx';
import { ObjectDetailsPage } from './views/object-details.tsx';
import { ServerView } from './views/server-view.tsx';
import { SignIn } from './views/sign-in.tsx';
import { UploadPanel } from './views/upload-panel.tsx';

/** A signed-in session with the objects that live as long as it does. */
interface SignedIn {
  session: Session;
  client: S3Client;
  uploads: UploadQueue;
  metrics: MetricsPoller;
}

const TITLES: Record<Route['view'], string> = { buckets: 'Buckets', browse: 'Browse', object: 'Object', settings: 'Bucket settings', server: 'Server' };

/** The page a route names. */
function Page({ route }: { route: Route }) {
  switch (route.view) {
    case 'buckets':
      return <BucketList />;
    // Keyed by place: another folder or object starts with fresh state (page tokens, selection, tag edits).
    case 'browse':
      return <BucketBrowser key={`${route.bucket}/${route.prefix}`} bucket={route.bucket} prefix={route.prefix} />;
    case 'object':
      return <ObjectDetailsPage key={`${route.bucket}/${route.key}`} bucket={route.bucket} objectKey={route.key} />;
    case 'settings':
      return <BucketSettings key={route.bucket} bucket={route.bucket} />;
    case 'server':
      return <ServerView />;
  }
}

/** The route of the current hash, following its changes. */
function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseHash(location.hash));
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

/** The console application. */
export function App() {
  const route = useRoute();
  const { notices, notify, dismiss } = useNotices();
  const [serverInfo, setServerInfo] = useState<ServerInfo>({});
  const [storedVersion, setStoredVersion] = useState(0);
  const [confirmSignOut, setConfirmSignOut] = useState(false);
  const [signedIn, setSignedIn] = useState<SignedIn | undefined>();

  const [ready, setReady] = useState(false);

  const start = (session: Session, client: S3Client, info: ServerInfo = serverInfo): void => {
    const metrics = new MetricsPoller();
    metrics.start();
    // Listings reload once per burst of stored files, not once per file of a dropped folder.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const uploads = new UploadQueue({
      client,
      minPartSize: info.minPartSize,
      onStored: () => {
        clearTimeout(timer);
        timer = setTimeout(() => setStoredVersion((v) => v + 1), 400);
      },
    });
    setSignedIn({ session, client, uploads, metrics });
  };

  // The server's description first (the region to sign for, the part size), then the tab's session, if any.
  useEffect(() => {
    void fetchServerInfo()
      .catch((): ServerInfo => ({}))
      .then((info) => {
        setServerInfo(info);
        const session = loadSession();
        if (session) start(session, createS3Client(session), info);
        setReady(true);
      });
  }, []);

  useEffect(() => {
    document.title = signedIn ? `${TITLES[route.view]} · Strata console` : 'Sign in · Strata console';
  }, [route, signedIn]);
  // The new page's heading takes the focus on navigation (not on the first page shown).
  const [firstRoute] = useState(route);
  useEffect(() => {
    if (route !== firstRoute) document.querySelector<HTMLElement>('#main h1')?.focus();
  }, [route, firstRoute]);

  const signOut = async () => {
    if (!signedIn) return;
    await signedIn.uploads.cancelAll();
    signedIn.metrics.stop();
    signedIn.client.destroy();
    clearSession();
    setSignedIn(undefined);
    location.hash = routeHash({ view: 'buckets' });
  };

  const context = useMemo<ConsoleContext | undefined>(
    () => signedIn && { ...signedIn, serverInfo, notify, storedVersion },
    [signedIn, serverInfo, notify, storedVersion],
  );

  if (!ready) return null;
  if (!context) {
    return (
      <>
        <SignIn region={serverInfo.region} onSignedIn={start} />
        <NoticeArea notices={notices} dismiss={dismiss} />
      </>
    );
  }
  const busyUploads = context.uploads.uploads.filter((u) => u.status === 'uploading' || u.status === 'queued' || u.status === 'paused').length;
  return (
    <ConsoleProvider value={context}>
      <a class="skip-link" href="#main" onClick={(e) => {
          e.preventDefault();
          document.querySelector<HTMLElement>('#main h1')?.focus();
        }}>
        Skip to content
      </a>
      <header class="top-bar">
        <a class="brand" href={routeHash({ view: 'buckets' })}>
          <img src="icon.svg" alt="" width={24} height={24} /> Strata console
        </a>
        <nav aria-label="Main">
          <a href={routeHash({ view: 'buckets' })} aria-current={route.view !== 'server' ? 'page' : undefined}>
            Buckets
          </a>
          <a href={routeHash({ view: 'server' })} aria-current={route.view === 'server' ? 'page' : undefined}>
            Server
          </a>
        </nav>
        <span class="who" title="Signed in with this access key">
          {context.session.accessKeyId}
        </span>
        <button type="button" onClick={() => (busyUploads > 0 ? setConfirmSignOut(true) : void signOut())}>
          Sign out
        </button>
      </header>
      <Page route={route} />
      <UploadPanel />
      <NoticeArea notices={notices} dismiss={dismiss} />
      {confirmSignOut && (
        <ConfirmDialog title="Sign out?" confirmLabel="Cancel uploads and sign out" onClose={() => setConfirmSignOut(false)} onConfirm={signOut}>
          <p>
            {busyUploads} upload{busyUploads === 1 ? ' is' : 's are'} not finished. Signing out cancels {busyUploads === 1 ? 'it' : 'them'}.
          </p>
        </ConfirmDialog>
      )}
    </ConsoleProvider>
  );
}
