import type { GroupName } from '../group/suite.js';
import { currentEpoch, storePaths } from '../store/layout.js';
import { readManifest } from '../store/manifest.js';
import { openStore, type OpenedStore } from '../store/reader.js';
import type { ResponderLease, ResponderSets } from './key-rotation.js';

interface Open {
  store: OpenedStore;
  refs: number;
  retired: boolean;
}

/**
 * {@link ResponderSets} served from a prepared store (`blindjoin prepare`): every
 * session reads the current epoch's elements from disk, none blinds the
 * platform's set. At each new session the `current` pointer is read again;
 * when it names another epoch (a rollover, `prepare --next-epoch`) or the epoch
 * was updated (`--add`/`--remove`), that one is verified, opened and used for
 * sessions from then on, while sessions in progress finish on theirs. A store
 * that fails verification is refused, and the service keeps serving the last good one.
 *
 * @example
 * ```ts
 * const sets = await openStoreSets('/var/lib/blindjoin/store', { log: console.error });
 * const service = new SessionService({ store: sets });
 * ```
 */
export interface StoreSets extends ResponderSets {
  /** The epoch new sessions use. */
  readonly current: OpenedStore;
}

/** What identifies the served state of the store: the current epoch and its manifest's last update. */
async function stamp(dir: string): Promise<string | undefined> {
  const epoch = await currentEpoch(dir);
  if (epoch === undefined) return undefined;
  // The manifest's updatedAt changes with every update; its epoch with every rollover.
  const manifest = await readManifest(storePaths(dir, epoch).manifest).catch(() => undefined);
  return `${epoch}\n${manifest?.updatedAt ?? ''}`;
}

/**
 * Opens the store in `dir` for a service (see {@link StoreSets}); logs which epoch it serves.
 *
 * @example
 * ```ts
 * const sets = await openStoreSets('store', { group: 'x25519', log: (line) => console.error(line) });
 * ```
 */
export async function openStoreSets(
  dir: string,
  opts: { group?: GroupName | undefined; log?: (line: string) => void } = {},
): Promise<StoreSets> {
  const log = opts.log ?? (() => undefined);
  const describe = (s: OpenedStore) =>
    `serving store ${dir}, epoch ${s.epoch} (${s.manifest.group}, ${s.manifest.elements} elements, ${s.manifest.removed} removed, updated ${s.manifest.updatedAt})`;
  let current: Open = { store: await openStore(dir, opts.group === undefined ? {} : { group: opts.group }), refs: 0, retired: false };
  let seen = await stamp(dir);
  log(describe(current.store));
  const dispose = (o: Open) => {
    if (o.retired && o.refs === 0) o.store.close();
  };
  return {
    get current() {
      return current.store;
    },
    async acquire(): Promise<ResponderLease> {
      const now = await stamp(dir).catch(() => seen);
      if (now !== seen) {
        seen = now;
        try {
          const next: Open = { store: await openStore(dir, { group: current.store.manifest.group }), refs: 0, retired: false };
          current.retired = true;
          dispose(current);
          current = next;
          log(describe(next.store));
        } catch (e) {
          log(`store ${dir} changed but does not verify; still serving epoch ${current.store.epoch}: ${(e as Error).message}`);
        }
      }
      const held = current;
      held.refs++;
      let released = false;
      return {
        source: { storedSet: held.store.set },
        version: `store-${held.store.epoch}-${held.store.manifest.updatedAt}`,
        store: held.store,
        release() {
          if (released) return;
          released = true;
          held.refs--;
          dispose(held);
        },
      };
    },
    close() {
      current.retired = true;
      dispose(current);
    },
  };
}
