import type { BackendChoice } from '../group/load.js';
import type { GroupName } from '../group/suite.js';
import { PsiError } from '../errors.js';
import { currentEpoch } from '../store/layout.js';
import { updateStore } from '../store/update.js';
import { prepareStore, type StoreInput } from '../store/writer.js';
import { loadInput, resolveInput, type InputPlan, type InputSpec } from './input.js';
import { streamInput } from './stream-input.js';
import { progressBar, type CliIo } from './io.js';
import type { LogFormat } from '../service/log.js';
import { loggingIo } from './log-io.js';

/**
 * Options of the `prepare` command, as parsed from its flags.
 *
 * @example
 * ```ts
 * const opts: PrepareCommandOptions = { store: 'store', input: 'users.csv', column: 'email', type: 'email' };
 * ```
 */
export interface PrepareCommandOptions extends Omit<InputSpec, 'input'> {
  /** The platform's users; needed to prepare an epoch, not to `--add`/`--remove`. */
  input?: string;
  store: string;
  epoch?: string;
  /** Users to add to the current epoch (same columns and types as `--column`/`--type`). */
  add?: string;
  /** Users to remove from the current epoch. */
  remove?: string;
  /** Prepare a new epoch from `input` beside the current one, then switch to it. */
  nextEpoch?: boolean;
  /** `--log-format`: `text` (default) or `json` lines on stderr. */
  logFormat?: LogFormat;
  segmentItems?: number;
  group?: GroupName | undefined;
  backend?: BackendChoice | undefined;
  workers?: number | undefined;
  /** Hand the segments to `blindjoin worker`s on this job queue (redis:// or postgres:// URL) instead of blinding here. */
  queue?: string;
  /** Name of the queue (default `blindjoin-prepare`); workers must name the same. */
  queueName?: string;
}

/** Reads one CSV with the command's resolved column flags, as `prepare` stores it. */
async function read(file: string, plan: InputPlan, io: CliIo): Promise<StoreInput> {
  const input = await loadInput(file, plan, io);
  io.err(`${file}: ${input.distinct} distinct identifiers from ${input.rowsRead} rows (${input.duplicates} duplicates)\n`);
  return { items: input.items, rows: input.rows, ...(input.records === undefined ? {} : { columns: input.records.columns }) };
}

/**
 * The `prepare` command: blinds the platform's users once under an epoch key
 * into a store `serve --store` reads (resuming a run that stopped), or updates
 * the current epoch (`--add`, `--remove`), or prepares the next one and
 * switches to it (`--next-epoch`). The input is streamed through bucket files
 * in the store, so memory does not grow with the number of users; with
 * `--queue`, `blindjoin worker`s blind the segments. `stop` stops it between
 * segments (a rerun resumes). Progress on stderr when a person watches.
 *
 * @example
 * ```ts
 * await prepareCommand({ store: 'store', input: 'users.csv', column: 'email', type: 'email' }, processIo());
 * ```
 */
export async function prepareCommand(opts: PrepareCommandOptions, io: CliIo, stop?: AbortSignal): Promise<void> {
  const updating = opts.add !== undefined || opts.remove !== undefined;
  if (updating && (opts.input !== undefined || opts.nextEpoch === true)) {
    throw new PsiError('OPTIONS_INVALID', '--add and --remove change the current epoch: give them without --input and --next-epoch');
  }
  // Every diagnostic from here on in the --log-format asked for.
  io = loggingIo(io, opts.logFormat ?? 'text');
  if (updating) {
    // One plan for both files: the same columns and types, checked once.
    const plan = resolveInput(opts);
    const add = opts.add === undefined ? undefined : await read(opts.add, plan, io);
    const remove = opts.remove === undefined ? undefined : (await read(opts.remove, plan, io)).items;
    const done = await updateStore(opts.store, {
      ...(add === undefined ? {} : { add }),
      ...(remove === undefined ? {} : { remove }),
      ...(opts.backend === undefined ? {} : { backend: opts.backend }),
      ...(opts.workers === undefined ? {} : { workers: opts.workers }),
    });
    io.err(
      `${opts.store}: epoch ${done.manifest.epoch}: ${done.added} added, ${done.present} already stored (rows added), ` +
        `${done.removed} removed, ${done.notFound} to remove not found; ${done.manifest.elements} elements\n`,
    );
    return;
  }
  if (opts.input === undefined) throw new PsiError('OPTIONS_INVALID', 'prepare needs --input (or --add / --remove to update a store)');
  const current = await currentEpoch(opts.store);
  if (current !== undefined && opts.nextEpoch !== true) {
    throw new PsiError(
      'OPTIONS_INVALID',
      `${opts.store} already serves epoch ${current}: use --add/--remove to update it, or --next-epoch to prepare the next one`,
    );
  }
  if (opts.queueName !== undefined && opts.queue === undefined) throw new PsiError('OPTIONS_INVALID', '--queue-name goes with --queue');
  const plan = resolveInput(opts);
  // The queue client loads only when asked for: every other command starts without it.
  const sink =
    opts.queue === undefined
      ? undefined
      : (await import('../queue/queue-sink.js')).queueSink({
          queue: { url: opts.queue, ...(opts.queueName === undefined ? {} : { name: opts.queueName }) },
        });
  const input = await streamInput(opts.input, plan, io);
  const bar = progressBar(io, 'blinding', 'segments');
  try {
    const manifest = await prepareStore(opts.store, input, {
      ...(opts.epoch === undefined ? {} : { epoch: opts.epoch }),
      ...(opts.group === undefined ? {} : { group: opts.group }),
      ...(opts.backend === undefined ? {} : { backend: opts.backend }),
      ...(opts.workers === undefined ? {} : { workers: opts.workers }),
      ...(opts.segmentItems === undefined ? {} : { segmentItems: opts.segmentItems }),
      ...(sink === undefined ? {} : { sink }),
      makeCurrent: true,
      ...(stop === undefined ? {} : { signal: stop }),
      onInput: (items, distinct) =>
        io.err(`${opts.input}: ${distinct} distinct identifiers from ${items} identifiers read (${items - distinct} duplicates)\n`),
      onProgress: (done, total) => bar.update(done, total),
    });
    bar.stop();
    io.err(
      `${opts.store}: epoch ${manifest.epoch} prepared (${manifest.group}): ${manifest.elements} elements in ${manifest.segments.length} segments; now current\n`,
    );
  } finally {
    bar.stop();
  }
}
