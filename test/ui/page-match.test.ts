import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { psiItem, rowKeys } from '../../src/core.js';
import { fetchPort, type HttpPort } from '../../src/core.js';
import { startPsiServer, type PsiServer } from '../../src/service.js';
import { matchWith } from '../../src/transport/client.js';
import { blindingWorkerCount } from '../../src/ui/blinding-threads.js';
import { HEADER_BYTES } from '../../src/wire/frame.js';
import { CHROMIUM, CHROMIUM_ARGS, ensureUiBuilt, HAVE_CHROMIUM, staticHost, UI_DIR } from './helpers.js';

const ROWS = 3000;
const pad = (x: number) => String(x).padStart(4, '0');

/** Customers with an email and a national phone each (two identifiers a row); every 5th customer's email is a user. */
const customers = Array.from({ length: ROWS }, (_, i) => ({ email: `customer.${i}@example.com`, phone: `(415) 555-${pad(i)}` }));
const users = Array.from({ length: 2000 }, (_, j) =>
  j % 2 === 0 ? psiItem('email', `customer.${j * 2.5}@example.com`) : psiItem('email', `user.${j}@platform.example`),
);

/** A port that keeps the body of every request it sends. */
function recording(port: HttpPort, bodies: Buffer[]): HttpPort {
  return {
    request: (method, url, init) => {
      if (init.body !== undefined) bodies.push(Buffer.from(init.body));
      return port.request(method, url, init);
    },
    close: () => port.close(),
  };
}

describe.skipIf(!HAVE_CHROMIUM)('a match in the page, in headless Chromium: blinding workers, prepared rows', () => {
  const dir = mkdtempSync(join(tmpdir(), 'blindjoin-page-match-'));
  const file = join(dir, 'customers.csv');
  let browser: Browser;
  let service: PsiServer;

  beforeAll(async () => {
    writeFileSync(file, ['E-mail Address,Phone Number', ...customers.map((c) => `${c.email},${c.phone}`)].join('\n'));
    await ensureUiBuilt();
    service = await startPsiServer({ items: users, workers: 1, ui: true, disclosure: 'exact', minItems: 100 });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });

  afterAll(async () => {
    await browser?.close();
    await service?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('blinds on one worker per core (up to 4), all of them used, and sends the bytes the library sends', async () => {
    const context = await browser.newContext();
    const pageBodies: Buffer[] = [];
    await context.route('**/*', async (route) => {
      const body = route.request().postDataBuffer();
      if (body !== null) pageBodies.push(body);
      await route.continue();
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${service.url}/`);
    await page.setInputFiles('#file', file);
    await page.selectOption('#country', 'US');
    await expect.poll(() => page.locator('#run').isEnabled(), { timeout: 60_000 }).toBe(true);
    await page.locator('#run').click();
    await page.locator('#result-section').waitFor({ timeout: 120_000 });
    const overlap = await page.locator('#overlap').textContent();

    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    const workers = blindingWorkerCount(cores);
    // Every worker started blinded a piece: the session's calls were spread, not run on the page's worker.
    expect(await page.locator('#status').getAttribute('data-blinding-workers')).toBe(`${workers}/${workers}`);
    if (cores >= 2) expect(workers).toBeGreaterThan(1);

    // The library in Node, with the page's key secret, on the same rows: the same figure, and the page's blinded set byte for byte.
    const keySeed = await page.evaluate(async (origin) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const req = indexedDB.open('blindjoin', 1);
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error ?? new Error('IndexedDB refused'));
      });
      const seed = await new Promise<Uint8Array>((resolve, reject) => {
        const req = db.transaction('key-seeds', 'readonly').objectStore('key-seeds').get(origin);
        req.onsuccess = () => resolve(req.result as Uint8Array);
        req.onerror = () => reject(req.error ?? new Error('IndexedDB refused'));
      });
      return [...seed];
    }, new URL(service.url).origin);
    const rows = customers.map((c) =>
      rowKeys(
        c,
        [
          { name: 'email', type: 'email' },
          { name: 'phone', type: 'phone' },
        ],
        { defaultCountry: 'US' },
      ).keys.map((k) => ({ type: k.type, item: k.item })),
    );
    const nodeBodies: Buffer[] = [];
    const result = await matchWith(recording(fetchPort(), nodeBodies), { server: service.url, rows, keySeed: new Uint8Array(keySeed) });
    expect(result.size).toBe(ROWS / 5);
    expect(overlap).toBe(
      `${(ROWS / 5).toLocaleString('en-US')} of your ${ROWS.toLocaleString('en-US')} customers (20%) are on the platform.`,
    );
    // Frames of two sessions differ in their header (the session id); the payload is the blinded set.
    const ownSet = nodeBodies.reduce((a, b) => (b.length > a.length ? b : a)).subarray(HEADER_BYTES);
    expect(ownSet.length).toBeGreaterThan(2 * ROWS * 32);
    expect(pageBodies.some((body) => body.subarray(HEADER_BYTES).equals(ownSet))).toBe(true);
    expect(errors).toEqual([]);
    await context.close();
  }, 240_000);

  it('matches the rows counted before Match without reading the file again', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${service.url}/`);
    await page.setInputFiles('#file', file);
    await page.selectOption('#country', 'US');
    await expect.poll(() => page.locator('#counts-text').textContent(), { timeout: 60_000 }).toContain('customers to match');
    await expect.poll(() => page.locator('#run').isEnabled(), { timeout: 60_000 }).toBe(true);
    // Every phase the progress line shows from the click on: the worker reports them as it goes.
    await page.evaluate(() => {
      const shown: string[] = [];
      (globalThis as unknown as { shown: string[] }).shown = shown;
      const label = document.getElementById('progress-label')!;
      new MutationObserver(() => shown.push((label.textContent ?? '').replace(/:.*/, ''))).observe(label, {
        childList: true,
        characterData: true,
        subtree: true,
      });
    });
    await page.locator('#run').click();
    await page.locator('#result-section').waitFor({ timeout: 120_000 });
    const shown = await page.evaluate(() => (globalThis as unknown as { shown: string[] }).shown);
    expect(shown).toContain('Blinding and comparing on this computer');
    // The own set is blinded once the platform accepted: the label says so after an answer came in.
    const received = shown.indexOf('Receiving from the platform');
    expect(received).toBeGreaterThanOrEqual(0);
    expect(shown.slice(received)).toContain('Blinding and comparing on this computer');
    expect(shown.filter((phase) => phase === 'Reading the file' || phase === 'Normalising identifiers')).toEqual([]);
    await context.close();
  }, 120_000);

  it('says in view that the match failed, with a typed code, when a blinding worker cannot load', async () => {
    // The page hosted elsewhere without blinding.js: the page's worker starts, its blinding workers cannot.
    const broken = join(dir, 'no-blinding');
    cpSync(UI_DIR, broken, { recursive: true });
    rmSync(join(broken, 'blinding.js'));
    let config = {};
    const host = await staticHost(broken, () => config);
    const hostUrl = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
    const hosted = await startPsiServer({ items: users, workers: 1, disclosure: 'exact', minItems: 100, corsOrigins: [hostUrl] });
    config = { service: `${hosted.url}/` };
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${hostUrl}/index.html`);
      await page.setInputFiles('#file', file);
      await page.selectOption('#country', 'US');
      await expect.poll(() => page.locator('#run').isEnabled(), { timeout: 60_000 }).toBe(true);
      await page.locator('#run').click();
      await expect.poll(() => page.locator('#status').textContent(), { timeout: 60_000 }).toBe('The match failed.');
      expect(await page.locator('#run-error .code').textContent()).toMatch(/^Code WORKER_FAILED: a x25519\/sodium blinding worker failed/);
      expect(await page.locator('#run').isEnabled()).toBe(true);
    } finally {
      await context.close();
      await hosted.close();
      host.close();
    }
  }, 120_000);
});
