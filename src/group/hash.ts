import { expand_message_xmd } from '@noble/curves/abstract/hash-to-curve.js';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { asPsiError } from '../errors.js';
import { UNIFORM_BYTES } from './constants.js';

/** SHA-512's block size: the zero prefix Z_pad of RFC 9380 §5.3.1. */
const SHA512_BLOCK = 128;

type NodeCrypto = typeof import('node:crypto');

/**
 * A message to hash: bytes, or a string standing for its UTF-8 encoding.
 *
 * @example
 * ```ts
 * const inputs: HashInput[] = ['a@example.com', new Uint8Array([1, 2, 3])];
 * ```
 */
export type HashInput = string | Uint8Array;

const utf8 = new TextEncoder();

/**
 * Node's native SHA-512, reached without an `import` statement so that browser
 * bundles never see a `node:` module; `undefined` outside Node (or before 20.16).
 */
const nodeCrypto: NodeCrypto | undefined = globalThis.process?.getBuiltinModule?.('node:crypto');

/** The DST as bytes when the fast path may use it verbatim (ASCII, 1..255 bytes), else undefined. */
function shortDst(dst: string | Uint8Array): Uint8Array | undefined {
  let bytes: Uint8Array;
  if (dst instanceof Uint8Array) bytes = dst;
  else if (typeof dst === 'string' && [...dst].every((c) => c.charCodeAt(0) < 0x80)) bytes = Uint8Array.from(dst, (c) => c.charCodeAt(0));
  else return undefined;
  return bytes.length >= 1 && bytes.length <= 255 ? bytes : undefined;
}

/**
 * expand_message_xmd(msg, DST, 64) with SHA-512 in two one-shot native hashes:
 * b_0 = H(Z_pad || msg || I2OSP(64, 2) || I2OSP(0, 1) || DST_prime) and, since
 * 64 bytes is one SHA-512 output, the result is b_1 = H(b_0 || I2OSP(1, 1) || DST_prime).
 * About 4x noble on Node; both are checked byte for byte against each other.
 * Strings are encoded straight into the hash input: no per-message allocation.
 */
function expandNative(crypto: NodeCrypto, messages: readonly HashInput[], dst: Uint8Array): Uint8Array {
  const dstPrime = [...dst, dst.length];
  const tail0 = Uint8Array.from([0, UNIFORM_BYTES, 0, ...dstPrime]);
  let longest = 0;
  for (const m of messages) longest = Math.max(longest, typeof m === 'string' ? m.length * 3 : m.length);
  const first = new Uint8Array(SHA512_BLOCK + longest + tail0.length);
  const body = first.subarray(SHA512_BLOCK);
  const second = Uint8Array.from([...new Uint8Array(UNIFORM_BYTES), 1, ...dstPrime]);
  const out = new Uint8Array(messages.length * UNIFORM_BYTES);
  for (let i = 0; i < messages.length; i++) {
    const msg = messages[i]!;
    let length: number;
    if (typeof msg === 'string') {
      length = utf8.encodeInto(msg, body).written;
    } else {
      body.set(msg);
      length = msg.length;
    }
    body.set(tail0, length);
    second.set(crypto.hash('sha512', first.subarray(0, SHA512_BLOCK + length + tail0.length), 'buffer'));
    out.set(crypto.hash('sha512', second, 'buffer'), i * UNIFORM_BYTES);
  }
  return out;
}

/**
 * The first half of RFC 9380 `hash_to_ristretto255`: expand_message_xmd with
 * SHA-512 of each message to 64 uniform bytes, packed back to back. The second
 * half (element derivation) belongs to a backend, so both backends share this one.
 * Uses Node's native SHA-512 when available and @noble/hashes elsewhere; the
 * output is identical. A string message is hashed as its UTF-8 encoding (passing
 * strings saves allocating one array per message). A DST that is empty or not
 * ASCII, or a message that is neither, throws `PsiError('HASH_INPUT_INVALID')`.
 *
 * @example
 * ```ts
 * const uniform = expandMessages(['a@b.com'], 'blindjoin-v1'); // 64 bytes, as for utf8('a@b.com')
 * const points = backend.fromUniform(uniform);
 * ```
 */
export function expandMessages(messages: readonly HashInput[], dst: string | Uint8Array): Uint8Array {
  const fastDst = shortDst(dst);
  if (nodeCrypto?.hash !== undefined && fastDst !== undefined && messages.every((m) => typeof m === 'string' || m instanceof Uint8Array)) {
    return expandNative(nodeCrypto, messages, fastDst);
  }
  const out = new Uint8Array(messages.length * UNIFORM_BYTES);
  for (let i = 0; i < messages.length; i++) {
    const msg = messages[i]!;
    const uniform = asPsiError('HASH_INPUT_INVALID', `cannot hash message ${i} under this DST`, () =>
      expand_message_xmd(typeof msg === 'string' ? utf8.encode(msg) : msg, dst, UNIFORM_BYTES, sha512),
    );
    out.set(uniform, i * UNIFORM_BYTES);
  }
  return out;
}

/**
 * SHA-256 of `prefix` followed by each `width`-byte record of `packed`, each cut
 * to its first `outBytes`, packed: with Node's native SHA-256 where it is
 * reachable, else noble's (the same bytes). What keys a table by records
 * without storing them.
 *
 * @example
 * ```ts
 * const keys = prefixedDigests(secretPrefix, uniform, 64, 16); // 16 bytes per 64-byte record
 * ```
 */
export function prefixedDigests(prefix: Uint8Array, packed: Uint8Array, width: number, outBytes: number): Uint8Array {
  // Node reachable means Node >= 20.16 (getBuiltinModule), which has the one-shot crypto.hash.
  if (nodeCrypto !== undefined) return prefixedOneShot(nodeCrypto, prefix, packed, width, outBytes);
  const count = packed.length / width;
  const out = new Uint8Array(count * outBytes);
  const start = sha256.create().update(prefix);
  for (let i = 0; i < count; i++) {
    out.set(
      start
        .clone()
        .update(packed.subarray(i * width, (i + 1) * width))
        .digest()
        .subarray(0, outBytes),
      i * outBytes,
    );
  }
  return out;
}

/**
 * {@link prefixedDigests} with one native one-shot hash per record: each record
 * is copied behind the prefix in one reused buffer, so no hash object is made,
 * copied or finalised per record (about 1.5x faster than copying a started hash).
 */
function prefixedOneShot(crypto: NodeCrypto, prefix: Uint8Array, packed: Uint8Array, width: number, outBytes: number): Uint8Array {
  const count = packed.length / width;
  const out = new Uint8Array(count * outBytes);
  const input = new Uint8Array(prefix.length + width);
  input.set(prefix);
  const p = prefix.length;
  for (let i = 0, from = 0, to = 0; i < count; i++) {
    for (let j = 0; j < width; j++) input[p + j] = packed[from++]!;
    const digest = crypto.hash('sha256', input, 'buffer');
    for (let j = 0; j < outBytes; j++) out[to++] = digest[j]!;
  }
  return out;
}

/**
 * An incremental SHA-256 (FIPS 180-4).
 *
 * @example
 * ```ts
 * const digest: Uint8Array = sha256Stream().update(header).update(body).digest();
 * ```
 */
export interface Sha256Stream {
  update(data: Uint8Array): Sha256Stream;
  /** The digest, 32 bytes; call once. */
  digest(): Uint8Array;
}

/**
 * A fresh {@link Sha256Stream}: Node's native SHA-256 where it is reachable
 * (several times noble's speed on megabytes), else noble's; the same bytes.
 *
 * @example
 * ```ts
 * const t = sha256Stream();
 * for (const frame of frames) t.update(frame);
 * t.digest(); // 32 bytes
 * ```
 */
export function sha256Stream(): Sha256Stream {
  const hash = nodeCrypto === undefined ? sha256.create() : nodeCrypto.createHash('sha256');
  const stream: Sha256Stream = {
    update(data) {
      hash.update(data);
      return stream;
    },
    digest: () => new Uint8Array(hash.digest()),
  };
  return stream;
}
