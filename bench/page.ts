/**
 * The advertiser's page at scale, in headless Chromium: a CSV of `--rows`
 * customers (default 100,000; email, phone written nationally, country, a
 * date) matched against a service of `--users` users (default 20,000) in
 * this process. Measures, from the click on Match to the result on screen,
 * the time, the main thread's longest task (PerformanceObserver 'longtask')
 * and the longest wait of a 20 ms timer on it, and the browser's peak RSS;
 * then, side by side in the same run against the same service, the library
 * alone in Node (`matchOverHttp` on the same rows) as the baseline. Prints
 * the load average before and after, and writes bench/results/page.json; a
 * run that starts above load 1.5 on 2 cores is marked "not a result" and decides
 * no target. `npm run build` first (the page is dist/ui).
 *
 * `--no-phone` leaves the phone column out (one identifier per row).
 *
 *   npx tsx bench/page.ts [--rows 100000] [--users 20000] [--no-phone]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { psiItem, rowKeys } from '../src/core.js';
import { matchOverHttp } from '../src/client.js';
import { startPsiServer } from '../src/service.js';
import { machineInfo, notAResult, readLoad, writeResults } from './lib/index.js';

const arg = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  return at < 0 ? fallback : Number(process.argv[at + 1]);
};
const ROWS = arg('rows', 100_000);
const USERS = arg('users', 20_000);
const PHONE = !process.argv.includes('--no-phone');
const pad = (x: number, width: number) => String(x).padStart(width, '0');

/** The customer file and the platform's users: every 5th customer's email is a user. */
function data(): { csv: string; users: Uint8Array[]; rows: { email: string; phone: string }[] } {
  const lines = [PHONE ? 'E-mail Address,Phone Number,Country,Last Purchase Date' : 'E-mail Address,Country,Last Purchase Date'];
  const rows: { email: string; phone: string }[] = [];
  for (let i = 0; i < ROWS; i++) {
    const email = `customer.${i}@example.com`;
    const phone = `(415) ${200 + Math.floor(i / 10_000)}-${pad(i % 10_000, 4)}`;
    rows.push({ email, phone });
    lines.push(`${email},${PHONE ? `${phone},` : ''}US,2026-${pad(1 + (i % 12), 2)}-${pad(1 + (i % 28), 2)}`);
  }
  const users = Array.from({ length: USERS }, (_, j) =>
    j % 2 === 0 && j * 2.5 < ROWS
      ? psiItem('email', `customer.${Math.floor(j * 2.5)}@example.com`)
      : psiItem('email', `user.${j}@platform.example`),
  );
  return { csv: `${lines.join('\n')}\n`, users, rows };
}

/** Resident memory of a process and its descendants, in MiB. */
function treeRssMiB(root: number): number {
  const table = execFileSync('ps', ['-e', '-o', 'pid=,ppid=,rss='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/).map(Number) as [number, number, number]);
  const inTree = new Set([root]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, ppid] of table) {
      if (inTree.has(ppid) && !inTree.has(pid)) {
        inTree.add(pid);
        grew = true;
      }
    }
  }
  return table.filter(([pid]) => inTree.has(pid)).reduce((kb, [, , rss]) => kb + rss, 0) / 1024;
}

const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

async function main(): Promise<void> {
  const info = machineInfo();
  console.log(
    `# page benchmark: ${ROWS.toLocaleString('en-US')} rows (${PHONE ? 'email and phone' : 'email'}) against ${USERS.toLocaleString('en-US')} users`,
  );
  console.log(`${info.cpu}, ${info.cores} cores, ${info.memoryGiB} GiB, Node ${info.node}, ${info.date}, commit ${info.commit}`);
  console.log(`load average before: ${load()}`);
  const loadBefore = readLoad();
  if (!loadBefore.quiet) console.log(notAResult(loadBefore));
  const dir = mkdtempSync(join(tmpdir(), 'bj-page-bench-'));
  const file = join(dir, 'customers.csv');
  const { csv, users, rows } = data();
  writeFileSync(file, csv);
  const service = await startPsiServer({ items: users, ui: true, disclosure: 'exact', minItems: 100 });
  const server = await chromium.launchServer({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
  const browser = await chromium.connect(server.wsEndpoint());
  try {
    const page = await browser.newPage();
    await page.goto(`${service.url}/`);
    await page.waitForFunction(() => document.getElementById('platform-learns')?.textContent !== '…');
    // The main thread's health: long tasks as Chromium reports them, and how late a 20 ms timer fires.
    await page.evaluate(() => {
      const w = globalThis as unknown as { longest: number; lateBy: number };
      w.longest = 0;
      w.lateBy = 0;
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) w.longest = Math.max(w.longest, e.duration);
      }).observe({ type: 'longtask' });
      let last = performance.now();
      setInterval(() => {
        const now = performance.now();
        w.lateBy = Math.max(w.lateBy, now - last - 20);
        last = now;
      }, 20);
    });
    let peakRss = 0;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, treeRssMiB(server.process().pid!));
    }, 250);
    const picked = performance.now();
    await page.setInputFiles('#file', file);
    await page.waitForFunction(() => /customers to match/.test(document.getElementById('counts-text')?.textContent ?? ''), null, {
      timeout: 600_000,
      polling: 100,
    });
    const counted = performance.now();
    const counts = await page.locator('#counts-text').textContent();
    await page.locator('#run').click();
    const clicked = performance.now();
    await page.locator('#result-section').waitFor({ timeout: 600_000 });
    const shown = performance.now();
    clearInterval(sampler);
    const headline = await page.locator('#overlap').textContent();
    const blindingWorkers = await page.locator('#status').getAttribute('data-blinding-workers');
    const health = await page.evaluate(() => {
      const w = globalThis as unknown as { longest: number; lateBy: number };
      return { longest: w.longest, lateBy: w.lateBy };
    });
    console.log(`page: ${counts}`);
    console.log(`page: ${headline}`);
    console.log(`page: file picked to counts shown (read, normalise, count): ${((counted - picked) / 1000).toFixed(1)} s`);
    console.log(`page: Match to result shown: ${((shown - clicked) / 1000).toFixed(1)} s`);
    console.log(
      `page: main thread: longest task ${health.longest.toFixed(0)} ms, 20 ms timer late by at most ${health.lateBy.toFixed(0)} ms`,
    );
    console.log(`page: browser peak RSS (all its processes): ${peakRss.toFixed(0)} MiB, blinding workers used/started ${blindingWorkers}`);
    console.log(`load average after the page: ${load()}`);

    // The baseline: the library alone, in Node, on the same rows, against the same service.
    const keyed = rows.map((r) =>
      rowKeys(
        r,
        [
          { name: 'email', type: 'email' },
          { name: 'phone', type: 'phone' },
        ],
        { defaultCountry: 'US' },
      ).keys.map((k) => ({
        type: k.type,
        item: k.item,
      })),
    );
    const start = performance.now();
    const result = await matchOverHttp({ server: service.url, rows: keyed });
    console.log(`node: ${result.size?.toLocaleString('en-US')} of ${result.ownSize.toLocaleString('en-US')} matched`);
    console.log(`node: matchOverHttp, rows already normalised: ${((performance.now() - start) / 1000).toFixed(1)} s`);
    const nodeMs = performance.now() - start;
    const nodeRssMiB = process.resourceUsage().maxRSS / 1024;
    console.log(`node: process peak RSS (service and baseline client): ${nodeRssMiB.toFixed(0)} MiB`);
    console.log(`load average after: ${load()}`);
    const s = (ms: number) => Number((ms / 1000).toFixed(1));
    const matchS = s(shown - clicked);
    const verdict = (met: boolean) => (loadBefore.quiet ? met : 'not a result');
    const path = writeResults('page', {
      rows: ROWS,
      users: USERS,
      identifiersPerRow: PHONE ? 2 : 1,
      loadAverage1m: { before: loadBefore.load, after: readLoad().load },
      valid: loadBefore.quiet,
      page: {
        fileToCountsS: s(counted - picked),
        matchToResultS: matchS,
        longestTaskMs: Math.round(health.longest),
        timerLateByMs: Math.round(health.lateBy),
        browserPeakRssMiB: Math.round(peakRss),
        blindingWorkers,
        headline,
      },
      node: { matchOverHttpS: s(nodeMs), peakRssMiB: Math.round(nodeRssMiB), matched: result.size },
      targets: {
        matchToResultUnder30s: { target: 30, measured: matchS, met: verdict(matchS < 30) },
        mainThreadNeverBlockedOver100ms: { target: 100, measured: Math.round(health.longest), met: verdict(health.longest <= 100) },
      },
    });
    console.log(`wrote ${path}`);
  } finally {
    await browser.close();
    await server.close();
    await service.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
