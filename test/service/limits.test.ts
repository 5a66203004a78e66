import { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseTokens } from '../../src/service/index.js';
import { startPsiServer, type PsiServer } from '../../src/service.js';
import { encodeFrame } from '../../src/wire/frame.js';
import { encodeHandshake, GROUP_RISTRETTO255 } from '../../src/wire/messages.js';
import { emails, frameHeaders, raw } from '../transport/helpers.js';

// Counts blinders made, so that a refusal "before any blinding" can be checked.
const made = vi.hoisted(() => ({ count: 0 }));
vi.mock('../../src/group/create-blinder.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/group/create-blinder.js')>();
  return {
    ...real,
    createBlinder: (...args: Parameters<typeof real.createBlinder>) => {
      made.count++;
      return real.createBlinder(...args);
    },
  };
});

const ACME = 'acme-0123456789abcdef0123456789abcdef';
const BETA = 'beta-fedcba9876543210fedcba9876543210';
const tokens = parseTokens(`acme ${ACME}\nbeta ${BETA}\n`);
const platform = emails(0, 50);

let nextId = 1;
/** A client HELLO with a fresh session id, declaring `itemCount` items. */
function hello(itemCount = 10): { body: Uint8Array; id: string } {
  const sessionId = new Uint8Array(16);
  new DataView(sessionId.buffer).setUint32(12, nextId++);
  const body = encodeFrame(
    'hello',
    sessionId,
    0,
    encodeHandshake({ group: GROUP_RISTRETTO255, learn: 'size', peerLearns: 'intersection', itemCount }),
  );
  return { body, id: Buffer.from(sessionId).toString('hex') };
}

const open = (service: PsiServer, token: string, itemCount = 10) =>
  raw(service.url, 'POST', '/v1/sessions', { headers: frameHeaders(token), body: hello(itemCount).body });

describe('empty sessions and per-token limits', () => {
  let service: PsiServer;
  beforeAll(async () => {
    service = await startPsiServer({ disclosure: 'exact', group: 'ristretto255', items: platform, tokens, workers: 1, maxSessions: 16 });
  });
  afterAll(async () => {
    await service.close();
  });

  it('refuses a HELLO declaring 0 items with 422 TOO_FEW_ITEMS before blinding anything', async () => {
    made.count = 0;
    const reply = await open(service, ACME, 0);
    expect([reply.status, reply.json().code]).toEqual([422, 'TOO_FEW_ITEMS']);
    expect(made.count).toBe(0);
    expect(service.handler.sessions).toBe(0);
  });

  it('gives one token at most an eighth of the slots: its 3rd concurrent session of 16 gets 429 TOKEN_BUSY while another token still gets in', async () => {
    const first = hello();
    const second = hello();
    for (const h of [first, second]) {
      expect((await raw(service.url, 'POST', '/v1/sessions', { headers: frameHeaders(ACME), body: h.body })).status).toBe(201);
    }
    const third = await open(service, ACME);
    expect([third.status, third.json().code, third.headers['retry-after']]).toEqual([429, 'TOKEN_BUSY', '1']);
    const other = hello();
    expect((await raw(service.url, 'POST', '/v1/sessions', { headers: frameHeaders(BETA), body: other.body })).status).toBe(201);
    // Finishing (here: ending) one of its sessions lets the token in again.
    expect((await raw(service.url, 'DELETE', `/v1/sessions/${first.id}`, { headers: frameHeaders(ACME) })).status).toBe(204);
    const again = hello();
    expect((await raw(service.url, 'POST', '/v1/sessions', { headers: frameHeaders(ACME), body: again.body })).status).toBe(201);
    for (const [id, token] of [
      [second.id, ACME],
      [again.id, ACME],
      [other.id, BETA],
    ] as const) {
      await raw(service.url, 'DELETE', `/v1/sessions/${id}`, { headers: frameHeaders(token) });
    }
    expect(service.handler.sessions).toBe(0);
  });
});

describe('fair share of the session slots', () => {
  it('by default, two tokens cannot fill the 16 slots: each gets 2, and the others keep 12', async () => {
    const names = ['t0', 't1', 't2', 't3', 't4', 't5', 't6', 't7', 't8'];
    const secrets = names.map((n) => `${n}-${'0123456789abcdef'.repeat(2)}`);
    const table = parseTokens(names.map((n, i) => `${n} ${secrets[i]}`).join('\n'));
    const service = await startPsiServer({ disclosure: 'exact', group: 'ristretto255', items: platform, tokens: table, workers: 1 });
    try {
      const statuses = async (token: string, n: number) => {
        const got: number[] = [];
        for (let k = 0; k < n; k++) got.push((await open(service, token)).status);
        return got;
      };
      // The two greedy tokens try to take every slot.
      expect(await statuses(secrets[0]!, 16)).toEqual([201, 201, ...Array<number>(14).fill(429)]);
      expect(await statuses(secrets[1]!, 16)).toEqual([201, 201, ...Array<number>(14).fill(429)]);
      // Six more tokens fill the rest; only then is the service busy.
      for (const secret of secrets.slice(2, 8)) expect(await statuses(secret, 2)).toEqual([201, 201]);
      const ninth = await open(service, secrets[8]!);
      expect([ninth.status, ninth.json().code]).toEqual([503, 'SERVICE_BUSY']);
    } finally {
      await service.close();
    }
  });
});

describe('sessions per day', () => {
  it('refuses a token past sessionsPerDay with 429 SESSIONS_EXCEEDED, other tokens unaffected', async () => {
    const service = await startPsiServer({
      disclosure: 'exact',
      group: 'ristretto255',
      items: platform,
      tokens,
      workers: 1,
      sessionsPerDay: 2,
    });
    try {
      for (let i = 0; i < 2; i++) {
        const h = hello();
        expect((await raw(service.url, 'POST', '/v1/sessions', { headers: frameHeaders(ACME), body: h.body })).status).toBe(201);
        expect((await raw(service.url, 'DELETE', `/v1/sessions/${h.id}`, { headers: frameHeaders(ACME) })).status).toBe(204);
      }
      const refused = await open(service, ACME);
      expect([refused.status, refused.json().code]).toEqual([429, 'SESSIONS_EXCEEDED']);
      expect((await open(service, BETA)).status).toBe(201);
    } finally {
      await service.close();
    }
  });
});

describe('connection caps', () => {
  /** Opens a socket and resolves once it is connected; `closed` settles when the server drops it. */
  function connect(port: number): Promise<{ socket: Socket; closed: Promise<void> }> {
    return new Promise((resolve, reject) => {
      const socket = new Socket();
      const closed = new Promise<void>((r) => socket.once('close', () => r()));
      socket.on('error', () => undefined);
      socket.connect(port, '127.0.0.1', () => resolve({ socket, closed }));
      socket.once('error', reject);
    });
  }

  it('closes the sockets of one address beyond maxConnectionsPerAddress, and serves again once they go', async () => {
    const service = await startPsiServer({
      disclosure: 'exact',
      group: 'ristretto255',
      items: platform,
      workers: 1,
      maxConnectionsPerAddress: 4,
    });
    const sockets: Socket[] = [];
    try {
      const conns = [];
      for (let i = 0; i < 10; i++) conns.push(await connect(service.port));
      sockets.push(...conns.map((c) => c.socket));
      const state = conns.map((c) => {
        let gone = false;
        void c.closed.then(() => (gone = true));
        return () => gone;
      });
      for (let i = 0; i < 400 && state.filter((gone) => gone()).length < 6; i++) await new Promise((r) => setTimeout(r, 10));
      // The four first are held (they have not even sent headers); the six others were closed by the server.
      expect(state.map((gone) => gone())).toEqual([false, false, false, false, true, true, true, true, true, true]);

      for (const s of sockets) s.destroy();
      let status = 0;
      for (let i = 0; i < 100 && status !== 200; i++) {
        status = await raw(service.url, 'GET', '/healthz').then(
          (r) => r.status,
          () => 0,
        );
        if (status !== 200) await new Promise((r) => setTimeout(r, 20));
      }
      expect(status).toBe(200);
    } finally {
      for (const s of sockets) s.destroy();
      await service.close();
    }
  });
});
