import { inlineBlinder, type Blinder } from './blinder.js';
import { loadBackend, type BackendChoice } from './load.js';

/**
 * Options of {@link createBlinder}.
 *
 * @example
 * ```ts
 * const opts: BlinderOptions = { key: randomScalar(), backend: 'auto', workers: 2 };
 * ```
 */
export interface BlinderOptions {
  /** Secret scalar; the blinder takes ownership and zeroises it on close. */
  key: Uint8Array;
  backend?: BackendChoice;
  workers?: number;
}

/**
 * Binds a key to the fastest engine the options allow.
 *
 * @example
 * ```ts
 * const blinder = await createBlinder({ key: randomScalar() });
 * ```
 */
export async function createBlinder(opts: BlinderOptions): Promise<Blinder> {
  return inlineBlinder(await loadBackend(opts.backend), opts.key);
}
