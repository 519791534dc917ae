/**
 * The console end to end, in headless Chromium against a real object server: sign in, create a bucket, upload
 * a 20 MiB file (a multipart upload, signed in the browser), a folder and a dropped file and watch the progress
 * bars finish, browse into the folder, search, sort and page, edit tags and metadata, share a presigned link and
 * fetch it from Node, download, delete many with confirmation, delete the bucket, read the server view, sign
 * out. Then the same console by keyboard alone. Every main screen is scanned with axe-core (no serious or
 * critical violation) and photographed.
 *
 * Throughout, no request may leave the server's origin or carry the secret key, and the browser must report no
 * Content-Security-Policy violation and no uncaught error.
 *
 * Screenshots go to a temporary directory; with `CONSOLE_SCREENSHOTS=update` they replace the PNGs in docs/
 * that the README shows.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, GetObjectTaggingCommand, HeadObjectCommand, ListBucketsCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipWithout } from '#system-tools';
import { axeViolations, inPage, launchChromium, seriousOnes, watchedPage } from './helpers/browser.ts';
import type { PageProblems } from './helpers/browser.ts';
import { buildConsole } from './helpers/built-console.ts';
import type { BuiltConsole } from './helpers/built-console.ts';
import { ACCESS_KEY, SECRET_KEY, startConsoleServer } from './helpers/console-server.ts';
import type { ConsoleServer } from './helpers/console-server.ts';

const MIB = 1024 * 1024;
const SHOTS = process.env.CONSOLE_SCREENSHOTS === 'update' ? join(import.meta.dirname, '..', 'docs') : mkdtempSync(join(tmpdir(), 'strata-console-shots-'));
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe.skipIf(skipWithout('chromium'))('the console in Chromium', () => {
  let built: BuiltConsole;
  let server: ConsoleServer;
  let browser: Browser;
  let files: string;
  let big: Buffer;

  beforeAll(async () => {
    [built, browser] = await Promise.all([buildConsole(), launchChromium()]);
    server = await startConsoleServer({ assets: built.assets, backend: 'file' });
    files = mkdtempSync(join(tmpdir(), 'strata-console-files-'));
    mkdirSync(join(files, 'holiday', 'sub'), { recursive: true });
    writeFileSync(join(files, 'holiday', 'a.txt'), 'a.txt content\n');
    writeFileSync(join(files, 'holiday', 'sub', 'b.txt'), 'b.txt content\n');
    // A file on disk, not a buffer: Chromium then reads it itself instead of receiving 20 MiB over the protocol.
    big = Buffer.alloc(20 * MIB);
    for (let i = 0; i < big.length; i += 4096) big.writeUInt32LE((i * 2654435761) >>> 0, i);
    writeFileSync(join(files, 'big.bin'), big);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    built?.remove();
    rmSync(files, { recursive: true, force: true });
    if (process.env.CONSOLE_SCREENSHOTS !== 'update') rmSync(SHOTS, { recursive: true, force: true });
  });

  /** A fresh browser context (its own sessionStorage) with the clipboard allowed, and a watched page. */
  async function open(): Promise<{ context: BrowserContext; page: Page; problems: PageProblems }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.origin });
    const { page, problems } = await watchedPage(context, server.origin, SECRET_KEY);
    page.setDefaultTimeout(15_000);
    return { context, page, problems };
  }

  /** Scans the page with axe (notices included) and photographs it (notices dismissed, so they hide nothing). */
  async function checkpoint(page: Page, name: string, fullPage = false): Promise<void> {
    const serious = seriousOnes(await axeViolations(page));
    expect(serious, `axe on ${name}: ${JSON.stringify(serious, null, 1)}`).toEqual([]);
    await inPage(page, `document.querySelectorAll('.notices button').forEach((b) => b.click())`);
    await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage });
  }

  const heading = (page: Page, name: string) => page.getByRole('heading', { level: 1, name, exact: true });
  const notice = (page: Page, text: string) => page.getByRole('status').getByText(text, { exact: false });

  it('signs in, uploads, browses, edits, shares, deletes and signs out', async () => {
    const { context, page, problems } = await open();
    try {
      await page.goto(`${server.origin}/console`);
      await heading(page, 'Strata console').waitFor();
      await checkpoint(page, 'sign-in');

      // A wrong secret is refused with the server's reason, and nothing is kept.
      await page.getByLabel('Access key').fill(ACCESS_KEY);
      await page.getByLabel('Secret key').fill('not-the-secret');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('alert').getByText('secret key does not match').waitFor();
      expect(await inPage(page, 'sessionStorage.length')).toBe(0);
      await page.getByLabel('Secret key').fill(SECRET_KEY);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await heading(page, 'Buckets').waitFor();

      // Create a bucket; the list shows it.
      await page.getByLabel('New bucket name').fill('e2e-photos');
      await page.getByRole('button', { name: 'Create bucket' }).click();
      await page.getByRole('link', { name: 'e2e-photos' }).waitFor();
      await checkpoint(page, 'buckets');
      await page.getByRole('link', { name: 'e2e-photos' }).click();
      await heading(page, 'e2e-photos').waitFor();

      // Upload a 20 MiB file, a folder (with a sub-folder) and a dropped file.
      await page.getByLabel('Files to upload').setInputFiles(join(files, 'big.bin'));
      await page.getByLabel('Folder to upload').setInputFiles(join(files, 'holiday'));
      await inPage(page, `{
        const data = new DataTransfer();
        data.items.add(new File(['dropped content\\n'], 'dropped.txt', { type: 'text/plain' }));
        const zone = document.querySelector('.drop-zone');
        for (const type of ['dragenter', 'dragover', 'drop']) zone.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: data }));
      }`);
      const total = page.getByRole('progressbar', { name: 'Total upload progress' });
      await page.locator('.upload-panel').getByText('4 of 4 files').waitFor({ timeout: 60_000 });
      expect([await total.getAttribute('value'), await total.getAttribute('max')]).toEqual([String(20 * MIB + 14 + 14 + 16), String(20 * MIB + 14 + 14 + 16)]);
      expect(await page.locator('li.upload[data-status="done"]').count()).toBe(4);
      // The finished panel folds to its summary; opened, it lists every file.
      await page.locator('.upload-panel').getByRole('button', { name: 'Show' }).click();
      await page.locator('li.upload', { hasText: 'big.bin' }).getByText('part 4 of 4').waitFor();
      // The listing reloads once the burst of stored files is over.
      await page.getByRole('link', { name: 'holiday/' }).waitFor();
      await page.getByRole('link', { name: 'dropped.txt' }).waitFor();
      await checkpoint(page, 'uploads');

      await page.getByRole('button', { name: 'Close uploads' }).click();
      await page.locator('.upload-panel').waitFor({ state: 'detached' });

      // What the browser stored: the big file as a 4-part multipart upload with a composite CRC32.
      const head = await server.s3.send(new HeadObjectCommand({ Bucket: 'e2e-photos', Key: 'big.bin', ChecksumMode: 'ENABLED' }));
      expect(head.ETag).toMatch(/-4"$/);
      expect(head.ChecksumCRC32).toBeDefined();
      const stored = await server.s3.send(new GetObjectCommand({ Bucket: 'e2e-photos', Key: 'big.bin' }));
      expect(sha256(await (stored.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray())).toBe(sha256(big));

      // The listing: search by prefix, sort by size.
      await page.getByLabel('Filter by name prefix').fill('big');
      await page.getByRole('link', { name: 'dropped.txt' }).waitFor({ state: 'detached' });
      await page.getByLabel('Filter by name prefix').fill('');
      await page.getByLabel('Sort this page by').selectOption('size-asc');
      await page.getByRole('link', { name: 'dropped.txt' }).waitFor();
      expect(await page.locator('table.objects tbody tr:not(.folder-row) td:nth-child(2)').allTextContents()).toEqual(['dropped.txt', 'big.bin']);
      await checkpoint(page, 'browser');

      // Into the folder, and to an object's details.
      await page.getByRole('link', { name: 'holiday/' }).click();
      await heading(page, 'holiday').waitFor();
      await page.getByRole('link', { name: 'sub/' }).waitFor();
      await page.getByRole('link', { name: 'a.txt' }).click();
      await heading(page, 'a.txt').waitFor();
      await page.getByText('Checksum CRC32').waitFor();
      expect(await page.locator('dl.properties').first().textContent()).toContain('14 bytes');

      // Edit a tag.
      await page.getByRole('button', { name: 'Add tag' }).click();
      await page.getByLabel('Tag key 1').fill('project');
      await page.getByLabel('Tag value 1').fill('strata');
      await page.getByRole('button', { name: 'Save tags' }).click();
      await notice(page, 'Tags saved.').waitFor();
      const tagging = await server.s3.send(new GetObjectTaggingCommand({ Bucket: 'e2e-photos', Key: 'holiday/a.txt' }));
      expect(tagging.TagSet).toEqual([{ Key: 'project', Value: 'strata' }]);

      // Edit the metadata: a copy onto itself that keeps the content and the tags.
      await page.getByRole('button', { name: 'Edit metadata' }).click();
      await page.getByLabel('Content-Type').fill('text/markdown');
      await page.getByRole('button', { name: 'Add metadata' }).click();
      await page.getByLabel('Metadata key 1').fill('Owner');
      await page.getByLabel('Metadata value 1').fill('e2e');
      await page.getByRole('button', { name: 'Save metadata' }).click();
      await notice(page, 'Metadata saved.').waitFor();
      const edited = await server.s3.send(new HeadObjectCommand({ Bucket: 'e2e-photos', Key: 'holiday/a.txt' }));
      expect([edited.ContentType, edited.Metadata, edited.ContentLength]).toEqual(['text/markdown', { owner: 'e2e' }, 14]);
      expect((await server.s3.send(new GetObjectTaggingCommand({ Bucket: 'e2e-photos', Key: 'holiday/a.txt' }))).TagSet).toHaveLength(1);
      await page.getByText('owner', { exact: true }).waitFor();
      await checkpoint(page, 'object');

      // Download through a short presigned link.
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download' }).click()]);
      expect(download.suggestedFilename()).toBe('a.txt');
      expect(readFileSync(await download.path(), 'utf8')).toBe('a.txt content\n');

      // Share: a 1-day presigned link, copied with one click, fetched from Node.
      await page.getByRole('button', { name: 'Share link' }).click();
      await page.getByLabel('Expires after').selectOption(String(24 * 3600));
      const linkInput = page.getByLabel('Link', { exact: true });
      await expect.poll(() => linkInput.inputValue()).toContain('X-Amz-Expires=86400');
      const link = await linkInput.inputValue();
      expect(link.startsWith(`${server.origin}/e2e-photos/holiday/a.txt?`)).toBe(true);
      await page.getByRole('button', { name: 'Copy link' }).click();
      await page.getByText('Link copied to the clipboard.').waitFor();
      expect(await inPage(page, 'navigator.clipboard.readText()')).toBe(link);
      await checkpoint(page, 'share');
      const fetched = await fetch(link);
      expect([fetched.status, await fetched.text()]).toEqual([200, 'a.txt content\n']);
      await page.keyboard.press('Escape');
      await page.getByRole('dialog').waitFor({ state: 'detached' });
      await expect.poll(() => inPage(page, 'document.activeElement?.textContent'), { timeout: 5000 }).toBe('Share link');

      // Paging: 105 keys in another bucket, 100 to a page.
      await server.s3.send(new CreateBucketCommand({ Bucket: 'e2e-many' }));
      await Promise.all(Array.from({ length: 105 }, (_, i) => server.s3.send(new PutObjectCommand({ Bucket: 'e2e-many', Key: `k${String(i).padStart(3, '0')}`, Body: 'x' }))));
      await page.goto(`${server.origin}/console/#/browse/e2e-many/`);
      await page.getByRole('link', { name: 'k099' }).waitFor();
      expect(await page.getByRole('link', { name: 'k100' }).count()).toBe(0);
      await page.getByRole('button', { name: 'Next page' }).click();
      await page.getByRole('link', { name: 'k104' }).waitFor();
      expect(await page.locator('table.objects tbody tr').count()).toBe(5);
      await page.getByRole('button', { name: 'Previous page' }).click();
      await page.getByRole('link', { name: 'k000' }).waitFor();

      // Delete everything in e2e-photos at once, confirmed, then the bucket.
      await page.goto(`${server.origin}/console/#/browse/e2e-photos/`);
      await page.getByRole('link', { name: 'holiday/' }).waitFor();
      await page.getByLabel('Select all on this page').check();
      await page.getByRole('button', { name: 'Delete selected (3)' }).click();
      await page.getByRole('dialog', { name: 'Delete 3 items?' }).waitFor();
      await page.getByRole('button', { name: 'Delete 3 items' }).click();
      await notice(page, 'Deleted 4 objects.').waitFor();
      expect((await server.s3.send(new ListObjectsV2Command({ Bucket: 'e2e-photos' }))).KeyCount).toBe(0);
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Buckets' }).click();
      await page.getByRole('button', { name: 'Delete bucket e2e-photos' }).click();
      await page.getByRole('button', { name: 'Delete bucket', exact: true }).click();
      await page.getByRole('link', { name: 'e2e-photos' }).waitFor({ state: 'detached' });
      expect((await server.s3.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name)).toEqual(['e2e-many']);

      // The server view: facts and charts drawn from /metrics (at least two scrapes: one line segment).
      await page.getByRole('link', { name: 'Server' }).click();
      await heading(page, 'Server').waitFor();
      await page.getByText('0.0.0-test').waitFor();
      await expect.poll(() => page.locator('[data-chart="requests"] path.line').getAttribute('d'), { timeout: 10_000 }).toMatch(/L/);
      expect(await page.locator('figure.chart').count()).toBe(4);
      await page.getByRole('progressbar', { name: 'Data directory filesystem used' }).waitFor();
      await checkpoint(page, 'server', true);

      // Sign out: the session is gone.
      await page.getByRole('button', { name: 'Sign out' }).click();
      await heading(page, 'Strata console').waitFor();
      expect(await inPage(page, 'sessionStorage.length')).toBe(0);
      expect(problems).toEqual({ foreignRequests: [], secretLeaks: [], cspViolations: [], pageErrors: [] });
    } finally {
      await context.close();
    }
  }, 90_000);

  it('works by keyboard alone: sign-in, skip link, forms, links and dialogs', async () => {
    const { context, page, problems } = await open();
    const focused = () =>
      inPage<{ tag: string; text: string; id: string }>(page, `({ tag: document.activeElement?.tagName, text: document.activeElement?.textContent?.trim() ?? '', id: document.activeElement?.id })`);
    /**
     * Waits until the focused element satisfies `condition` (page code): focus moves after the render. Polled
     * with `evaluate`, not `waitForFunction`, whose string predicates the console's CSP (no eval) refuses.
     */
    const focusOn = (condition: string) => expect.poll(() => inPage(page, condition), { timeout: 5000 }).toBe(true);
    /** Presses Tab until the focused element's text is `text` (at most 40 times). */
    const tabTo = async (text: string) => {
      for (let i = 0; i < 40; i++) {
        await page.keyboard.press('Tab');
        if ((await focused()).text === text) return;
      }
      throw new Error(`Tab never reached ${text}`);
    };
    try {
      await page.goto(`${server.origin}/console/`);
      await heading(page, 'Strata console').waitFor();
      await page.keyboard.press('Tab');
      expect((await focused()).id).toBe('access-key');
      await page.keyboard.type(ACCESS_KEY);
      await page.keyboard.press('Tab');
      await page.keyboard.type(SECRET_KEY);
      await page.keyboard.press('Enter');
      await heading(page, 'Buckets').waitFor();

      // The skip link is the first stop and moves the focus to the page's heading.
      await page.keyboard.press('Tab');
      expect((await focused()).text).toBe('Skip to content');
      expect(await inPage(page, 'getComputedStyle(document.activeElement).outlineStyle')).toBe('solid');
      await page.keyboard.press('Enter');
      await focusOn(`document.activeElement.tagName === 'H1'`);
      expect(await focused()).toMatchObject({ tag: 'H1', text: 'Buckets' });

      // Create a bucket from the keyboard and open it: the new page's heading takes the focus.
      await page.keyboard.press('Tab');
      expect((await focused()).id).toBe('new-bucket');
      await page.keyboard.type('kbd-bucket');
      await page.keyboard.press('Enter');
      await page.getByRole('link', { name: 'kbd-bucket' }).waitFor();
      await tabTo('kbd-bucket');
      await page.keyboard.press('Enter');
      await focusOn(`document.activeElement.textContent === 'kbd-bucket' && document.activeElement.tagName === 'H1'`);

      // A dialog: opened with Enter, focus inside, closed with Escape, focus back on its button.
      await tabTo('New folder');
      await page.keyboard.press('Enter');
      await focusOn(`document.activeElement.id === 'folder-name'`);
      await page.keyboard.press('Escape');
      await page.getByRole('dialog').waitFor({ state: 'detached' });
      await focusOn(`document.activeElement.textContent === 'New folder'`);
      // And submitted with Enter.
      await page.keyboard.press('Enter');
      await page.getByRole('dialog', { name: 'New folder' }).waitFor();
      await page.keyboard.type('docs');
      await page.keyboard.press('Enter');
      await page.getByRole('link', { name: 'docs/' }).waitFor();
      await focusOn(`document.activeElement.textContent === 'New folder'`);
      expect(problems).toEqual({ foreignRequests: [], secretLeaks: [], cspViolations: [], pageErrors: [] });
    } finally {
      await context.close();
    }
  }, 60_000);
});
