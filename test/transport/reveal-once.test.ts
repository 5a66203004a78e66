import { beforeEach, describe, expect, it, vi } from 'vitest';
import { checkOptions, withParsedReveal } from '../../src/protocol/options.js';
import { PsiParty } from '../../src/protocol/party.js';
import type { PartyOptions } from '../../src/protocol/types.js';
import { openPlatform } from '../../src/service/platform.js';
import { matchWith, ServiceError } from '../../src/transport/client.js';
import type { HttpAnswer, HttpPort } from '../../src/transport/http-port.js';
import { parseReveal } from '../../src/wire/reveal.js';
import { drive } from '../service/drive.js';
import { emails } from './helpers.js';

// The reveal modes of a session are parsed where they enter (the client's
// options, the service's terms) and carried parsed into the party: counted
// here, each mode once.
vi.mock('../../src/wire/reveal.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/wire/reveal.js')>();
  return { ...real, parseReveal: vi.fn(real.parseReveal) };
});

beforeEach(() => {
  vi.clearAllMocks();
});

/** What each parse was of, in order. */
function parsed(): string[] {
  return vi.mocked(parseReveal).mock.calls.map(([, what]) => what);
}

/** A service that publishes `terms` and refuses every session, after the client has built its party. */
function refusingService(terms: object): { port: HttpPort; posted: () => number } {
  let posted = 0;
  const answer = (status: number, json: object): HttpAnswer => ({
    status,
    statusText: '',
    header: () => undefined,
    body: new TextEncoder().encode(JSON.stringify(json)),
  });
  return {
    port: {
      async request(method, url) {
        if (method === 'GET' && url.pathname.endsWith('/v1/terms')) return answer(200, terms);
        posted++;
        return answer(403, { code: 'UNAUTHORIZED', message: 'no' });
      },
      close() {},
    },
    posted: () => posted,
  };
}

const items = ['ann@example.com', 'bob@example.com'];

describe('the reveal modes of a match', () => {
  it('are parsed once when the caller names them: the party takes them as matchWith parsed them', async () => {
    const service = refusingService({});
    const session = matchWith(service.port, {
      server: 'http://psi.test',
      items,
      learn: 'size',
      peerLearns: 'intersection',
      group: 'x25519',
    });
    await expect(session).rejects.toBeInstanceOf(ServiceError);
    expect(service.posted()).toBe(1);
    expect(parsed()).toEqual(['learn', 'peerLearns']);
  });

  it("are parsed once when taken from the service's terms", async () => {
    const service = refusingService({ learn: 'intersection', peerLearns: 'size', group: 'x25519' });
    await expect(matchWith(service.port, { server: 'http://psi.test', items })).rejects.toBeInstanceOf(ServiceError);
    expect(service.posted()).toBe(1);
    expect(parsed()).toEqual(['the service terms (learn)', 'the service terms (peerLearns)']);
  });

  it('are refused where they enter, with the code they always had, before any request', async () => {
    const service = refusingService({});
    const session = matchWith(service.port, { server: 'http://psi.test', items, learn: 'all' as never, group: 'x25519' });
    await expect(session).rejects.toMatchObject({ code: 'REVEAL_INVALID' });
    expect(service.posted()).toBe(0);
  });
});

describe('party options', () => {
  const options: PartyOptions = { role: 'initiator', items, learn: 'size', peerLearns: 'intersection' };

  it('are parsed when a caller hands them over, each reveal mode once', () => {
    checkOptions({ ...options });
    expect(parsed()).toEqual(['learn', 'peerLearns']);
  });

  it('marked as parsed keep their modes without a second parse, and every other check', () => {
    expect(checkOptions(withParsedReveal({ ...options }))).toMatchObject({ learn: 'size', peerLearns: 'intersection' });
    expect(parsed()).toEqual([]);
    expect(() => checkOptions(withParsedReveal({ ...options, maxPeerItems: 0 }))).toThrow(/maxPeerItems/);
  });

  it('marked as parsed are frozen: a mode cannot be swapped after it was parsed', () => {
    const marked = withParsedReveal({ ...options });
    expect(() => {
      (marked as { learn: string }).learn = 'everything';
    }).toThrow(TypeError);
  });
});

describe("a service's reveal modes", () => {
  it('are parsed once, when the service is built, and not again for each session', async () => {
    const platform = await openPlatform({ items: emails(0, 150), disclosure: 'exact', workers: 1 });
    try {
      expect(parsed()).toEqual(['learn', 'peerLearns']);
      vi.clearAllMocks();
      for (let k = 0; k < 2; k++) {
        const client = withParsedReveal({
          role: 'initiator',
          items: emails(100, 200),
          learn: 'size',
          peerLearns: 'intersection',
          workers: 1,
        });
        await drive(platform.service, { id: 'acme' }, new PsiParty(client));
      }
      expect(parsed()).toEqual([]);
    } finally {
      await platform.close();
    }
  });
});
