import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTokens } from '../../src/service/tokens.js';
import { startPsiServer, type PsiServer } from '../../src/service.js';
import { CHROMIUM, CHROMIUM_ARGS, ensureUiBuilt, HAVE_CHROMIUM, ROOT, staticHost, UI_DIR } from './helpers.js';
import { messyExport } from './messy-export.js';

const SHOTS = join(ROOT, 'test-results', 'ui');
const DOCS = join(ROOT, 'docs');
const AXE = readFileSync(join(ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
const TOKEN = 'page-test-token-0123456789abcdef';

/** What must never leave the page: every identifier, raw and normalised, and the SHA-256 of each, hex, base64 and raw. */
function secretsOf(values: readonly string[]): { texts: string[]; digests: Buffer[] } {
  const texts: string[] = [];
  const digests: Buffer[] = [];
  for (const value of values) {
    const digest = createHash('sha256').update(value).digest();
    texts.push(value, encodeURIComponent(value), digest.toString('hex'), digest.toString('hex').toUpperCase());
    texts.push(digest.toString('base64'), digest.toString('base64url'));
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
    const data = messyExport(3000);
    const dir = join(tmpdir(), `blindjoin-page-${process.pid}`);
    const files = {
      csv: join(dir, 'export.csv'),
      semicolon: join(dir, 'export-semicolon.csv'),
      xlsx: join(dir, 'export.xlsx'),
      utf16: join(dir, 'export-utf16.csv'),
      latin1: join(dir, 'export-latin1.csv'),
      small: join(dir, 'small.csv'),
    };
    let browser: Browser;
    /** The platform with exact disclosure, serving the page. */
    let service: PsiServer;
    /** The page as a platform hosts it anywhere: the built files and a config.json naming a service on another origin. */
    let host: Server;
    let hostUrl: string;
    let hostConfig: { service: string } = { service: '' };
    let policyService: PsiServer;
    let tokenService: PsiServer;
    let budgetService: PsiServer;
    let bigListService: PsiServer;
    let valuesService: PsiServer;

    beforeAll(async () => {
      mkdirSync(SHOTS, { recursive: true });
      mkdirSync(dir, { recursive: true });
      writeFileSync(files.csv, data.csv(','));
      // European Excel: semicolons, decimal commas, a byte-order mark.
      writeFileSync(files.semicolon, `\uFEFF${data.csv(';', ',')}`);
      writeFileSync(files.xlsx, await data.xlsx());
      writeFileSync(files.utf16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(data.csv('\t'), 'utf16le')]));
      writeFileSync(files.latin1, Buffer.from('Email,Städt\r\nann@example.com,Köln\r\n', 'latin1'));
      writeFileSync(files.small, data.csv(',').split('\r\n').slice(0, 61).join('\r\n'));
      await ensureUiBuilt();
      const base = { items: data.platform, workers: 1 };
      service = await startPsiServer({ ...base, ui: true, disclosure: 'exact', minItems: 100 });
      host = await staticHost(UI_DIR, () => hostConfig);
      hostUrl = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
      const cors = { corsOrigins: [hostUrl] };
      policyService = await startPsiServer({ ...base, ...cors, disclosure: 'policy', minItems: 100 });
      tokenService = await startPsiServer({ ...base, ...cors, disclosure: 'exact', minItems: 100, tokens: parseTokens(`acme ${TOKEN}\n`) });
      // One release of 0.25 out of a budget of 0.25: the first match spends it.
      const stateDir = join(dir, 'state');
      budgetService = await startPsiServer({ ...base, ...cors, minItems: 100, stateDir, budgetEpsilon: 0.25, policy: { epsilon: 0.25 } });
      bigListService = await startPsiServer({ ...base, ...cors, disclosure: 'exact', minItems: 5000 });
      const impressions = { values: data.platform.map(() => 3), bound: 10 };
      valuesService = await startPsiServer({ ...base, ...cors, disclosure: 'exact', minItems: 100, values: { impressions } });
      browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    });

    afterAll(async () => {
      await browser?.close();
      for (const s of [service, policyService, tokenService, budgetService, bigListService, valuesService]) await s?.close();
      host?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    /** A page whose every request, the worker's included, is recorded; session requests may be slowed so progress can be seen. */
    async function open(url: string, delayMs = 0): Promise<{ context: BrowserContext; page: Page; sent: Sent[]; errors: string[] }> {
      const context = await browser.newContext({ viewport: { width: 1000, height: 800 } });
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
        if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) errors.push(m.text());
      });
      await page.goto(url);
      return { context, page, sent, errors };
    }

    /** Opens the page hosted elsewhere, with config.json naming `target`. */
    async function openHosted(target: PsiServer | string): Promise<{ context: BrowserContext; page: Page; sent: Sent[] }> {
      hostConfig = { service: typeof target === 'string' ? target : `${target.url}/` };
      return open(`${hostUrl}/index.html`);
    }

    async function inViewport(page: Page, selector: string): Promise<boolean> {
      const box = await page.locator(selector).boundingBox();
      const view = page.viewportSize()!;
      return box !== null && box.y >= 0 && box.y + Math.min(box.height, 40) <= view.height && box.x >= 0 && box.x < view.width;
    }

    async function axeViolations(page: Page): Promise<string[]> {
      // Evaluated by the test, not as a page script: the page's CSP refuses inline scripts.
      await page.evaluate(AXE);
      const result = await page.evaluate(async () => {
        const axe = (globalThis as unknown as { axe: { run: (o: unknown) => Promise<{ violations: { id: string; nodes: unknown[] }[] }> } })
          .axe;
        return axe.run({ runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } });
      });
      return result.violations.map((v) => `${v.id} (${v.nodes.length})`);
    }

    async function choose(page: Page, path: string): Promise<void> {
      await page.setInputFiles('#file', path);
      await page.locator('#columns-section').waitFor({ timeout: 60_000 });
    }

    async function roles(page: Page): Promise<string[]> {
      return page.locator('#columns select').evaluateAll((els) => els.map((e) => (e as HTMLSelectElement).value));
    }

    /** A screenshot of the whole page into test-results/ui/; with BLINDJOIN_DOCS_SHOTS=1, of `part` (or the view) into docs/ too. */
    async function shot(page: Page, name: string, part?: string): Promise<void> {
      await page.screenshot({ path: join(SHOTS, name), fullPage: true });
      if (process.env.BLINDJOIN_DOCS_SHOTS !== '1') return;
      if (part === undefined) await page.screenshot({ path: join(DOCS, name) });
      else await page.locator(part).screenshot({ path: join(DOCS, name) });
    }

    for (const [kind, file] of [
      ['CSV', 'csv'],
      ['semicolon CSV with a BOM', 'semicolon'],
      ['.xlsx', 'xlsx'],
      ['UTF-16 tab-separated', 'utf16'],
    ] as const) {
      it(`reads the messy export as ${kind}: checked guesses, per-row phone country, the figure and its chart`, async () => {
        const { context, page, sent, errors } = await open(`${service.url}/`);
        const main = kind === 'CSV';
        await expect.poll(() => page.locator('#platform-learns').textContent()).toContain('which of its users are on your list');
        if (main) await shot(page, 'ui-1-loaded.png');
        await choose(page, files[file]);
        // The date column is not a phone, and is not even offered as one; the names alone are no key.
        expect(await roles(page)).toEqual(['email', 'phone', '', '', 'country', '', '']);
        expect(await page.locator('#role-5 option[value="phone"]').isDisabled()).toBe(true);
        expect(await page.locator('#role-5 option[value="phone"]').textContent()).toMatch(/^Phone \(\d+% valid\)$/);
        expect(await page.locator('#layout-text').textContent()).toContain(kind === '.xlsx' ? 'Excel workbook' : 'CSV');
        if (file === 'semicolon') expect(await page.locator('#separator').inputValue()).toBe(';');
        if (file === 'utf16') expect(await page.locator('#separator').inputValue()).toBe('\t');
        // The default country is a real, shown choice.
        expect(await page.locator('#country').inputValue()).toMatch(/^[A-Z]{2}$/);
        await page.selectOption('#country', 'US');
        // Before Match: the rows, the valid identifiers per column, that add up; UK phones valid thanks to the Country column.
        await expect
          .poll(() => page.locator('#counts-text').textContent(), { timeout: 30_000 })
          .toBe(
            `${data.rowsRead.toLocaleString('en-US')} rows: ${data.customers.toLocaleString('en-US')} customers to match, ` +
              `${data.duplicateRows} repeat an earlier row, ${data.rejected} have no valid identifier.`,
          );
        const phoneRow = await page.locator('#column-counts tbody tr', { hasText: 'Phone Number' }).locator('td').allTextContents();
        expect(phoneRow[0]).toBe(data.validPhones.toLocaleString('en-US'));
        expect(await page.locator('#terms-facts').textContent()).toContain('at least 100 customers');
        expect(await page.locator('#run').isEnabled()).toBe(true);
        if (main) await shot(page, 'ui-2-columns.png', '#columns-section');

        await page.locator('#run').click();
        await page.locator('#result-section').waitFor({ timeout: 60_000 });
        const pct = Math.round((100 * data.matched) / data.customers);
        expect(await page.locator('#overlap').textContent()).toBe(
          `${data.matched.toLocaleString('en-US')} of your ${data.customers.toLocaleString('en-US')} customers (${pct}%) are on the platform.`,
        );
        expect(await page.locator('#usable').textContent()).toBe('The matched audience is large enough to use for targeting.');
        // The charts: match share and the funnel, each an image with a name and a description in words.
        expect(await page.locator('#share-figure svg[role="img"] title').textContent()).toContain('Share of your customers');
        expect(await page.locator('#funnel-desc').textContent()).toBe(
          `Rows read: ${data.rowsRead.toLocaleString('en-US')}; With a valid identifier: ${(data.rowsRead - data.rejected).toLocaleString('en-US')}; ` +
            `Sent (repeats left out): ${data.customers.toLocaleString('en-US')}; On the platform: ${data.matched.toLocaleString('en-US')}`,
        );
        expect(await page.locator('#reasons-figure svg rect').count()).toBeGreaterThan(0);
        expect(await page.locator('#result-facts').isVisible()).toBe(false);
        expect(await axeViolations(page)).toEqual([]);
        if (main) {
          await shot(page, 'ui-4-result.png', '#result-section');
          const downloading = page.waitForEvent('download');
          await page.locator('#download').click();
          const report = JSON.parse(readFileSync(await (await downloading).path(), 'utf8'));
          expect(report.read).toMatchObject({ rowsRead: data.rowsRead, customers: data.customers, duplicateRows: data.duplicateRows });
          expect(report.result).toMatchObject({ ownSize: data.customers, size: data.matched });
          expect(report.columns).toEqual(['E-mail Address', 'Phone Number']);
          const csvDownload = page.waitForEvent('download');
          await page.locator('#download-csv').click();
          expect(readFileSync(await (await csvDownload).path(), 'utf8')).toContain(`result,figure,${data.matched}`);
        }

        // The worker's session requests were recorded, and none of the page's requests carries an identifier or its hash.
        expect(sent.some((r) => r.method === 'POST' && r.url.endsWith('/v1/sessions'))).toBe(true);
        const { texts, digests } = secretsOf([...data.secrets.emails, ...data.secrets.phones]);
        texts.push(...data.secrets.names);
        for (const r of sent) {
          const visible = `${r.url}\n${JSON.stringify(r.headers)}\n${r.body.toString('latin1')}\n${r.body.toString('utf8')}`;
          for (const text of texts) expect(visible.includes(text), `${text} in ${r.method} ${r.url}`).toBe(false);
          for (const digest of digests) expect(r.body.includes(digest), `a raw SHA-256 in ${r.method} ${r.url}`).toBe(false);
        }
        expect(errors).toEqual([]);
        await context.close();
      }, 180_000);
    }

    it('shows progress by phase with the elapsed time, and cancels', async () => {
      const { context, page } = await open(`${service.url}/`, 4_000);
      await choose(page, files.csv);
      await expect.poll(() => page.locator('#run').isEnabled(), { timeout: 30_000 }).toBe(true);
      await page.locator('#run').click();
      await expect.poll(() => page.locator('#phases li.current').textContent(), { timeout: 30_000 }).toMatch(/Sending|Waiting/);
      expect(await page.locator('#phases li.done').count()).toBeGreaterThanOrEqual(3);
      expect(await page.locator('#timing').textContent()).toMatch(/^Elapsed \d+ s/);
      await shot(page, 'ui-3-running.png', '#run-section');
      await page.locator('#cancel').click();
      await expect.poll(() => page.locator('#status').textContent(), { timeout: 10_000 }).toBe('Cancelled: nothing was matched.');
      expect(await page.locator('#result-section').isHidden()).toBe(true);
      expect(await page.locator('#run').isEnabled()).toBe(true);
      await context.close();
    });

    it('under a disclosure policy, hosted elsewhere: the released figure in words with its 95% range', async () => {
      const { context, page, sent } = await openHosted(policyService);
      await expect.poll(() => page.locator('#you-learn').textContent()).toContain('random noise');
      await choose(page, files.csv);
      await expect.poll(() => page.locator('#run').isEnabled(), { timeout: 30_000 }).toBe(true);
      await page.locator('#run').click();
      await page.locator('#result-section').waitFor({ timeout: 60_000 });
      const headline = await page.locator('#overlap').textContent();
      const figure = Number(/^About ([\d,]+) of your/.exec(headline ?? '')?.[1]?.replace(/,/g, ''));
      expect(figure).toBeGreaterThan(0);
      expect(figure).toBeLessThanOrEqual(data.customers);
      const [low, high] = (/between ([\d,]+) and ([\d,]+)/.exec((await page.locator('#range').textContent()) ?? '') ?? [])
        .slice(1)
        .map((x) => Number(x.replace(/,/g, '')));
      expect(low).toBeLessThanOrEqual(figure);
      expect(high).toBeGreaterThanOrEqual(figure);
      expect(high).toBeLessThanOrEqual(data.customers);
      await page.locator('#details summary').click();
      expect(await page.locator('#result-facts').textContent()).toContain('epsilon');
      expect(await axeViolations(page)).toEqual([]);
      await shot(page, 'ui-5-policy-result.png', '#result-section');
      // The printable view keeps the result and drops the controls.
      await page.emulateMedia({ media: 'print' });
      expect(await page.locator('#columns-section').isVisible()).toBe(false);
      expect(await page.locator('#overlap').isVisible()).toBe(true);
      expect(await page.locator('#download').isVisible()).toBe(false);
      await page.emulateMedia({ media: 'screen' });
      expect(sent.some((r) => r.method === 'POST' && r.url === `${policyService.url}/v1/sessions`)).toBe(true);
      await context.close();
    });

    it("sums an own amount column under encryption and the platform's column, when the service offers them", async () => {
      const { context, page } = await openHosted(valuesService);
      await choose(page, files.csv);
      await page.selectOption('#role-6', 'value');
      await page.locator('#sums-field').waitFor();
      await page.check('#platform-sums');
      await expect.poll(() => page.locator('#run').isEnabled(), { timeout: 30_000 }).toBe(true);
      await page.locator('#run').click();
      await page.locator('#sums-box').waitFor({ timeout: 90_000 });
      const sums = await page.locator('#sums').evaluate((dl) => Array.from(dl.children, (c) => c.textContent));
      expect(sums).toContain('Lifetime Value ($) (your column)');
      expect(sums[sums.indexOf('Lifetime Value ($) (your column)') + 1]).toBe(data.matchedValue.toLocaleString('en-US'));
      expect(sums).toContain("impressions (the platform's column)");
      expect(await axeViolations(page)).toEqual([]);
      await context.close();
    }, 180_000);

    it('says in view when the service is down', async () => {
      const { context, page } = await openHosted('http://127.0.0.1:9/');
      await page.locator('#service-error').waitFor({ timeout: 30_000 });
      expect(await page.locator('#service-error').getAttribute('role')).toBe('alert');
      expect(await page.locator('#service-error .problem-title').textContent()).toBe("The platform's matching service cannot be reached.");
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('service-error');
      expect(await inViewport(page, '#service-error')).toBe(true);
      expect(await page.locator('#service-error details').textContent()).toContain('SERVICE_UNREACHABLE');
      expect(await axeViolations(page)).toEqual([]);
      await shot(page, 'ui-error-service-down.png');
      await context.close();
    });

    it('says in view when a token is required and missing, and matches once it is given', async () => {
      const { context, page } = await openHosted(tokenService);
      await choose(page, files.csv);
      await expect.poll(() => page.locator('#counts-text').textContent(), { timeout: 30_000 }).toContain('customers to match');
      if (await page.locator('#run').isDisabled()) {
        // A service publishing tokenRequired: Match waits for the token, and says why.
        expect(await page.locator('#gate').textContent()).toContain('requires an access token');
        expect(await inViewport(page, '#gate')).toBe(true);
      } else {
        await page.locator('#run').click();
        await page.locator('#run-error').waitFor({ timeout: 30_000 });
        expect(await page.locator('#run-error .problem-title').textContent()).toBe('The platform did not accept the access token.');
        expect(await page.evaluate(() => document.activeElement?.id)).toBe('run-error');
        expect(await inViewport(page, '#run-error')).toBe(true);
      }
      expect(await axeViolations(page)).toEqual([]);
      await shot(page, 'ui-error-token.png');
      await page.fill('#token', TOKEN);
      await expect.poll(() => page.locator('#run').isEnabled(), { timeout: 10_000 }).toBe(true);
      await page.locator('#run').click();
      await page.locator('#result-section').waitFor({ timeout: 60_000 });
      expect(await page.locator('#overlap').textContent()).toMatch(/^[\d,]+ of your [\d,]+ customers/);
      await context.close();
    });

    it('says in view when the budget is spent', async () => {
      const { context, page } = await openHosted(budgetService);
      await choose(page, files.csv);
      await expect.poll(() => page.locator('#run').isEnabled(), { timeout: 30_000 }).toBe(true);
      await page.locator('#run').click();
      await page.locator('#result-section').waitFor({ timeout: 60_000 });
      // The budget is spent: a second match is refused, before Match where the service says so, else by the service.
      await expect
        .poll(() =>
          page
            .locator('#run')
            .isEnabled()
            .then((on) => on || page.locator('#gate').isVisible()),
        )
        .toBe(true);
      if (await page.locator('#run').isDisabled()) {
        expect(await page.locator('#gate').textContent()).toMatch(/^No matches left/);
        await page.locator('#gate').scrollIntoViewIfNeeded();
        expect(await inViewport(page, '#gate')).toBe(true);
      } else {
        await page.locator('#run').click();
        await page.locator('#run-error').waitFor({ timeout: 30_000 });
        expect(await page.locator('#run-error .problem-title').textContent()).toBe(
          'You have used all the matches this platform allows for now.',
        );
        expect(await page.evaluate(() => document.activeElement?.id)).toBe('run-error');
        expect(await inViewport(page, '#run-error')).toBe(true);
        expect(await page.locator('#run-error details').textContent()).toContain('BUDGET_EXCEEDED');
      }
      expect(await axeViolations(page)).toEqual([]);
      await shot(page, 'ui-error-budget.png');
      await context.close();
    });

    it('says in view, before Match, when the list is below the minimum', async () => {
      const { context, page } = await openHosted(bigListService);
      await choose(page, files.csv);
      await expect.poll(() => page.locator('#gate').textContent(), { timeout: 30_000 }).toContain('lists of at least 5,000');
      expect(await page.locator('#gate').textContent()).toBe(
        `Your file has ${data.customers.toLocaleString('en-US')} customers with a usable identifier; this platform matches lists of at least 5,000. Add customers to the file.`,
      );
      expect(await page.locator('#run').isDisabled()).toBe(true);
      expect(await inViewport(page, '#gate')).toBe(true);
      expect(await axeViolations(page)).toEqual([]);
      await shot(page, 'ui-error-too-small.png');
      await context.close();
    });

    it('refuses a file it cannot read with what to do, and offers a template', async () => {
      const { context, page } = await open(`${service.url}/`);
      await page.setInputFiles('#file', files.latin1);
      await page.locator('#file-error').waitFor();
      expect(await page.locator('#file-error').textContent()).toContain('CSV UTF-8');
      expect(await inViewport(page, '#file-error')).toBe(true);
      const downloading = page.waitForEvent('download');
      await page.locator('#template').click();
      expect(readFileSync(await (await downloading).path(), 'utf8')).toMatch(/^email,phone,first_name,last_name,zip,country\r\n/);
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
      const dataTransfer = await page.evaluateHandle(
        (csv) => {
          const transfer = new DataTransfer();
          transfer.items.add(new File([csv], 'dropped.csv', { type: 'text/csv' }));
          return transfer;
        },
        readFileSync(files.small, 'utf8'),
      );
      await page.dispatchEvent('#drop', 'drop', { dataTransfer });
      await page.locator('#columns-section').waitFor();
      expect(await page.locator('#role-0').inputValue()).toBe('email');
      await context.close();
    });
  },
);
