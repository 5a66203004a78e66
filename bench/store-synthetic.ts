/**
 * A store of N random elements (top bit clear, as canonical x25519 u-coordinates) with
 * its row map, manifest and key file, and a kept relationship for a client key made of
 * random elements too (sorted into the relationship's kept set as a commit does). The
 * service never decodes its own stored or kept elements, so streaming from it and a
 * relationship refresh against it cost what they cost on a real store of that size;
 * what it cannot give is matches against the kept part. Used by bench/store.ts and
 * bench/refresh.ts (`--synthetic`).
 */
import { createHash, randomBytes, randomFillSync } from 'node:crypto';
import { mkdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { protocolSuite } from '../src/protocol/suite.js';
import { writeKeyFile } from '../src/store/key-file.js';
import { storePaths, switchEpoch } from '../src/store/layout.js';
import { STORE_FORMAT, writeManifest, type SegmentEntry } from '../src/store/manifest.js';
import { writeSegment } from '../src/store/segment-files.js';
import { sortedRun, writeSortedKept } from '../src/store/sorted-kept.js';
import { DEFAULT_SEGMENT_ITEMS } from '../src/store/writer.js';
import { relationshipFingerprint } from '../src/transport/protocol-http.js';

/** The bench's stored user `i`. */
export const benchUser = (i: number): string => `user.${i}@example.com`;

/** Random elements, top bit clear. */
export function randomElements(count: number): Uint8Array {
  const out = randomFillSync(new Uint8Array(count * 32));
  for (let i = 31; i < out.length; i += 32) out[i]! &= 0x7f;
  return out;
}

/** The directory of relationship `id` of an anonymous client (a service without tokens) in epoch `epoch` of `store`. */
export function relationshipDir(store: string, epoch: string, id: string): string {
  return join(store, 'relationships', `epoch-${epoch}`, createHash('sha256').update('anonymous').update('\0').update(id).digest('hex'));
}

/** Writes the synthetic store into `dir` (epoch `bench`), and relationship `bench` kept for the key of `seed`. */
export async function synthesizeStore(dir: string, n: number, seed: Uint8Array): Promise<{ segments: number }> {
  const epoch = 'bench';
  const paths = storePaths(dir, epoch);
  mkdirSync(paths.epochDir, { recursive: true, mode: 0o700 });
  await writeKeyFile(paths.key, protocolSuite('x25519').randomKey());
  const relDir = relationshipDir(dir, epoch, 'bench');
  mkdirSync(relDir, { recursive: true, mode: 0o700 });
  const segments: SegmentEntry[] = [];
  const kept: Record<string, { source: string }> = {};
  const runs: string[] = [];
  for (let s = 0, from = 0; from < n; s++, from += DEFAULT_SEGMENT_ITEMS) {
    const count = Math.min(DEFAULT_SEGMENT_ITEMS, n - from);
    const rows = Array.from({ length: count }, (_, k) => [
      { index: from + k, source: 0, row: { line: from + k + 2, value: benchUser(from + k) } },
    ]);
    const entry = await writeSegment(paths, s, 0, randomElements(count), rows);
    segments.push(entry);
    runs.push(join(relDir, `.run-${s}.partial`));
    writeFileSync(runs.at(-1)!, sortedRun(randomElements(count), s));
    kept[s] = { source: entry.elements };
  }
  const tag = randomBytes(8).toString('hex');
  const sorted = await writeSortedKept(
    { data: join(relDir, `kept-${tag}.sorted`), index: join(relDir, `kept-${tag}.index`) },
    runs.map((path) => ({ path, keep: () => true })),
  );
  for (const run of runs) unlinkSync(run);
  writeFileSync(
    join(relDir, 'state.json'),
    JSON.stringify({ format: 2, fingerprint: relationshipFingerprint(seed), segments: kept, sorted: { ...sorted, tag } }),
  );
  const now = new Date().toISOString();
  await writeManifest(paths.manifest, {
    format: STORE_FORMAT,
    group: 'x25519',
    epoch,
    createdAt: now,
    updatedAt: now,
    elements: n,
    removed: 0,
    items: n,
    sources: 1,
    segmentItems: DEFAULT_SEGMENT_ITEMS,
    segments,
  });
  await switchEpoch(dir, epoch);
  return { segments: segments.length };
}
