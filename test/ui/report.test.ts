import { describe, expect, it } from 'vitest';
import { releaseNoisy } from '../../src/disclosure/release.js';
import { buildReport, overlapText, platformLearns, reportCsv, resultWords, youLearn } from '../../src/ui/report.js';
import { serviceUrl } from '../../src/ui/service-url.js';

const session = { sessionId: 'ab', learn: 'released', peerLearns: 'intersection', ownSize: 10_000, peerSize: 50_000 } as const;

describe('the words of the result', () => {
  it('never calls a released figure exact, and says so of an exact count', () => {
    const released = releaseNoisy(1537);
    expect(overlapText({ ...session, released })).toMatch(/^about [\d,]+ of your 10,000 customers are platform users/);
    expect(overlapText({ ...session, released: releaseNoisy(12) })).toMatch(/^(fewer than 100|about [\d,]+) of your 10,000/);
    expect(overlapText({ ...session, learn: 'size', size: 2500 })).toBe('2,500 of your 10,000 customers are platform users (25.0%, exact)');
    expect(overlapText({ ...session, learn: 'none' })).toBe('The service does not reveal the overlap to you.');
  });

  it('says what each side learns under the terms', () => {
    expect(platformLearns('intersection')).toMatch(/^which of its users are on your list/);
    expect(platformLearns('none')).toBe('only how many customers you sent');
    expect(youLearn({ peerLearns: 'released', policy: { epsilon: 0.25, threshold: 100, significantDigits: 2 } })).toBe(
      'about how many of your customers are on the platform: a figure with random noise added so that no single customer can be detected, rounded, not given below 100; never who',
    );
    expect(youLearn({ peerLearns: 'size' })).toMatch(/^exactly how many/);
  });
});

describe('resultWords', () => {
  it('reads a released figure in plain words with its range, never above the list size', () => {
    const words = resultWords({ ownSize: 5000, released: { ...releaseNoisy(1800), value: 1800, interval95: [1700, 1900] } });
    expect(words.headline).toBe('About 1,800 of your 5,000 customers (36%) are on the platform.');
    expect(words.range).toMatch(/^The true number is between 1,700 and 1,900, with 95% certainty/);
    expect(words.usableForTargeting).toBe(true);
    const over = resultWords({ ownSize: 150, released: { ...releaseNoisy(160), value: 160, interval95: [120, 200] } });
    expect(over).toMatchObject({ figure: 150, low: 120, high: 150 });
    expect(over.headline).toBe('About 150 of your 150 customers (100%) are on the platform.');
  });

  it('says a withheld figure is below the threshold and not usable; an exact count is exact', () => {
    const withheld = resultWords({ ownSize: 300, released: { ...releaseNoisy(12), value: null, threshold: 100 } });
    expect(withheld.headline).toBe('Fewer than 100 of your 300 customers are on the platform.');
    expect(withheld.usableForTargeting).toBe(false);
    expect(resultWords({ ownSize: 1000, size: 40 })).toMatchObject({
      headline: '40 of your 1,000 customers (4%) are on the platform.',
      usableForTargeting: false,
    });
    expect(resultWords({ ownSize: 1000, size: 40, audience: { usable: true } }).usableForTargeting).toBe(true);
  });
});

describe('reportCsv', () => {
  it('has one quoted line per figure, and no cell of the file', () => {
    const read = {
      rowsRead: 3,
      customers: 2,
      duplicateRows: 0,
      rejectedCount: 1,
      unmatchedRows: 0,
      columns: [{ label: 'E-mail, work', type: 'email', valid: 2, refused: 1, matched: true }],
      reasons: { EMAIL_INVALID: 1 },
      rejected: [],
      warnings: [],
      warningCount: 0,
    };
    const report = buildReport({
      service: 'https://psi.example/',
      file: { name: 'export.csv', size: 99 },
      columns: [{ name: 'E-mail, work', type: 'email' }],
      read,
      terms: { minItems: 100, users: 20_000 } as never,
      result: { sessionId: 'ab', learn: 'size', peerLearns: 'intersection', ownSize: 2, peerSize: 40_000, size: 1 },
      elapsedMs: 10,
    });
    expect(report.result).toMatchObject({ platformUsers: 20_000, platformIdentifiers: 40_000 });
    const csv = reportCsv(report);
    expect(csv.startsWith('section,field,value\r\n')).toBe(true);
    expect(csv).toContain('column,"E-mail, work: valid",2\r\n');
    expect(csv).toContain('result,figure,1\r\n');
  });
});

describe('serviceUrl', () => {
  const page = new URL('https://ads.example/match/index.html');
  const answer = (status: number, body: unknown) => async () => new Response(JSON.stringify(body), { status });

  it('takes config.json beside the page, resolved against it', async () => {
    expect(await serviceUrl(page, answer(200, { service: 'https://psi.example/psi' }))).toBe('https://psi.example/psi');
    expect(await serviceUrl(page, answer(200, { service: './' }))).toBe('https://ads.example/match/');
  });

  it("falls back on the page's own directory without a config.json, and refuses a malformed one", async () => {
    expect(await serviceUrl(page, answer(404, {}))).toBe('https://ads.example/match/');
    await expect(serviceUrl(page, answer(200, { url: 'x' }))).rejects.toMatchObject({ code: 'SERVER_URL_INVALID' });
    await expect(serviceUrl(page, answer(500, {}))).rejects.toMatchObject({ code: 'SERVER_URL_INVALID' });
  });
});
