/**
 * The console's bucket settings, object versions and restricted sign-in, end to end in headless Chromium
 * against a real object server:
 *
 * - CORS set through the form is what GetBucketCors returns (AWS SDK from Node), and the XML shown beside the
 *   form follows the form as it is typed;
 * - a policy the server refuses (MalformedPolicy) shows the server's reason in the form and keeps the text;
 *   the "public read" template saves;
 * - versioning is enabled (and cannot be turned back to unversioned); a key uploaded twice lists two versions,
 *   the older downloads with its own bytes, a version is deleted behind a confirmation, delete markers are marked;
 * - lifecycle rules round-trip: saved, read back into the form after a reload, deleted;
 * - a user whose policy does not allow s3:ListAllMyBuckets (made through the server's IAM API) signs in and
 *   opens a bucket by name, while a wrong secret or an unknown key still fails;
 * - the settings page is reached and used by keyboard, and it and the versions list pass axe-core with no
 *   serious or critical violation.
 *
 * Throughout, no request may leave the server's origin or carry a secret key, and the browser must report no
 * Content-Security-Policy violation and no uncaught error. With `CONSOLE_SCREENSHOTS=update` the screenshots
 * replace docs/settings.png and docs/versions.png.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetBucketCorsCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipWithout } from '#system-tools';
import { axeViolations, inPage, launchChromium, seriousOnes, watchedPage } from './helpers/browser.ts';
import type { PageProblems } from './helpers/browser.ts';
import { buildConsole } from './helpers/built-console.ts';
import type { BuiltConsole } from './helpers/built-console.ts';
import { ACCESS_KEY, SECRET_KEY, startConsoleServer } from './helpers/console-server.ts';
import type { ConsoleServer } from './helpers/console-server.ts';
import { createUser } from './helpers/iam-user.ts';

const SHOTS = process.env.CONSOLE_SCREENSHOTS === 'update' ? join(import.meta.dirname, '..', 'docs') : mkdtempSync(join(tmpdir(), 'strata-console-shots-'));
const NO_PROBLEMS: PageProblems = { foreignRequests: [], secretLeaks: [], cspViolations: [], pageErrors: [] };
const code = (e: unknown) => (e as { name?: string }).name;

describe.skipIf(skipWithout('chromium'))('bucket settings, versions and restricted sign-in in Chromium', () => {
  let built: BuiltConsole;
  let server: ConsoleServer;
  let browser: Browser;
  let files: string;

  beforeAll(async () => {
    [built, browser] = await Promise.all([buildConsole(), launchChromium()]);
    server = await startConsoleServer({ assets: built.assets });
    files = mkdtempSync(join(tmpdir(), 'strata-console-versions-'));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    built?.remove();
    if (files) rmSync(files, { recursive: true, force: true });
    if (process.env.CONSOLE_SCREENSHOTS !== 'update') rmSync(SHOTS, { recursive: true, force: true });
  });

  /** A fresh browser context (its own sessionStorage) and a page watched for leaks of `secret`. */
  async function open(secret = SECRET_KEY): Promise<{ context: BrowserContext; page: Page; problems: PageProblems }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    const { page, problems } = await watchedPage(context, server.origin, secret);
    page.setDefaultTimeout(15_000);
    return { context, page, problems };
  }

  /** Fills the sign-in form and submits it. */
  async function signIn(page: Page, accessKeyId: string, secretAccessKey: string): Promise<void> {
    await page.getByLabel('Access key').fill(accessKeyId);
    await page.getByLabel('Secret key').fill(secretAccessKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  /**
   * Scans the page with axe once nothing is loading (a list being reloaded is dimmed, which would fail the
   * contrast rule for a moment) and returns the serious or critical violations.
   */
  async function seriousViolations(page: Page) {
    await expect.poll(() => inPage(page, `document.querySelectorAll('[aria-busy="true"]').length`)).toBe(0);
    return seriousOnes(await axeViolations(page));
  }

  /** Scans the page with axe and photographs it (notices dismissed, so they hide nothing). */
  async function checkpoint(page: Page, name: string, fullPage = false): Promise<void> {
    const serious = await seriousViolations(page);
    expect(serious, `axe on ${name}: ${JSON.stringify(serious, null, 1)}`).toEqual([]);
    await inPage(page, `document.querySelectorAll('.notices button').forEach((b) => b.click())`);
    await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage });
  }

  const heading = (page: Page, name: string) => page.getByRole('heading', { level: 1, name, exact: true });
  const notice = (page: Page, text: string) => page.getByRole('status').getByText(text, { exact: false });
  const preview = (page: Page, action: string) => page.getByLabel(`${action} request body`);

  it('sets CORS, a policy, versioning and lifecycle through the forms; the server stores what the preview shows', async () => {
    const bucket = 'settings-bucket';
    await server.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const { context, page, problems } = await open();
    try {
      await page.goto(`${server.origin}/console/#/browse/${bucket}/`);
      await signIn(page, ACCESS_KEY, SECRET_KEY);
      await heading(page, bucket).waitFor();
      await page.getByRole('link', { name: 'Bucket settings' }).click();
      await heading(page, `Settings of ${bucket}`).waitFor();

      // CORS: the XML beside the form follows the typing; the saved rule is what GetBucketCors returns.
      await page.getByText('No CORS rules.').waitFor();
      await page.getByRole('button', { name: 'Add CORS rule' }).click();
      await page.getByLabel('Allowed origins').fill('https://app.example.com\nhttps://admin.example.com');
      await page.getByRole('group', { name: 'Allowed methods of rule 1' }).getByLabel('PUT').check();
      await page.getByLabel('Allowed headers').fill('content-type\nx-amz-meta-owner');
      await page.getByLabel('Exposed headers').fill('etag');
      await page.getByLabel('Max age (seconds)').fill('600');
      // The preview is computed after each change: wait for the last one typed.
      await expect.poll(() => preview(page, 'PutBucketCors').textContent()).toContain('<MaxAgeSeconds>600</MaxAgeSeconds>');
      const xml = (await preview(page, 'PutBucketCors').textContent()) ?? '';
      expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?><CORSConfiguration xmlns="http:\/\/s3.amazonaws.com\/doc\/2006-03-01\/"><CORSRule>/);
      expect(xml).toContain('<AllowedMethod>GET</AllowedMethod><AllowedMethod>PUT</AllowedMethod>');
      expect(xml).toContain('<AllowedOrigin>https://app.example.com</AllowedOrigin><AllowedOrigin>https://admin.example.com</AllowedOrigin>');
      // A bad max age is refused before sending, and nothing typed is lost.
      await page.getByLabel('Max age (seconds)').fill('ten');
      await page.getByRole('button', { name: 'Save CORS rules' }).click();
      await page.locator('#cors-heading ~ .settings-pair [role="alert"]').getByText('Rule 1: Max age must be a whole number.').waitFor();
      await expect(server.s3.send(new GetBucketCorsCommand({ Bucket: bucket }))).rejects.toMatchObject({ name: 'NoSuchCORSConfiguration' });
      expect(await page.getByLabel('Allowed origins').inputValue()).toBe('https://app.example.com\nhttps://admin.example.com');
      await page.getByLabel('Max age (seconds)').fill('600');
      await page.getByRole('button', { name: 'Save CORS rules' }).click();
      await notice(page, 'CORS rules saved.').waitFor();
      const cors = await server.s3.send(new GetBucketCorsCommand({ Bucket: bucket }));
      expect(cors.CORSRules).toEqual([
        {
          AllowedOrigins: ['https://app.example.com', 'https://admin.example.com'],
          AllowedMethods: ['GET', 'PUT'],
          AllowedHeaders: ['content-type', 'x-amz-meta-owner'],
          ExposeHeaders: ['etag'],
          MaxAgeSeconds: 600,
        },
      ]);

      // Policy: invalid JSON is pointed at before sending; a policy the server refuses shows its reason and stays.
      const policyText = page.getByLabel('Policy document');
      await policyText.fill('{"Version": "2012-10-17", "Statement": [');
      await page.locator('#policy-syntax').getByText('Not JSON').waitFor();
      const foreign = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::another-bucket/*' }] });
      await policyText.fill(foreign);
      await expect.poll(() => preview(page, 'PutBucketPolicy').textContent()).toBe(foreign);
      await page.getByRole('button', { name: 'Save policy' }).click();
      await page.locator('#policy-heading ~ .settings-pair [role="alert"]').getByText('MalformedPolicy').waitFor();
      expect(await policyText.inputValue()).toBe(foreign);
      await expect(server.s3.send(new GetBucketPolicyCommand({ Bucket: bucket }))).rejects.toMatchObject({ name: 'NoSuchBucketPolicy' });
      await page.getByRole('button', { name: 'Use the public read template' }).click();
      await page.getByRole('button', { name: 'Save policy' }).click();
      await notice(page, 'Bucket policy saved.').waitFor();
      const policy = JSON.parse((await server.s3.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy ?? '{}') as unknown;
      expect(policy).toEqual({ Version: '2012-10-17', Statement: [{ Sid: 'PublicRead', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/*` }] });

      // Versioning: unversioned until enabled, and never again after.
      expect(await page.getByLabel('Unversioned').isChecked()).toBe(true);
      await page.getByLabel('Enabled', { exact: true }).check();
      await expect.poll(() => preview(page, 'PutBucketVersioning').textContent()).toContain('<Status>Enabled</Status>');
      await page.getByRole('button', { name: 'Save versioning' }).click();
      await notice(page, 'Versioning enabled.').waitFor();
      expect((await server.s3.send(new GetBucketVersioningCommand({ Bucket: bucket }))).Status).toBe('Enabled');
      await expect.poll(() => page.getByLabel('Unversioned').isDisabled()).toBe(true);

      // Lifecycle: saved, then read back into the form on a fresh load of the page.
      await page.getByRole('button', { name: 'Add lifecycle rule' }).click();
      await page.getByLabel('Rule ID').nth(1).fill('expire-logs');
      await page.getByLabel('Key prefix').fill('logs/');
      await page.getByLabel('Expire objects after (days)').fill('30');
      await page.getByLabel('Expire noncurrent versions after (days)').fill('7');
      await page.getByLabel('Abort incomplete multipart uploads after (days)').fill('2');
      await expect.poll(() => preview(page, 'PutBucketLifecycleConfiguration').textContent()).toContain('<DaysAfterInitiation>2</DaysAfterInitiation>');
      await page.getByRole('button', { name: 'Save lifecycle rules' }).click();
      await notice(page, 'Lifecycle rules saved.').waitFor();
      const lifecycle = await server.s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket }));
      expect(lifecycle.Rules).toEqual([
        {
          ID: 'expire-logs',
          Status: 'Enabled',
          Filter: { Prefix: 'logs/' },
          Expiration: { Days: 30 },
          NoncurrentVersionExpiration: { NoncurrentDays: 7 },
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 2 },
        },
      ]);
      await page.reload();
      await heading(page, `Settings of ${bucket}`).waitFor();
      await expect.poll(() => page.getByLabel('Expire noncurrent versions after (days)').inputValue()).toBe('7');
      expect(await page.getByLabel('Key prefix').inputValue()).toBe('logs/');
      expect(await page.getByLabel('Allowed origins').inputValue()).toBe('https://app.example.com\nhttps://admin.example.com');
      await checkpoint(page, 'settings', true);

      await page.getByRole('button', { name: 'Delete lifecycle configuration' }).click();
      await page.getByRole('dialog', { name: 'Delete the lifecycle configuration?' }).getByRole('button', { name: 'Delete lifecycle configuration' }).click();
      await notice(page, 'Lifecycle configuration deleted.').waitFor();
      await expect(server.s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket }))).rejects.toMatchObject({ name: 'NoSuchLifecycleConfiguration' });
      await page.getByText('No lifecycle rules.').waitFor();
      expect(problems).toEqual(NO_PROBLEMS);
    } finally {
      await context.close();
    }
  }, 90_000);

  it('lists the versions of a key uploaded twice, downloads the older one and deletes a version', async () => {
    const bucket = 'versions-bucket';
    await server.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await server.s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    // A key that is a prefix of another: the other's versions are not this key's.
    await server.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'notes.txt.bak', Body: 'backup' }));
    const { context, page, problems } = await open();
    try {
      await page.goto(`${server.origin}/console/#/browse/${bucket}/`);
      await signIn(page, ACCESS_KEY, SECRET_KEY);
      await heading(page, bucket).waitFor();
      // The same key uploaded twice through the console.
      for (const content of ['first version\n', 'second, longer version\n']) {
        writeFileSync(join(files, 'notes.txt'), content);
        await page.getByLabel('Files to upload').setInputFiles(join(files, 'notes.txt'));
        await expect.poll(async () => (await server.s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: 'notes.txt' }))).Versions?.filter((v) => v.Key === 'notes.txt').length ?? 0).toBe(content.startsWith('first') ? 1 : 2);
      }
      const stored = (await server.s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: 'notes.txt' }))).Versions?.filter((v) => v.Key === 'notes.txt') ?? [];
      const [newer, older] = stored;
      await page.getByRole('button', { name: 'Close uploads' }).click();
      // The listing's "show versions" view: every version of every key, each key's newest first.
      await page.getByLabel('Show versions').check();
      const listed = page.locator('table.versions-list tbody tr');
      await expect.poll(() => listed.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-version-id')))).toEqual([newer?.VersionId, older?.VersionId, expect.any(String)]);
      expect(await page.getByRole('button', { name: `Download notes.txt version ${older?.VersionId}` }).count()).toBe(1);
      expect(await seriousViolations(page)).toEqual([]);
      await page.goto(`${server.origin}/console/#/object/${bucket}/notes.txt`);
      await heading(page, 'notes.txt').waitFor();
      const rows = page.locator('section.versions tbody tr');
      await expect.poll(() => rows.count()).toBe(2);
      expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-version-id')))).toEqual([newer?.VersionId, older?.VersionId]);
      expect(await rows.first().textContent()).toContain('latest');

      // The older version downloads with its own bytes.
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: `Download version ${older?.VersionId}` }).click()]);
      expect(download.suggestedFilename()).toBe('notes.txt');
      expect(readFileSync(await download.path(), 'utf8')).toBe('first version\n');
      await checkpoint(page, 'versions', true);

      // Deleting the object adds a delete marker, listed and marked; deleting the older version removes just it.
      await server.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'notes.txt' }));
      await page.reload();
      await expect.poll(() => rows.count()).toBe(3);
      expect(await rows.first().getAttribute('data-delete-marker')).toBe('true');
      expect(await rows.first().textContent()).toContain('delete marker');
      await page.getByRole('button', { name: `Delete version ${older?.VersionId}` }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Delete version' }).click();
      await expect.poll(() => rows.count()).toBe(2);
      const left = await server.s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: 'notes.txt' }));
      expect(left.Versions?.filter((v) => v.Key === 'notes.txt').map((v) => v.VersionId)).toEqual([newer?.VersionId]);
      expect(left.DeleteMarkers?.filter((m) => m.Key === 'notes.txt')).toHaveLength(1);
      expect(problems).toEqual(NO_PROBLEMS);
    } finally {
      await context.close();
    }
  }, 90_000);

  it('signs in a user who may not list buckets and opens a bucket by name; a wrong secret or key still fails', async () => {
    const bucket = 'team-bucket';
    await server.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await server.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'plan.txt', Body: 'plan' }));
    const user = await createUser(server.origin, 'console-team', {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`] }],
    });
    const { context, page, problems } = await open(user.secretAccessKey);
    try {
      await page.goto(`${server.origin}/console/`);
      await heading(page, 'Strata console').waitFor();
      // A wrong secret and an unknown key fail as before, and keep nothing.
      await signIn(page, user.accessKeyId, `${user.secretAccessKey}x`);
      await page.getByRole('alert').getByText('secret key does not match').waitFor();
      await signIn(page, 'AKIDNOSUCHUSER000000', user.secretAccessKey);
      await page.getByRole('alert').getByText('does not know this access key').waitFor();
      expect(await inPage(page, 'sessionStorage.length')).toBe(0);

      // The right keys sign in although ListBuckets answers AccessDenied.
      await signIn(page, user.accessKeyId, user.secretAccessKey);
      await heading(page, 'Buckets').waitFor();
      await page.getByText('These keys may not list buckets').waitFor();
      expect(await page.getByText('Could not list the buckets').count()).toBe(0);
      expect(await seriousViolations(page)).toEqual([]);
      await page.getByLabel('Open a bucket by name').fill(bucket);
      await page.getByRole('button', { name: 'Open', exact: true }).click();
      await heading(page, bucket).waitFor();
      await page.getByRole('link', { name: 'plan.txt' }).waitFor();
      expect(await inPage(page, 'sessionStorage.length')).toBe(1);
      expect(problems).toEqual(NO_PROBLEMS);
    } finally {
      await context.close();
    }
  }, 60_000);

  it('reaches and uses the settings by keyboard alone', async () => {
    const bucket = 'keyboard-bucket';
    await server.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const { context, page, problems } = await open();
    const focusedText = () => inPage<string>(page, `document.activeElement?.getAttribute('aria-label') || document.activeElement?.textContent?.trim() || document.activeElement?.labels?.[0]?.textContent?.trim() || ''`);
    /** Presses Tab until the focused element's name is `name` (at most 60 times). */
    const tabTo = async (name: string) => {
      for (let i = 0; i < 60; i++) {
        await page.keyboard.press('Tab');
        if ((await focusedText()) === name) return;
      }
      throw new Error(`Tab never reached ${name}`);
    };
    try {
      await page.goto(`${server.origin}/console/#/browse/${bucket}/`);
      await signIn(page, ACCESS_KEY, SECRET_KEY);
      await heading(page, bucket).waitFor();
      await tabTo('Bucket settings');
      await page.keyboard.press('Enter');
      await expect.poll(() => inPage(page, `document.activeElement?.tagName === 'H1' && document.activeElement.textContent`), { timeout: 5000 }).toBe(`Settings of ${bucket}`);
      // The radio group: Tab lands on the checked choice, an arrow key moves to the next and checks it.
      await tabTo('Unversioned');
      await page.keyboard.press('ArrowDown');
      expect(await focusedText()).toBe('Enabled');
      await tabTo('Save versioning');
      await page.keyboard.press('Enter');
      await notice(page, 'Versioning enabled.').waitFor();
      expect((await server.s3.send(new GetBucketVersioningCommand({ Bucket: bucket }))).Status).toBe('Enabled');
      // A CORS rule added, filled and saved from the keyboard; the preview is a focusable region.
      await tabTo('Add CORS rule');
      await page.keyboard.press('Enter');
      await tabTo('Allowed origins');
      await page.keyboard.press('Control+A');
      await page.keyboard.type('https://kbd.example.com');
      await tabTo('Save CORS rules');
      await page.keyboard.press('Enter');
      await notice(page, 'CORS rules saved.').waitFor();
      expect((await server.s3.send(new GetBucketCorsCommand({ Bucket: bucket }))).CORSRules?.[0]?.AllowedOrigins).toEqual(['https://kbd.example.com']);
      await tabTo('PutBucketCors request body');
      expect(code(await server.s3.send(new GetBucketPolicyCommand({ Bucket: bucket })).catch((e: unknown) => e))).toBe('NoSuchBucketPolicy');
      expect(problems).toEqual(NO_PROBLEMS);
    } finally {
      await context.close();
    }
  }, 60_000);
});
