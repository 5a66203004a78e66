/**
 * Where a balanced n x n session's CPU goes, phase by phase, per item and side, in
 * one process (x25519, backend `'auto'`):
 *
 * - each phase alone on this thread, on the session's own data: preparing the items
 *   (expand_message_xmd and deduplication), the hash to group, X25519 (twice per item
 *   and side: blind own, re-blind the peer's), the join;
 * - the worker pool's overhead: the CPU of the whole process for an X25519 call on
 *   the pool minus the same call inline (copies into pieces, messages, transfers back,
 *   reassembly, thread wake-ups);
 * - the session itself (`runLocal`, every core), whose CPU minus the phases above
 *   is the protocol's bookkeeping and the wire (frames, copies, shuffles, checks).
 *
 * CPU time (`process.cpuUsage`, every thread) rather than wall time, medians of
 * three rounds (`--rounds`); the load average is recorded. The per-phase figures are from this
 * thread only and change little with load; the session's total includes the
 * workers and is more load-sensitive.
 *
 *   npx tsx bench/phases.ts            # 10^4 x 10^4, about 10 s of CPU
 *   npx tsx bench/phases.ts --n 1e6 --rounds 1   # 10^6 x 10^6, each phase once (about 4 minutes of CPU)
 */
import { createBlinder } from '../src/group/create-blinder.js';
// Blinders on every core, as in the Node entry and the service.
import '../src/pool/install.js';
import { stopIdlePools } from '../src/pool/registry.js';
import { loadX25519Backend, isSyncX25519Backend } from '../src/group/x25519/load.js';
import { randomX25519Key } from '../src/group/x25519/key.js';
import { intersectPacked } from '../src/join/index.js';
import { prepareItems } from '../src/protocol/items.js';
import { X25519_HASH_DST } from '../src/protocol/version.js';
import { machineInfo, printTable, readLoad, writeResults } from './lib/index.js';
import { makeSets, runSession } from './session.js';

const at = process.argv.indexOf('--n');
const n = at === -1 ? 1e4 : Number(process.argv[at + 1]);
const rounds = process.argv.indexOf('--rounds');
const ROUNDS = rounds === -1 ? 3 : Number(process.argv[rounds + 1]);

/** Median CPU microseconds of the whole process for `fn`, over ROUNDS runs after one warm-up (none for a single round). */
async function cpuUs(fn: () => unknown): Promise<number> {
  if (ROUNDS > 1) await fn();
  const runs: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const c0 = process.cpuUsage();
    await fn();
    const c = process.cpuUsage(c0);
    runs.push(c.user + c.system);
  }
  return runs.sort((x, y) => x - y)[ROUNDS >> 1]!;
}

const backend = await loadX25519Backend('auto');
if (!isSyncX25519Backend(backend)) throw new Error(`backend ${backend.name} is asynchronous`);
const { a, b } = makeSets(n, n, n / 2);
const key = randomX25519Key();
const loadBefore = readLoad();

const prepared = prepareItems(a, X25519_HASH_DST);
const elements = backend.fromUniform(prepared.packed);
const prepareUs = await cpuUs(() => prepareItems(a, X25519_HASH_DST));
const hashUs = await cpuUs(() => backend.fromUniform(prepared.packed));
const x25519Us = await cpuUs(() => backend.multiply(elements, key));
const pooled = await createBlinder({ key: key.slice(), group: 'x25519' });
const pooledUs = await cpuUs(() => pooled.reblind(elements));
await pooled.close();
const own = backend.multiply(elements, key);
const peer = backend.multiply(backend.fromUniform(prepareItems(b, X25519_HASH_DST).packed), key);
const joinUs = await cpuUs(() => intersectPacked(own, peer, { width: 32 }));
await runSession(makeSets(1000, 1000, 500), undefined, undefined, 'x25519'); // warm, as a running service is
const sessionUs = await cpuUs(() => runSession({ a, b }, undefined, undefined, 'x25519'));
await stopIdlePools();
const loadAfter = readLoad();

// Per item and side: one prepare, one hash, two X25519 (each through the pool), half a join.
const perItem = (us: number) => us / n;
const phases = {
  'prepare (expand_message_xmd + dedupe)': perItem(prepareUs),
  'hash to group (WebAssembly)': perItem(hashUs),
  'X25519 x 2': 2 * perItem(x25519Us),
  'pool overhead x 2': 2 * perItem(pooledUs - x25519Us),
  join: perItem(joinUs) / 2,
};
const accounted = Object.values(phases).reduce((s, v) => s + v, 0);
const session = sessionUs / (2 * n);
const rows = [
  ...Object.entries(phases).map(([phase, us]) => ({
    phase,
    'CPU us per item and side': Number(us.toFixed(2)),
    share: `${((us / session) * 100).toFixed(1)}%`,
  })),
  {
    phase: 'protocol, wire and the rest',
    'CPU us per item and side': Number((session - accounted).toFixed(2)),
    share: `${(((session - accounted) / session) * 100).toFixed(1)}%`,
  },
  { phase: 'session (runLocal, all threads)', 'CPU us per item and side': Number(session.toFixed(2)), share: '100%' },
];
console.log(`balanced ${n} x ${n}, x25519, backend ${backend.name}: CPU per item and side`);
printTable(rows);
console.log(`load average ${loadBefore.load} before, ${loadAfter.load} after (${loadBefore.cores} cores)`);
const path = writeResults(n === 1e4 ? 'phases' : `phases-${n}`, {
  machine: machineInfo(),
  n,
  backend: backend.name,
  rounds: ROUNDS,
  loadBefore,
  loadAfter,
  cpuUs: { prepareUs, hashUs, x25519Us, pooledUs, joinUs, sessionUs },
  rows,
});
console.log(`results: ${path}`);
