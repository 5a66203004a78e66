import { describe, expect, it } from 'vitest';
import { createDecryptionTable } from '../../src/homomorphic/bsgs.js';
import { decryptValues, encryptValues } from '../../src/homomorphic/elgamal.js';
import { generateKeyPair } from '../../src/homomorphic/keys.js';
import { nobleHomomorphic as he } from '../../src/homomorphic/noble.js';
import { openSums } from '../../src/measurement/advertiser-sums.js';
import { checkPublicKey, sumMatched } from '../../src/measurement/platform-sums.js';
import { sumNoiseBound } from '../../src/measurement/sum-noise.js';
import { AdvertiserParty, PlatformParty } from '../../src/measurement/index.js';
import { decodeFrame, encodeFrame } from '../../src/wire/frame.js';
import {
  decodeAggregates,
  decodeCiphertexts,
  decodeMeasure,
  encodeAggregates,
  encodeCiphertexts,
  encodeMeasure,
} from '../../src/wire/measure.js';
import { codeOf, syncCodeOf } from '../codes.js';

const keys = generateKeyPair();
const values = [5n, 9n, 0n, 30n];
const column = encryptValues(he, values, keys.secretKey, 100n);
const table = createDecryptionTable({ bound: 1000n });

describe('the platform sum of an encrypted column', () => {
  it('is re-randomised: two runs on the same data give different bytes and the same decryption', async () => {
    const positions = Uint32Array.of(1, 3);
    const a = await sumMatched(he, column, positions, keys.publicKey, 0n, 0n);
    const b = await sumMatched(he, column, positions, keys.publicKey, 0n, 0n);
    expect(a).not.toEqual(b);
    expect(a).not.toEqual(he.sum(column, positions));
    expect(decryptValues(he, table, a, keys.secretKey)).toEqual([39n]);
    expect(decryptValues(he, table, b, keys.secretKey)).toEqual([39n]);
  });

  it('lets other work run between slices of a long sum: a service has other sessions to answer', async () => {
    // Sums of one position per slice: the slicing is under test, not the arithmetic.
    const cheap = { ...he, sum: (c: Uint8Array) => he.sum(c, Uint32Array.of(0)) };
    let ticked = false;
    setTimeout(() => (ticked = true), 0);
    await sumMatched(cheap, column, new Uint32Array(3 * 4096), keys.publicKey, 0n, 0n);
    expect(ticked).toBe(true);
  });

  it('with no match is an encryption of the noise alone', async () => {
    const noiseBound = sumNoiseBound(100n, 0.25);
    expect(
      decryptValues(
        he,
        createDecryptionTable({ bound: noiseBound }),
        await sumMatched(he, column, new Uint32Array(0), keys.publicKey, -77n, noiseBound),
        keys.secretKey,
      ),
    ).toEqual([-77n]);
  });

  it('refuses a malformed ciphertext at a matched position with CIPHERTEXT_INVALID', async () => {
    const tampered = column.slice();
    tampered.fill(0xff, 64, 96); // c1 of ciphertext 1: not a canonical encoding
    expect(await codeOf(() => sumMatched(he, tampered, Uint32Array.of(1), keys.publicKey, 0n, 0n))).toBe('CIPHERTEXT_INVALID');
    const identity = column.slice();
    identity.fill(0, 0, 32); // c1 the identity: nobody randomised it
    expect(await codeOf(() => sumMatched(he, identity, Uint32Array.of(0), keys.publicKey, 0n, 0n))).toBe('CIPHERTEXT_INVALID');
  });

  it('refuses an identity or non-canonical public key with POINT_INVALID', () => {
    expect(syncCodeOf(() => checkPublicKey(new Uint8Array(32)))).toBe('POINT_INVALID');
    expect(syncCodeOf(() => checkPublicKey(new Uint8Array(32).fill(0xff)))).toBe('POINT_INVALID');
  });
});

describe('the advertiser opening the sums', () => {
  const opts = { names: ['amount'], secretKey: keys.secretKey, valueBound: 100n, maxRows: 4 };
  it('detects a sum beyond valueBound x maxRows + noiseBound (SUM_OUT_OF_RANGE), never a wrapped value', () => {
    const over = encryptValues(he, [401n], keys.secretKey, 1000n);
    expect(syncCodeOf(() => openSums(he, over, { epsilon: null, significantDigits: null, noiseBound: 0n }, opts))).toBe('SUM_OUT_OF_RANGE');
    const under = encryptValues(he, [400n], keys.secretKey, 1000n);
    expect(openSums(he, under, { epsilon: null, significantDigits: null, noiseBound: 0n }, opts).amount!.value).toBe(400);
  });

  it('refuses a malformed ciphertext (CIPHERTEXT_INVALID) and exact sums claiming noise (PAYLOAD_INVALID)', () => {
    const bad = new Uint8Array(64).fill(0xff);
    expect(syncCodeOf(() => openSums(he, bad, { epsilon: null, significantDigits: null, noiseBound: 0n }, opts))).toBe(
      'CIPHERTEXT_INVALID',
    );
    expect(syncCodeOf(() => openSums(he, column.subarray(0, 64), { epsilon: null, significantDigits: null, noiseBound: 5n }, opts))).toBe(
      'PAYLOAD_INVALID',
    );
  });
});

describe('measurement frames from an untrusted peer', () => {
  it('refuses malformed MEASURE, CIPHERTEXTS and AGGREGATES payloads with PAYLOAD_INVALID', () => {
    const utf8 = new TextEncoder();
    const good = { platformColumns: ['clicks'], columns: ['amount'], valueBound: 100n, publicKey: keys.publicKey };
    expect(decodeMeasure(encodeMeasure(good))).toEqual(good);
    for (const bad of [
      '[]',
      '{"platformColumns":["a","a"],"columns":[],"valueBound":"0"}',
      '{"platformColumns":[],"columns":["x"],"valueBound":"0","publicKey":"00"}',
      '{"platformColumns":[],"columns":["x"],"valueBound":"-1","publicKey":"' + '0'.repeat(64) + '"}',
      '{"platformColumns":[],"columns":[],"valueBound":"0","publicKey":"' + '0'.repeat(64) + '"}',
      'not json',
    ]) {
      expect(syncCodeOf(() => decodeMeasure(utf8.encode(bad)))).toBe('PAYLOAD_INVALID');
    }
    expect(syncCodeOf(() => decodeCiphertexts(new Uint8Array(6 + 63)))).toBe('PAYLOAD_INVALID');
    expect(decodeCiphertexts(encodeCiphertexts({ column: 1, offset: 7, ciphertexts: column })).offset).toBe(7);
    const aggregates = encodeAggregates({
      platform: {},
      sums: { epsilon: 0.25, significantDigits: 2, noiseBound: 9n },
      ciphertexts: column.subarray(0, 64),
    });
    expect(decodeAggregates(aggregates).sums!.noiseBound).toBe(9n);
    expect(syncCodeOf(() => decodeAggregates(aggregates.subarray(0, aggregates.length - 1)))).toBe('PAYLOAD_INVALID');
    expect(syncCodeOf(() => decodeAggregates(encodeAggregates({ platform: {}, sums: null, ciphertexts: column.subarray(0, 64) })))).toBe(
      'PAYLOAD_INVALID',
    );
    const forged = encodeAggregates({
      platform: { clicks: { value: 3, note: 'x', epsilon: null, scale: 0, threshold: null, interval95: [3, 4] } },
      sums: null,
      ciphertexts: new Uint8Array(0),
    });
    expect(syncCodeOf(() => decodeAggregates(forged))).toBe('PAYLOAD_INVALID');
  });

  it('the platform refuses ciphertexts out of order, of the wrong column, or instead of the blinded set', async () => {
    const items = Array.from({ length: 6 }, (_, i) => `i${i}`);
    const common = { backend: 'noble', workers: 1, group: 'ristretto255' } as const;
    const advertiser = new AdvertiserParty(
      { ...common, role: 'initiator', items, learn: 'size', peerLearns: 'intersection', chunkItems: 2 },
      { values: { amount: [1, 2, 3, 4, 5, 6] }, valueBound: 10, backend: 'noble' },
    );
    const platform = () =>
      new PlatformParty(
        { ...common, role: 'responder', items, learn: 'intersection', peerLearns: 'size', chunkItems: 2 },
        { encryptedColumns: true, backend: 'noble' },
      );
    const [hello] = await advertiser.step();
    const p = platform();
    const [accept] = await p.step(hello);
    // The advertiser sends MEASURE and its ciphertexts in reply to ACCEPT, before its blinded set.
    const [measure, cts] = await advertiser.step(accept);
    // The ciphertexts before the MEASURE frame: out of order on the wire.
    expect(await codeOf(p.step(cts))).toBe('FRAME_OUT_OF_ORDER');
    await p.step(measure);
    const frame = decodeFrame(cts!);
    const wrongColumn = encodeCiphertexts({ ...decodeCiphertexts(frame.payload), column: 1 });
    expect(await codeOf(p.step(encodeFrame('ciphertexts', frame.sessionId, frame.seq, wrongColumn)))).toBe('CHUNK_OFFSET');
    const wrongOffset = encodeCiphertexts({ ...decodeCiphertexts(frame.payload), offset: 1 });
    expect(await codeOf(p.step(encodeFrame('ciphertexts', frame.sessionId, frame.seq, wrongOffset)))).toBe('CHUNK_OFFSET');
    // A blinded frame while ciphertexts are still owed.
    expect(await codeOf(p.step(encodeFrame('blinded', frame.sessionId, frame.seq, new Uint8Array(36))))).toBe('UNEXPECTED_FRAME');
    await p.step(cts); // the genuine frame is still accepted
    // A second MEASURE is refused.
    expect(await codeOf(p.step(encodeFrame('measure', frame.sessionId, frame.seq + 1, decodeFrame(measure!).payload)))).toBe(
      'UNEXPECTED_FRAME',
    );
    await Promise.all([advertiser.close(), p.close()]);
  });
});
