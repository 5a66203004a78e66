import type { ChildProcess } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listening, serveChild } from '../cli/serve-child.js';
import { psiItem } from '../../src/identifiers/item.js';
import { nodePort } from '../../src/transport/http-request.js';
import type { HttpPort } from '../../src/transport/http-port.js';

/** One `blindjoin serve` child process on loopback. */
export interface Replica {
  url: string;
  child: ChildProcess;
  stderr: () => string;
  /** Resolves the exit code (or signal name) once the process ended. */
  exited: Promise<number | string>;
}

/** Starts `blindjoin serve ARGS` from the sources in a child process (one process: kill -9 leaves nothing behind). */
export async function startReplica(args: string[]): Promise<Replica> {
  const served = serveChild(['--port', '0', ...args], { env: { ...process.env, BLINDJOIN_DATABASE_URL: '' } });
  return { url: await listening(served), child: served.child, stderr: served.stderr, exited: served.exited };
}

/** A platform CSV of `n` users, a tokens file of `ids`, and a client list overlapping the users in `overlap` items. */
export async function fixtures(n: number, ids: string[], clientItems: number, overlap: number) {
  const dir = await mkdtemp(join(tmpdir(), 'bj-replicas-'));
  const users = join(dir, 'users.csv');
  await writeFile(users, ['email', ...Array.from({ length: n }, (_, i) => `user${i}@example.com`)].join('\n') + '\n');
  const tokens = Object.fromEntries(ids.map((id) => [id, `${id}-${'t'.repeat(40)}`]));
  const tokensFile = join(dir, 'tokens');
  await writeFile(tokensFile, ids.map((id) => `${id} ${tokens[id]}`).join('\n') + '\n');
  const items = Array.from({ length: clientItems }, (_, i) =>
    psiItem('email', i < overlap ? `user${i}@example.com` : `customer${i}@example.org`),
  );
  return { dir, users, tokensFile, tokens, items };
}

/**
 * An HttpPort that sends each request to the replica `pick` names (by request
 * number and path), as a load balancer may; `pick` may also wait.
 */
export function steeredPort(pick: (n: number, path: string) => string | Promise<string>): HttpPort & { seen: string[] } {
  const inner = nodePort();
  const seen: string[] = [];
  let n = 0;
  return {
    seen,
    async request(method, url, init) {
      const to = new URL(url.pathname + url.search, await pick(n++, url.pathname));
      seen.push(`${method} ${to.origin} ${url.pathname}`);
      return inner.request(method, to, init);
    },
    close: () => inner.close(),
  };
}
