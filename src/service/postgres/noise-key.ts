import { randomBytes } from 'node:crypto';
import { PsiError } from '../../errors.js';
import { databaseError, type Database } from './database.js';

/**
 * The key of consistent noise shared by every replica: one row, created once.
 * Each replica offers a fresh random key and keeps whichever was stored first
 * (`INSERT ... ON CONFLICT DO NOTHING`, then `SELECT`), so replicas starting
 * together agree on one. Whoever can read the database can read this key.
 *
 * @example
 * ```ts
 * const noiseKey = await sharedNoiseKey(db); // 32 bytes, the same in every replica
 * ```
 */
export async function sharedNoiseKey(db: Database): Promise<Uint8Array> {
  try {
    await db.query('INSERT INTO noise_key (id, key) VALUES (1, $1) ON CONFLICT (id) DO NOTHING', [randomBytes(32)]);
    const { rows } = await db.query<{ key: Buffer }>('SELECT key FROM noise_key WHERE id = 1');
    const key = rows[0]?.key;
    if (key?.length !== 32) throw new PsiError('DATABASE_FAILED', 'the stored noise key is not 32 bytes');
    return new Uint8Array(key);
  } catch (e) {
    throw databaseError(e, 'reading the noise key');
  }
}
