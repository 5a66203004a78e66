/**
 * The one registry of failure codes. Each code has the HTTP status the service
 * answers it with and a one-line meaning; docs/errors.md lists every code (a test
 * keeps the two in step). Callers branch on `code`, never on `message`.
 *
 * Status 400 is a bad request or bad peer data, 4xx others a refusal the client
 * can act on, 5xx the service's own failure. Codes only a library caller or the
 * CLI can meet carry the status they would have if a service relayed them.
 */
export const ERROR_CODES = {
  // Options and misuse of the API.
  OPTIONS_INVALID: { status: 400, meaning: 'an option is missing, of the wrong type or out of range' },
  ROLE_INVALID: { status: 400, meaning: "role is neither 'initiator' nor 'responder'" },
  REVEAL_INVALID: { status: 400, meaning: 'a reveal mode (option or wire code) is unknown' },
  ITEMS_INVALID: { status: 400, meaning: 'items is not an array of strings and byte arrays' },
  BACKEND_UNKNOWN: { status: 400, meaning: 'the named arithmetic backend does not exist' },
  BACKEND_UNAVAILABLE: {
    status: 500,
    meaning: 'the named arithmetic backend cannot load here, or does not exist for the chosen group suite',
  },
  SCALAR_INVALID: { status: 400, meaning: 'a secret scalar is not 32 bytes in [1, order)' },
  HASH_INPUT_INVALID: { status: 400, meaning: 'a message or domain-separation tag cannot be hashed' },
  PACKED_LENGTH_INVALID: { status: 400, meaning: 'a packed buffer is not a whole number of records' },
  JOIN_INPUT_INVALID: { status: 400, meaning: 'a join input is malformed' },
  JOIN_INPUT_TOO_LARGE: { status: 413, meaning: 'a join input exceeds what the join can index' },
  MESSAGE_REQUIRED: { status: 400, meaning: 'step() was called without the peer message it needs' },
  NOT_DONE: { status: 409, meaning: 'result() was called before the session completed' },
  SESSION_DONE: { status: 400, meaning: 'the session has already completed' },
  SESSION_CLOSED: { status: 410, meaning: 'the session was closed, possibly while a step was running' },
  SESSION_INCOMPLETE: { status: 502, meaning: 'the parties stopped talking before both completed' },
  SET_DESTROYED: { status: 410, meaning: 'a blinded set was used after its key was destroyed' },
  BLINDER_CLOSED: { status: 410, meaning: 'a blinder was used after close()' },
  WORKER_FAILED: { status: 500, meaning: 'a worker thread crashed or exited' },

  // The wire: frames and payloads from a peer (docs/protocol.md).
  FRAME_INVALID: { status: 400, meaning: 'a frame is not a byte array' },
  FRAME_TRUNCATED: { status: 400, meaning: 'a frame is shorter than its header or declared length' },
  FRAME_TRAILING_BYTES: { status: 400, meaning: 'a frame is longer than its declared length' },
  FRAME_MAGIC: { status: 400, meaning: 'the bytes are not a blindjoin frame' },
  FRAME_TYPE_UNKNOWN: { status: 400, meaning: 'the frame type is unknown' },
  FRAME_RESERVED: { status: 400, meaning: 'reserved header bytes are not zero' },
  FRAME_TOO_LARGE: { status: 413, meaning: 'a payload exceeds 1 MiB' },
  FRAME_OUT_OF_ORDER: { status: 400, meaning: 'a frame has an unexpected sequence number (replayed or reordered)' },
  VERSION_MISMATCH: { status: 400, meaning: 'the peer speaks another protocol version' },
  SESSION_MISMATCH: { status: 400, meaning: 'a frame belongs to another session' },
  UNEXPECTED_FRAME: { status: 400, meaning: 'a frame type that the session does not expect now' },
  PAYLOAD_INVALID: { status: 400, meaning: 'a payload is malformed for its frame type' },
  GROUP_MISMATCH: { status: 409, meaning: 'the peer uses another group suite (x25519 or ristretto255)' },
  MODE_MISMATCH: { status: 409, meaning: 'the peer wants to learn more, or grants less, than agreed' },
  TOO_MANY_ITEMS: { status: 413, meaning: 'more items than the party, the wire or the service accepts' },
  CHUNK_OFFSET: { status: 400, meaning: 'a chunk does not start where the stream stands' },
  CHUNK_OVERFLOW: { status: 400, meaning: 'a chunk carries more elements than the peer still owes' },
  POINT_INVALID: { status: 400, meaning: 'an element is not a canonical encoding, or is the identity or (x25519) of small order' },
  PEER_DUPLICATE: { status: 400, meaning: 'the peer sent or returned the same element twice' },

  // Additively homomorphic encryption for aggregates (src/homomorphic, docs/measurement.md).
  CIPHERTEXT_INVALID: {
    status: 400,
    meaning: 'a ciphertext is not two canonical ristretto255 encodings, or its first part is the identity',
  },
  PLAINTEXT_OUT_OF_RANGE: { status: 400, meaning: 'a value to encrypt is not an integer within the declared bound' },
  SUM_OUT_OF_RANGE: {
    status: 422,
    meaning: 'a ciphertext decrypts to no value within the bounded range (overflow, another key or tampering)',
  },
  MEASURE_VALUE_INVALID: { status: 400, meaning: 'a value column entry is not a non-negative integer, or a sum leaves the safe range' },
  COLUMN_UNKNOWN: { status: 422, meaning: 'a value column asked for is not offered, or a value column is not in the input' },

  // Identifiers and input files.
  EMPTY: { status: 400, meaning: 'the identifier is empty after normalisation' },
  VALUE_INVALID: { status: 400, meaning: 'the value is not a string' },
  TYPE_UNKNOWN: { status: 400, meaning: 'the identifier type is unknown' },
  PROFILE_UNKNOWN: { status: 400, meaning: 'the normalisation profile is unknown' },
  EMAIL_INVALID: { status: 400, meaning: 'not a valid email address' },
  PHONE_INVALID: { status: 400, meaning: 'not a valid phone number' },
  PHONE_COUNTRY_REQUIRED: { status: 400, meaning: 'a phone number without country code and no default country' },
  DEFAULT_COUNTRY_INVALID: { status: 400, meaning: 'the default country is not an ISO 3166-1 alpha-2 code' },
  NAME_INVALID: { status: 400, meaning: 'not a valid name' },
  CITY_INVALID: { status: 400, meaning: 'not a valid city' },
  STATE_INVALID: { status: 400, meaning: 'not a valid state or region' },
  ZIP_INVALID: { status: 400, meaning: 'not a valid postal code' },
  COUNTRY_INVALID: { status: 400, meaning: 'not a valid country' },
  DOB_INVALID: { status: 400, meaning: 'not a valid date of birth' },
  DOB_AMBIGUOUS: { status: 400, meaning: 'a date of birth whose day and month cannot be told apart' },
  GENDER_INVALID: { status: 400, meaning: 'not a recognised gender value' },
  MAID_INVALID: { status: 400, meaning: 'not a valid mobile advertiser id' },
  COMPOSITE_INVALID: { status: 400, meaning: 'a composite key does not have exactly the fields of its type' },
  ENCODING_INVALID: { status: 400, meaning: 'a pre-hashed value is not valid hex or base64 of a SHA-256' },
  SHA256_INVALID: { status: 400, meaning: 'a pre-hashed identifier is not 64 hex digits' },
  ENCODING_UNKNOWN: { status: 400, meaning: 'the hash encoding is unknown' },
  CSV_OPTIONS_INVALID: { status: 400, meaning: 'the CSV reading options are invalid' },
  CSV_COLUMN_MISSING: { status: 400, meaning: 'a named column is not in the CSV header' },
  CSV_MALFORMED: { status: 400, meaning: 'the CSV cannot be parsed' },
  CSV_RECORD_TOO_LARGE: { status: 400, meaning: 'a CSV record exceeds the size bound' },
  CSV_UNREADABLE: { status: 400, meaning: 'the CSV stream failed' },
  HASH_FILE_FAILED: { status: 500, meaning: 'the hashed upload file cannot be written' },
  INPUT_UNREADABLE: { status: 400, meaning: 'an input file cannot be read' },

  // The HTTP service and its client (docs/service.md).
  UNAUTHORIZED: { status: 401, meaning: 'no valid bearer token' },
  NOT_FOUND: { status: 404, meaning: 'no such route' },
  SESSION_NOT_FOUND: { status: 404, meaning: 'no such session (never started, collected, expired or another token)' },
  METHOD_NOT_ALLOWED: { status: 405, meaning: 'the method is not allowed on the route' },
  SESSION_EXISTS: { status: 409, meaning: 'a session with this id already exists' },
  BODY_TOO_LARGE: { status: 413, meaning: 'the request body exceeds the bound' },
  BODY_UNREADABLE: { status: 400, meaning: 'the request body stream failed' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, meaning: 'frames must be sent as application/octet-stream' },
  QUOTA_EXCEEDED: { status: 429, meaning: "the token's daily item quota is spent" },
  TOKEN_BUSY: { status: 429, meaning: 'the token has as many sessions in progress as it may' },
  SESSIONS_EXCEEDED: { status: 429, meaning: "the token's daily session allowance is spent" },
  TOO_FEW_ITEMS: { status: 422, meaning: 'the session would blind nothing useful (an empty set)' },
  SERVICE_BUSY: { status: 503, meaning: 'the service runs as many sessions as it may' },
  SERVICE_CLOSING: { status: 503, meaning: 'the service is shutting down' },
  RESULT_WRITE_FAILED: { status: 500, meaning: 'a session result cannot be written' },
  OUT_DIR_UNUSABLE: { status: 500, meaning: 'the results directory cannot be created or written' },
  LISTEN_FAILED: { status: 500, meaning: 'the service cannot listen on the address' },
  TOKENS_INVALID: { status: 500, meaning: 'the tokens file is malformed' },
  TOKENS_UNREADABLE: { status: 500, meaning: 'the tokens file cannot be read' },
  TOKENS_REQUIRED: { status: 500, meaning: 'a non-loopback service needs a tokens file' },
  UI_MISSING: { status: 500, meaning: "the advertiser's page is not built, or its directory cannot be read" },
  INTERNAL: { status: 500, meaning: 'an unexpected internal error (logged by the service)' },
  SERVER_URL_INVALID: { status: 400, meaning: 'the service URL is not an http(s) URL' },
  SERVICE_UNREACHABLE: { status: 503, meaning: 'the service cannot be reached' },
  SERVICE_REFUSED: { status: 502, meaning: 'the service refused without a known code' },
  SESSION_LOST: { status: 502, meaning: 'the service dropped the session or died mid-way' },
  SESSION_STALLED: { status: 502, meaning: 'the service announces frames but sends none' },
  ABORTED: { status: 499, meaning: 'the caller aborted the session' },

  // Audiences and budgets people can see (docs/audiences.md).
  AUDIENCE_NAME_INVALID: { status: 400, meaning: 'an audience name is not 1-100 printable characters (percent-encoded UTF-8 over HTTP)' },
  AUDIENCE_MODE_INVALID: { status: 400, meaning: "an audience mode is not 'replace', 'add' or 'remove'" },
  AUDIENCE_NOT_FOUND: { status: 404, meaning: "no such audience of this token (never created, deleted, expired, or another token's)" },
  AUDIENCE_UNAVAILABLE: { status: 409, meaning: 'the service does not learn the intersection, so it keeps no audiences' },
  AUDIENCE_WRITE_FAILED: { status: 500, meaning: 'an audience or the audience change log cannot be written (the old audience is kept)' },
  AUDIENCE_CORRUPT: { status: 500, meaning: 'the files of an audience cannot be read back' },

  // Disclosure policy and privacy budget (docs/privacy.md).
  POLICY_INVALID: {
    status: 400,
    meaning: 'a disclosure policy or privacy parameter (epsilon, sensitivity, threshold, rounding) is out of range',
  },
  BUDGET_EXCEEDED: { status: 429, meaning: "the token's privacy budget (epsilon over the window) cannot pay for another release" },
  LEDGER_CORRUPT: { status: 500, meaning: 'the privacy budget ledger file is not a valid ledger (it is never reset silently)' },
  LEDGER_UNREADABLE: { status: 500, meaning: 'the privacy budget ledger file cannot be read' },
  LEDGER_WRITE_FAILED: { status: 500, meaning: 'the privacy budget ledger file cannot be written' },
  LEDGER_CLOSED: { status: 503, meaning: 'the privacy budget ledger was used after close()' },

  // Where a service keeps its state, and who may reach it (docs/service.md).
  STATE_LOCKED: { status: 500, meaning: 'another live process holds the state directory (one state directory, one process)' },
  HOST_INVALID: { status: 421, meaning: 'the Host header names no host this service answers for (DNS rebinding)' },

  // The platform's prepared store (docs/service.md, "Prepared store").
  STORE_NOT_FOUND: { status: 500, meaning: 'the store directory, its current epoch or a file of it does not exist' },
  STORE_CORRUPT: {
    status: 500,
    meaning: 'a store file is truncated, fails its SHA-256 checksum or is malformed (a store is never served unverified)',
  },
  STORE_KEY_EXPOSED: { status: 500, meaning: "the store's key file is readable or writable by other users than its owner (chmod 600 it)" },
  STORE_EPOCH_MISMATCH: { status: 500, meaning: 'the store holds another epoch, group or input than the one asked for' },
  STORE_INCOMPLETE: { status: 500, meaning: 'the store was not fully prepared (rerun prepare to resume it)' },
  STORE_WRITE_FAILED: { status: 500, meaning: 'a store file cannot be written' },

  // Shared state in PostgreSQL and replicas (docs/deploy-postgres.md).
  DATABASE_UNREACHABLE: { status: 503, meaning: 'the PostgreSQL database cannot be reached, or refused the connection' },
  DATABASE_FAILED: { status: 503, meaning: 'a statement on the PostgreSQL database failed (nothing was charged or handed out)' },
  DATABASE_SCHEMA_NEWER: { status: 500, meaning: 'the database schema is newer than this version of blindjoin knows (upgrade it)' },
  SESSION_REPLICA_GONE: { status: 410, meaning: 'the replica holding the session stopped; start a fresh session' },

  // Prepare on workers: the job queue of `prepare --queue` and `blindjoin worker` (docs/prepare-workers.md).
  QUEUE_UNAVAILABLE: { status: 500, meaning: 'the job queue cannot be reached or refused an operation' },
  PREPARE_SEGMENT_FAILED: { status: 500, meaning: 'a segment failed on every worker try (rerun prepare to resume)' },

  // The CLI.
  KEY_FILE_EXPOSED: {
    status: 400,
    meaning: "the advertiser's key file is readable or writable by other users than its owner (chmod 600 it)",
  },
  KEY_FILE_INVALID: { status: 400, meaning: "the advertiser's key file cannot be read or created, or does not hold 32 bytes" },
  CACHE_INVALID: {
    status: 400,
    meaning: 'a blinded cache file is not one (format version, length or checksum); match ignores it and blinds afresh',
  },
  RESULT_MISSING: { status: 500, meaning: 'the demo found no result file' },
  DEMO_MISMATCH: { status: 500, meaning: 'the demo found another overlap than it planted' },

  // Operations: config files and BLINDJOIN_* environment variables (docs/deploy.md).
  CONFIG_INVALID: {
    status: 400,
    meaning: 'a config file or BLINDJOIN_* variable has an unknown key or a bad value (named; a secret value is never shown)',
  },
  CONFIG_UNREADABLE: { status: 500, meaning: 'the config file cannot be read' },
} as const satisfies Record<string, { status: number; meaning: string }>;

/**
 * Every code a {@link PsiError} can carry.
 *
 * @example
 * ```ts
 * const code: PsiErrorCode = 'QUOTA_EXCEEDED';
 * ```
 */
export type PsiErrorCode = keyof typeof ERROR_CODES;

/**
 * Whether `value` is a code of the registry (for codes that crossed a thread or a network).
 *
 * @example
 * ```ts
 * isPsiErrorCode('QUOTA_EXCEEDED'); // true
 * isPsiErrorCode('EHOSTUNREACH');   // false
 * ```
 */
export function isPsiErrorCode(value: unknown): value is PsiErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}

/**
 * The HTTP status that carries a code.
 *
 * @example
 * ```ts
 * statusOf('QUOTA_EXCEEDED'); // 429
 * ```
 */
export function statusOf(code: PsiErrorCode): number {
  return ERROR_CODES[code].status;
}

/**
 * Every failure blindjoin reports on purpose is a {@link PsiError} with a stable,
 * machine-readable `code` from {@link ERROR_CODES}.
 *
 * @example
 * ```ts
 * try { await party.step(frame); }
 * catch (e) { if (e instanceof PsiError && e.code === 'FRAME_TRUNCATED') retry(); }
 * ```
 */
export class PsiError extends Error {
  /** Stable identifier of the failure, e.g. `'MODE_MISMATCH'`. */
  readonly code: PsiErrorCode;

  constructor(code: PsiErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PsiError';
    this.code = code;
  }
}

/**
 * Wraps anything thrown by `fn` that is not already a {@link PsiError}, so that
 * parsers of untrusted bytes never leak a `TypeError`/`RangeError` to callers.
 *
 * @example
 * ```ts
 * const point = asPsiError('POINT_INVALID', 'bad point', () => decode(bytes));
 * ```
 */
export function asPsiError<T>(code: PsiErrorCode, message: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof PsiError) throw e;
    throw new PsiError(code, message, { cause: e });
  }
}
