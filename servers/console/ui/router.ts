/**
 * The console's places as hash routes, so every view has a link (keyboard users follow it with Enter, the back
 * button works) and the server serves one page:
 *
 * - `#/buckets` — the bucket list (also the empty hash)
 * - `#/browse/<bucket>/<prefix>` — a bucket's "folder" `prefix` (ending in `/`, or empty for the top)
 * - `#/object/<bucket>/<key>` — one object's details
 * - `#/settings/<bucket>` — a bucket's settings (CORS, policy, versioning, lifecycle)
 * - `#/server` — the server view
 *
 * Keys may hold any character (`#`, `?`, `%`, spaces, `//`), so each `/`-separated segment is percent-encoded on
 * its own: the hash stays readable and splitting on `/` gives the segments back exactly, empty ones included.
 */

/** A place in the console. */
export type Route =
  | { view: 'buckets' }
  | { view: 'browse'; bucket: string; prefix: string }
  | { view: 'object'; bucket: string; key: string }
  | { view: 'settings'; bucket: string }
  | { view: 'server' };

const encodePath = (path: string) => path.split('/').map(encodeURIComponent).join('/');

function decodePath(path: string): string | undefined {
  try {
    return path.split('/').map(decodeURIComponent).join('/');
  } catch {
    return undefined; // a malformed escape typed by hand: fall back to the bucket list
  }
}

/** The hash (with its `#`) of a route. */
export function routeHash(route: Route): string {
  switch (route.view) {
    case 'buckets':
      return '#/buckets';
    case 'server':
      return '#/server';
    case 'browse':
      return `#/browse/${encodeURIComponent(route.bucket)}/${encodePath(route.prefix)}`;
    case 'object':
      return `#/object/${encodeURIComponent(route.bucket)}/${encodePath(route.key)}`;
    case 'settings':
      return `#/settings/${encodeURIComponent(route.bucket)}`;
  }
}

/** The route a hash names; anything unknown is the bucket list. */
export function parseHash(hash: string): Route {
  const path = hash.replace(/^#\/?/, '');
  const slash = path.indexOf('/');
  const head = slash < 0 ? path : path.slice(0, slash);
  const rest = slash < 0 ? '' : path.slice(slash + 1);
  if (head === 'server') return { view: 'server' };
  if (head === 'settings') {
    const bucket = decodePath(rest);
    return bucket === undefined || bucket === '' || bucket.includes('/') ? { view: 'buckets' } : { view: 'settings', bucket };
  }
  if (head !== 'browse' && head !== 'object') return { view: 'buckets' };
  const split = rest.indexOf('/');
  const bucket = decodePath(split < 0 ? rest : rest.slice(0, split));
  const tail = decodePath(split < 0 ? '' : rest.slice(split + 1));
  if (bucket === undefined || bucket === '' || tail === undefined) return { view: 'buckets' };
  if (head === 'browse') return { view: 'browse', bucket, prefix: tail };
  return tail === '' ? { view: 'browse', bucket, prefix: '' } : { view: 'object', bucket, key: tail };
}

/** The folder holding `key` (`a/b/c` → `a/b/`, `a` → ``), for breadcrumbs and "back to folder" links. */
export function parentPrefix(key: string): string {
  const trimmed = key.endsWith('/') ? key.slice(0, -1) : key;
  const slash = trimmed.lastIndexOf('/');
  return slash < 0 ? '' : trimmed.slice(0, slash + 1);
}

/** The breadcrumb trail of a prefix: `a/b/` → `[{ name: 'a', prefix: 'a/' }, { name: 'b', prefix: 'a/b/' }]`. */
export function breadcrumbs(prefix: string): { name: string; prefix: string }[] {
  const crumbs: { name: string; prefix: string }[] = [];
  let at = 0;
  while (at < prefix.length) {
    const slash = prefix.indexOf('/', at);
    const end = slash < 0 ? prefix.length : slash + 1;
    crumbs.push({ name: prefix.slice(at, slash < 0 ? prefix.length : slash), prefix: prefix.slice(0, end) });
    at = end;
  }
  return crumbs;
}
