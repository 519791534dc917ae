/**
 * A browser-based upload from a real HTML form in headless Chromium: the presigned fields as hidden inputs, a
 * file input last, submitted as the browser encodes multipart/form-data
 * ("Browser-Based Uploads Using POST (AWS Signature Version 4)",
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-UsingHTTPPOST.html). Skipped, with the reason recorded,
 * when Chromium is missing; under CI it runs and fails instead.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateBucketCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import { findTool, skipWithout } from '#system-tools';
import { startServer } from './helpers.ts';
import type { TestServer } from './helpers.ts';

/** The test client as the presigned-post package types it (it may resolve another @aws-sdk/client-s3 release). */
const presignClient = (server: TestServer) => server.client() as unknown as Parameters<typeof createPresignedPost>[0];

const Bucket = 'browser-uploads';

const escapeAttr = (v: string) => v.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

describe.skipIf(skipWithout('chromium'))('PostObject from an HTML form in Chromium', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startServer();
    await server.client().send(new CreateBucketCommand({ Bucket }));
    browser = await chromium.launch({ executablePath: findTool('chromium') ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('uploads the chosen file and shows the 201 PostResponse', async () => {
    const { url, fields } = await createPresignedPost(presignClient(server), {
      Bucket,
      Key: 'from-browser/${filename}',
      Conditions: [['starts-with', '$key', 'from-browser/'], ['content-length-range', 1, 1024], { success_action_status: '201' }],
      Fields: { success_action_status: '201' },
    });
    const hidden = Object.entries(fields).map(([n, v]) => `<input type="hidden" name="${escapeAttr(n)}" value="${escapeAttr(v)}">`).join('\n');
    const page = await browser.newPage();
    try {
      await page.setContent(`<form id="f" action="${escapeAttr(url)}" method="post" enctype="multipart/form-data">${hidden}
        <input type="file" name="file"><button type="submit">Upload</button></form>`);
      await page.setInputFiles('input[type=file]', { name: 'note.txt', mimeType: 'text/plain', buffer: Buffer.from('typed in a browser') });
      const [response] = await Promise.all([page.waitForNavigation(), page.click('button')]);
      expect(response?.status()).toBe(201);
      expect(await response?.text()).toContain('<Key>from-browser/note.txt</Key>');
    } finally {
      await page.close();
    }
    const got = await server.client().send(new GetObjectCommand({ Bucket, Key: 'from-browser/note.txt' }));
    expect(await got.Body?.transformToString()).toBe('typed in a browser');
    expect(got.ContentType).toBe('text/plain');
  }, 60_000);
});
