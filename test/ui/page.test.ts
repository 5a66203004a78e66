import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalize, psiItem } from '../../src/identifiers/index.js';
import { startPsiServer, type PsiServer } from '../../src/transport/index.js';
import { CHROMIUM, CHROMIUM_ARGS, ensureUiBuilt, HAVE_CHROMIUM, ROOT, staticHost, UI_DIR } from './helpers.js';

const SHOTS = join(ROOT, 'test-results', 'ui');

/** The advertiser's customers: 1,000 rows, the first 400 platform users, 3 with an email that does not normalise (one of the 400). */
function customers(): { csv: string; emails: string[]; names: string[]; overlap: number } {
  const emails: string[] = [];
  const names: string[] = [];
  const lines = ['id,contact,first_name,last_name,zip'];
  for (let i = 0; i < 1000; i++) {
    const email = i < 400 ? `User${i}@Example.com` : `customer${i}@shop.example`;
    const bad = i === 10 || i === 500 || i === 998;
    const cell = bad ? `not-an-email-${i}` : email;
    if (!bad) emails.push(email);
    names.push(`Firstname${i}`, `Lastname${i}`);
    lines.push(`${i},${cell},Firstname${i},Lastname${i},${String(10_000 + i)}`);
  }
  return { csv: `${lines.join('\n')}\n`, emails, names, overlap: emails.filter((e) => e.startsWith('User')).length };
}

/** What must never leave the page: every identifier, raw and normalised, and the SHA-256 of each, hex and base64, and raw. */
function secretsOf(emails: readonly string[], names: readonly string[]): { texts: string[]; digests: Buffer[] } {
  const texts: string[] = [...names];
  const digests: Buffer[] = [];
  for (const email of emails) {
    const normalised = normalize(email, 'email');
    const digest = createHash('sha256').update(normalised).digest();
    texts.push(email, normalised, digest.toString('hex'), digest.toString('hex').toUpperCase(), digest.toString('base64'));
    texts.push(digest.toString('base64url'), encodeURIComponent(email), encodeURIComponent(normalised));
    digests.push(digest);
  }
  return { texts, digests };
}

interface Sent {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: Buffer;
}

if (!HAVE_CHROMIUM) console.warn(`test/ui/page.test.ts skipped: no Chromium at ${CHROMIUM} (apt-get install chromium; .ci/run does)`);

describe.skipIf(!HAVE_CHROMIUM)(
  `the advertiser's page in headless Chromium (${HAVE_CHROMIUM ? CHROMIUM : `SKIPPED: no ${CHROMIUM}`})`,
  () => {
    const data = customers();
    const csvPath = join(tmpdir(), `blindjoin-page-${process.pid}.csv`);
    let browser: Browser;
    let service: PsiServer;
    // The page as a platform hosts it anywhere: the built files and a config.json naming a service on another origin.
    let host: Server;
    let hostUrl: string;
    let policyService: PsiServer;

    beforeAll(async () => {
      mkdirSync(SHOTS, { recursive: true });
      writeFileSync(csvPath, data.csv);
      await ensureUiBuilt();
      // The platform: 2,000 users, the first 400 of them the advertiser's (normalisation makes User0@Example.com theirs).
      const users = Array.from({ length: 2000 }, (_, i) => psiItem('email', `user${i}@example.com`));
      service = await startPsiServer({ items: users, ui: true, disclosure: 'exact', workers: 1 });
      host = await staticHost(UI_DIR, () => ({ service: `${policyService.url}/` }));
      hostUrl = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
      policyService = await startPsiServer({ items: users, disclosure: 'policy', minItems: 100, workers: 1, corsOrigins: [hostUrl] });
      browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    });

    afterAll(async () => {
      await browser?.close();
      await service?.close();
      await policyService?.close();
      host?.close();
      rmSync(csvPath, { force: true });
    });

    /** A page whose every request, the worker's included, is recorded; session requests are slowed so progress can be seen. */
    async function open(url: string, delayMs = 150): Promise<{ context: BrowserContext; page: Page; sent: Sent[]; errors: string[] }> {
      const context = await browser.newContext();
      const sent: Sent[] = [];
      await context.route('**/*', async (route) => {
        const request = route.request();
        sent.push({
          url: request.url(),
          method: request.method(),
          headers: await request.allHeaders(),
          body: request.postDataBuffer() ?? Buffer.alloc(0),
        });
        if (request.url().includes('/v1/sessions')) await new Promise((resolve) => setTimeout(resolve, delayMs));
        // A request the page gave up on (cancelled) can no longer be continued.
        await route.continue().catch(() => undefined);
      });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      await page.goto(url);
      return { context, page, sent, errors };
    }

    it('matches a CSV in the browser, shows the exact overlap, and sends nothing but blinded values', async () => {
      const { context, page, sent, errors } = await open(`${service.url}/`);
      await expect.poll(() => page.locator('#platform-learns').textContent()).toContain('which of its users are on your list');
      await page.screenshot({ path: join(SHOTS, '01-loaded.png'), fullPage: true });

      await page.setInputFiles('#file', csvPath);
      await page.locator('#columns-section').waitFor();
      // The guess: contact holds emails (from its cells), the names and postcode form a key; id holds nothing.
      expect(await page.locator('#role-0').inputValue()).toBe('');
      expect(await page.locator('#role-1').inputValue()).toBe('email');
      expect(await page.locator('#role-2').inputValue()).toBe('first_name');
      expect(await page.locator('#role-4').inputValue()).toBe('zip');
      // The platform matches on emails only: correct the guess for the names and postcode.
      for (const i of [2, 3, 4]) await page.selectOption(`#role-${i}`, '');
      await page.screenshot({ path: join(SHOTS, '02-columns.png'), fullPage: true });

      await page.locator('#run').focus();
      await page.keyboard.press('Enter');
      await expect.poll(() => page.locator('#progress-label').textContent(), { timeout: 30_000 }).toContain('Blinding and matching');
      await page.screenshot({ path: join(SHOTS, '03-running.png'), fullPage: true });

      await page.locator('#result-section').waitFor({ timeout: 60_000 });
      const overlap = await page.locator('#overlap').textContent();
      expect(data.overlap).toBe(399);
      expect(overlap).toBe('399 of your 997 customers are platform users (40.0%, exact)');
      expect(await page.locator('#rejected-summary').textContent()).toMatch(/^3 of 1,000 rows have no identifier/);
      expect(await page.locator('#rejected tbody tr').allTextContents()).toEqual([
        expect.stringMatching(/^12EMAIL_INVALID/),
        expect.stringMatching(/^502EMAIL_INVALID/),
        expect.stringMatching(/^1000EMAIL_INVALID/),
      ]);
      await page.screenshot({ path: join(SHOTS, '04-result.png'), fullPage: true });

      const downloading = page.waitForEvent('download');
      await page.locator('#download').click();
      const report = JSON.parse(readFileSync(await (await downloading).path(), 'utf8'));
      expect(report.result).toMatchObject({ ownSize: 997, peerSize: 2000, size: data.overlap });
      expect(report.read).toMatchObject({ rowsRead: 1000, rejectedCount: 3 });
      expect(report.columns).toEqual(['contact']);

      // The worker's session requests were recorded, and none of the page's requests carries an identifier or its hash.
      expect(sent.some((r) => r.method === 'POST' && r.url.endsWith('/v1/sessions'))).toBe(true);
      expect(sent.filter((r) => r.method === 'POST').every((r) => r.body.length > 0)).toBe(true);
      const { texts, digests } = secretsOf(data.emails, data.names);
      for (const r of sent) {
        const visible = `${r.url}\n${JSON.stringify(r.headers)}\n${r.body.toString('latin1')}\n${r.body.toString('utf8')}`;
        for (const text of texts) expect(visible.includes(text), `${text} in ${r.method} ${r.url}`).toBe(false);
        for (const digest of digests) expect(r.body.includes(digest), `a raw SHA-256 in ${r.method} ${r.url}`).toBe(false);
      }
      expect(errors).toEqual([]);
      await context.close();
    });

    /** Chooses the file, keeps only the email column and starts the match. */
    async function match(page: Page): Promise<void> {
      await page.setInputFiles('#file', csvPath);
      await page.locator('#columns-section').waitFor();
      for (const i of [2, 3, 4]) await page.selectOption(`#role-${i}`, '');
      await page.locator('#run').click();
    }

    it('hosted elsewhere, finds its service in config.json and shows the figure released under the policy', async () => {
      const { context, page, sent, errors } = await open(`${hostUrl}/index.html`, 0);
      await expect.poll(() => page.locator('#you-learn').textContent()).toContain('noised (epsilon 0.25), withheld below 100');
      expect(await page.locator('#service').textContent()).toBe(`${policyService.url}/`);
      await match(page);
      await page.locator('#result-section').waitFor({ timeout: 60_000 });
      expect(await page.locator('#overlap').textContent()).toMatch(
        /^(about [\d,]+|fewer than 100) of your 997 customers are platform users/,
      );
      expect(await page.locator('#overlap-note').textContent()).toMatch(/epsilon/);
      await page.screenshot({ path: join(SHOTS, '05-policy-result.png'), fullPage: true });
      // The session ran cross-origin, so the browser sent preflights: CORS let it through.
      expect(sent.some((r) => r.method === 'POST' && r.url === `${policyService.url}/v1/sessions`)).toBe(true);
      expect(errors).toEqual([]);
      await context.close();
    });

    it('refuses a page from an origin the service does not allow', async () => {
      const { context, page } = await open(`${service.url}/`);
      // The exact-disclosure service allows no other origin: a page there cannot reach it.
      await page.goto(`${hostUrl}/index.html`);
      const reached = await page.evaluate(async (url) => {
        try {
          await fetch(url);
          return true;
        } catch {
          return false;
        }
      }, `${service.url}/v1/terms`);
      expect(reached).toBe(false);
      await context.close();
    });

    it('takes a file dropped on the page as well as one chosen', async () => {
      const { context, page } = await open(`${service.url}/`);
      const dataTransfer = await page.evaluateHandle((csv) => {
        const transfer = new DataTransfer();
        transfer.items.add(new File([csv], 'dropped.csv', { type: 'text/csv' }));
        return transfer;
      }, data.csv);
      await page.dispatchEvent('#drop', 'drop', { dataTransfer });
      await page.locator('#columns-section').waitFor();
      expect(await page.locator('#role-1').inputValue()).toBe('email');
      await context.close();
    });

    it('cancels a match in progress', async () => {
      const { context, page } = await open(`${service.url}/`, 5_000);
      await expect.poll(() => page.locator('#platform-learns').textContent()).toContain('which of its users');
      await match(page);
      await expect.poll(() => page.locator('#progress-label').textContent(), { timeout: 30_000 }).toContain('Blinding and matching');
      await page.locator('#cancel').click();
      await expect.poll(() => page.locator('#status').textContent(), { timeout: 10_000 }).toBe('Cancelled: nothing was matched.');
      expect(await page.locator('#result-section').isHidden()).toBe(true);
      expect(await page.locator('#run').isEnabled()).toBe(true);
      await context.close();
    });
  },
);
