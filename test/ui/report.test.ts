import { describe, expect, it } from 'vitest';
import { releaseNoisy } from '../../src/disclosure/release.js';
import { overlapText, platformLearns, youLearn } from '../../src/ui/report.js';
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
      'about how many of your customers the platform knows: a figure noised (epsilon 0.25), withheld below 100, rounded to 2 significant digits; never who',
    );
    expect(youLearn({ peerLearns: 'size' })).toMatch(/^exactly how many/);
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
