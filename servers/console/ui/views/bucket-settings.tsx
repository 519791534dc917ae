/**
 * A bucket's settings page: CORS, the bucket policy, versioning and lifecycle, each a form with the request
 * body it sends shown beside it. Each section loads, saves and fails on its own, so an error in one (a policy
 * the server refuses) leaves the others as they are.
 */
import { routeHash } from '../router.ts';
import { CorsForm } from './settings/cors-form.tsx';
import { LifecycleForm } from './settings/lifecycle-form.tsx';
import { PolicyForm } from './settings/policy-form.tsx';
import { VersioningForm } from './settings/versioning-form.tsx';

/** The sections in page order: heading id and name. */
const SECTIONS = [
  ['versioning-heading', 'Versioning'],
  ['cors-heading', 'CORS'],
  ['policy-heading', 'Bucket policy'],
  ['lifecycle-heading', 'Lifecycle'],
] as const;

/** The settings page of one bucket. */
export function BucketSettings({ bucket }: { bucket: string }) {
  return (
    <main id="main">
      <nav aria-label="Breadcrumb" class="breadcrumbs">
        <ol>
          <li>
            <a href={routeHash({ view: 'buckets' })}>Buckets</a>
          </li>
          <li>
            <a href={routeHash({ view: 'browse', bucket, prefix: '' })}>{bucket}</a>
          </li>
          <li>
            <span aria-current="page">Settings</span>
          </li>
        </ol>
      </nav>
      <h1 tabIndex={-1}>Settings of {bucket}</h1>
      <nav aria-label="Settings sections" class="section-links">
        {SECTIONS.map(([id, name]) => (
          <a key={id} href={`#${id}`} onClick={(e) => jump(e, id)}>
            {name}
          </a>
        ))}
      </nav>
      <VersioningForm bucket={bucket} />
      <CorsForm bucket={bucket} />
      <PolicyForm bucket={bucket} />
      <LifecycleForm bucket={bucket} />
    </main>
  );
}

/** Moves to a section without touching the hash, which names the page (router.ts). */
function jump(e: Event, id: string): void {
  e.preventDefault();
  const heading = document.getElementById(id);
  if (!heading) return;
  heading.tabIndex = -1;
  heading.scrollIntoView();
  heading.focus();
}
