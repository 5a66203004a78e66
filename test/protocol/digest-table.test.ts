import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DigestTable, ENTRY_BYTES, KEY_BYTES } from '../../src/protocol/digest-table.js';

const KEYS = 120;
const VALUE_BYTES = ENTRY_BYTES - KEY_BYTES;
/**
 * Keys that share their first 4 bytes (the hash) in three groups: probe runs
 * long, wrap past the index's end (0xffffffff lands in its last slot) and
 * compare full keys that differ only past the hash.
 */
const HASHES = [
  [0, 0, 0, 0],
  [255, 255, 255, 255],
  [7, 1, 0, 0],
];
/** The keys packed at an odd offset, so that offsets are honoured. */
const keys = new Uint8Array(1 + KEYS * KEY_BYTES);
for (let k = 0; k < KEYS; k++) {
  keys.set(HASHES[k % HASHES.length]!, 1 + k * KEY_BYTES);
  keys[1 + k * KEY_BYTES + 4 + (k % 12)] = 1 + Math.floor(k / 12);
}
const keyAt = (k: number) => 1 + k * KEY_BYTES;
const valueOf = (k: number, v: number) => Uint8Array.from({ length: 3 + VALUE_BYTES }, (_, j) => (k * 7 + v * 13 + j) & 255);

/** Bytes as hex: compared as strings, far quicker than element by element. */
const hex = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex');

type Op =
  | { kind: 'set'; key: number; value: number }
  | { kind: 'use'; key: number }
  | { kind: 'keepUsed' }
  | { kind: 'clear' }
  | { kind: 'fill'; from: number; length: number };

/** Mostly a few keys, so that sets and uses meet often. */
const key = fc.oneof({ arbitrary: fc.nat(7), weight: 3 }, { arbitrary: fc.nat(KEYS - 1), weight: 1 });
const op: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('set' as const), key, value: fc.nat(3) }), weight: 6 },
  { arbitrary: fc.record({ kind: fc.constant('use' as const), key }), weight: 6 },
  {
    arbitrary: fc.record({ kind: fc.constant('fill' as const), from: fc.nat(KEYS - 1), length: fc.integer({ min: 1, max: KEYS }) }),
    weight: 1,
  },
  { arbitrary: fc.constant({ kind: 'keepUsed' as const }), weight: 3 },
  { arbitrary: fc.constant({ kind: 'clear' as const }), weight: 1 },
);

/** The reference: a Map in insertion order, a set of used keys. */
interface Model {
  values: Map<number, Uint8Array>;
  used: Set<number>;
}

function apply(table: DigestTable, model: Model, o: Op): void {
  const set = (k: number, v: number) => {
    const value = valueOf(k, v);
    table.set(keys, keyAt(k), value, 3);
    model.values.set(k, value.subarray(3));
  };
  switch (o.kind) {
    case 'set':
      set(o.key, o.value);
      break;
    case 'fill':
      for (let i = 0; i < o.length; i++) set((o.from + i) % KEYS, 0);
      break;
    case 'use': {
      const entry = table.find(keys, keyAt(o.key));
      if (entry >= 0) table.markUsed(entry);
      if (model.values.has(o.key)) model.used.add(o.key);
      break;
    }
    case 'keepUsed': {
      const before = model.values.size;
      for (const k of model.values.keys()) if (!model.used.has(k)) model.values.delete(k);
      expect(table.keepUsed()).toBe(before - model.values.size);
      break;
    }
    case 'clear':
      table.clear();
      model.values.clear();
      model.used.clear();
  }
}

function expectSame(table: DigestTable, model: Model): void {
  expect(table.size).toBe(model.values.size);
  const order = [...model.values.keys()];
  const packed = new Uint8Array(order.length * ENTRY_BYTES);
  order.forEach((k, e) => {
    packed.set(keys.subarray(keyAt(k), keyAt(k) + KEY_BYTES), e * ENTRY_BYTES);
    packed.set(model.values.get(k)!, e * ENTRY_BYTES + KEY_BYTES);
  });
  expect(hex(table.packed())).toBe(hex(packed));
  const all = Array.from({ length: KEYS }, (_, k) => k);
  const found = all.map((k) => table.find(keys, keyAt(k)));
  expect(found).toEqual(all.map((k) => order.indexOf(k)));
  const out = new Uint8Array(2 + order.length * VALUE_BYTES);
  order.forEach((k, e) => table.copyValue(found[k]!, out, 2 + e * VALUE_BYTES));
  expect(hex(out.subarray(2))).toBe(order.map((k) => hex(model.values.get(k)!)).join(''));
}

describe('a digest table', () => {
  it('behaves as a Map in insertion order with used flags, through growth, colliding hashes, compaction and clearing', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40, size: 'max' }), (ops) => {
        const table = new DigestTable();
        const model: Model = { values: new Map(), used: new Set() };
        for (const o of ops) {
          apply(table, model, o);
          expectSame(table, model);
        }
      }),
      { numRuns: 200 },
    );
  });
});
