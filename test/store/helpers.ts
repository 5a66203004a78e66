import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InputRow } from '../../src/store/row-map.js';

/** `n` platform users u0..u{n-1}@example.com, one per input line from line 2 (a header on line 1). */
export function users(n: number, from = 0): { items: string[]; rows: InputRow[] } {
  const items = Array.from({ length: n }, (_, i) => `u${from + i}@example.com`);
  return { items, rows: items.map((value, i) => ({ line: i + 2, value })) };
}

/** A fresh temporary directory, removed after `fn`. */
export async function withDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'bj-store-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
