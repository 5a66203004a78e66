import { PsiError } from '../../errors.js';
import type { Audience } from '../audiences/model.js';
import type { AudienceLogEntry, AudienceRecords } from '../audiences/store.js';
import { databaseError, type Database } from './database.js';

/** First key of the per-audience advisory locks (the second is the token and name's hash). */
const AUDIENCE_LOCK_SPACE = 0x626a_6175; // "bjau"

/**
 * Audiences in PostgreSQL, shared by every replica: one row per token and name
 * holding the whole audience (members included), a change log table, and a
 * per-audience advisory lock held across each read-change-write, so that two
 * replicas finishing sessions on one audience never lose either update.
 * `mirror` (the files under `--out`, for the platform's ad server) is written
 * after each change the database committed.
 *
 * @example
 * ```ts
 * const audiences = new RetainedAudiences(postgresAudienceRecords(state.db, fileAudienceRecords('results')), { retentionMs });
 * ```
 */
export function postgresAudienceRecords(db: Database, mirror?: AudienceRecords): AudienceRecords {
  const query = async <R extends Record<string, unknown>>(doing: string, sql: string, params: unknown[]) => {
    try {
      return await db.query<R>(sql, params);
    } catch (e) {
      throw databaseError(e, doing);
    }
  };
  return {
    async load(tokenId, name) {
      const { rows } = await query<{ record: Audience }>(
        'reading an audience',
        'SELECT record FROM audiences WHERE token_id = $1 AND name = $2',
        [tokenId, name],
      );
      return rows[0]?.record;
    },
    async save(audience) {
      await query(
        'writing an audience',
        `INSERT INTO audiences (token_id, name, record, updated_at) VALUES ($1, $2, $3::jsonb, now())
         ON CONFLICT (token_id, name) DO UPDATE SET record = EXCLUDED.record, updated_at = now()`,
        [audience.tokenId, audience.name, JSON.stringify(audience)],
      );
      await mirror?.save(audience);
    },
    async remove(tokenId, name) {
      await query('deleting an audience', 'DELETE FROM audiences WHERE token_id = $1 AND name = $2', [tokenId, name]);
      await mirror?.remove(tokenId, name);
    },
    async names(tokenId) {
      const { rows } = await query<{ name: string }>('listing audiences', 'SELECT name FROM audiences WHERE token_id = $1', [tokenId]);
      return rows.map((r) => r.name);
    },
    async tokens() {
      const { rows } = await query<{ token_id: string }>('listing audiences', 'SELECT DISTINCT token_id FROM audiences', []);
      return rows.map((r) => r.token_id);
    },
    async log(entry: AudienceLogEntry) {
      await query('logging an audience change', 'INSERT INTO audience_log (entry) VALUES ($1::jsonb)', [JSON.stringify(entry)]);
      await mirror?.log(entry);
    },
    async exclusive(tokenId, name, fn) {
      let client;
      try {
        client = await db.connect();
        await client.query('SELECT pg_advisory_lock($1, hashtext($2))', [AUDIENCE_LOCK_SPACE, JSON.stringify([tokenId, name])]);
      } catch (e) {
        client?.release();
        throw databaseError(e, 'locking an audience');
      }
      try {
        return await fn();
      } finally {
        await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [AUDIENCE_LOCK_SPACE, JSON.stringify([tokenId, name])]).then(
          () => client.release(),
          (e: unknown) => client.release(e instanceof Error ? e : new PsiError('DATABASE_FAILED', String(e))),
        );
      }
    },
  };
}
