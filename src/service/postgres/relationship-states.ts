import type { RelationshipStates } from '../../store/relationship.js';
import { databaseError, type Database } from './database.js';

/**
 * Relationships' states in PostgreSQL (table `relationship_states`), shared by
 * replicas: per token, relationship id and epoch, the fingerprint of the client's
 * key and, per segment, the element file it was returned for and the SHA-256 of
 * the kept file. The kept files themselves stay in the store directory, which
 * replicas share, and are verified against these checksums when read.
 *
 * @example
 * ```ts
 * const service = new SessionService({ store, relationshipStates: new PostgresRelationshipStates(db) });
 * ```
 */
export class PostgresRelationshipStates implements RelationshipStates {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  async read(owner: string, id: string, epoch: string): Promise<string | undefined> {
    try {
      const { rows } = await this.#db.query<{ state: string }>(
        'SELECT state::text AS state FROM relationship_states WHERE token_id = $1 AND relationship_id = $2 AND epoch = $3',
        [owner, id, epoch],
      );
      return rows[0]?.state;
    } catch (e) {
      throw databaseError(e, 'reading a relationship');
    }
  }

  async write(owner: string, id: string, epoch: string, state: string): Promise<void> {
    try {
      await this.#db.query(
        `INSERT INTO relationship_states (token_id, relationship_id, epoch, state) VALUES ($1, $2, $3, $4::jsonb)
         ON CONFLICT (token_id, relationship_id, epoch) DO UPDATE SET state = EXCLUDED.state, updated_at = now()`,
        [owner, id, epoch, state],
      );
    } catch (e) {
      throw databaseError(e, 'keeping a relationship');
    }
  }
}
