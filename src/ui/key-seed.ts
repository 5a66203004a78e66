const DB = 'blindjoin';
const STORE = 'key-seeds';

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
  });
}

function open(): Promise<IDBDatabase> {
  const req = indexedDB.open(DB, 1);
  req.onupgradeneeded = () => req.result.createObjectStore(STORE);
  return request(req);
}

/**
 * The advertiser's key secret for one service origin: 32 random bytes drawn
 * once (WebCrypto) and kept in the browser's IndexedDB, so that the same list
 * sent again is the same bytes and gets the same released figure rather than
 * fresh noise to average. It never leaves the page; it is handed to the match
 * as `keySeed`. Resolves to `undefined` where IndexedDB is unavailable (a
 * private window may refuse it): the match then draws a fresh key.
 *
 * @example
 * ```ts
 * const keySeed = await keySeedFor(new URL(service).origin);
 * ```
 */
export async function keySeedFor(origin: string): Promise<Uint8Array | undefined> {
  let db: IDBDatabase;
  try {
    db = await open();
  } catch {
    return undefined;
  }
  try {
    const kept: unknown = await request<unknown>(db.transaction(STORE, 'readonly').objectStore(STORE).get(origin));
    if (kept instanceof Uint8Array && kept.length === 32) return kept;
    const seed = crypto.getRandomValues(new Uint8Array(32));
    // add, not put: a second tab that drew its own secret first keeps its own, and this one reads it back.
    await request(db.transaction(STORE, 'readwrite').objectStore(STORE).add(seed, origin)).catch(() => undefined);
    const stored: unknown = await request<unknown>(db.transaction(STORE, 'readonly').objectStore(STORE).get(origin));
    return stored instanceof Uint8Array && stored.length === 32 ? stored : seed;
  } catch {
    return undefined;
  } finally {
    db.close();
  }
}
