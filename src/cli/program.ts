import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { PsiError } from '../errors.js';
import { configureCommands } from './config/command.js';
import { PROFILES } from '../identifiers/types.js';
import { runDemo, type DemoOptions } from './demo.js';
import { hashCommand, type HashOptions } from './hash.js';
import { MATCH_TYPES } from './input.js';
import type { CliIo } from './io.js';
import { matchCommand, type MatchOptions } from './match.js';
import { audiencesDelete, audiencesList, audiencesShow, type AudiencesOptions } from './audiences.js';
import { budgetReset, budgetShow, type BudgetCommandOptions } from './budget.js';
import { AUDIENCE_MODES } from '../wire/audience.js';
import {
  BACKEND_CHOICES,
  GROUP_CHOICES,
  intIn,
  parseDuration,
  parseKeyRotation,
  parseNameList,
  parsePositiveNumber,
  parseValueBounds,
  REVEAL_CHOICES,
} from './options.js';
import { prepareCommand, type PrepareCommandOptions } from './prepare.js';
import { migrateCommand } from './migrate.js';
import { serveCommand, type ServeOptions } from './serve.js';
import { urlOf } from './config/settings.js';
import { defaultStateDir } from '../service/state-dir.js';
import { workerCommand, type WorkerCommandOptions } from './worker.js';

/** The installed package's version, read from its package.json (beside dist/ or src/). */
function packageVersion(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'blindjoin' && pkg.version !== undefined) return pkg.version;
    } catch {
      // not here: look one level up
    }
  }
  return 'unknown';
}

/** Options every command reading a CSV shares; without `inputRequired`, `--input` may be left out (a store replaces it). */
function inputOptions(cmd: Command, types: readonly string[], inputRequired = true): Command {
  const input = new Option('--input <file>', 'CSV file with a header row (streamed, never loaded whole)').makeOptionMandatory(
    inputRequired,
  );
  const column = new Option(
    '--column <names>',
    'header of the identifier column, or several separated by commas (a row matches when any matches)',
  );
  return cmd
    .addOption(input)
    .addOption(column.makeOptionMandatory(inputRequired))
    .addOption(
      new Option('--type <types>', `what each column holds: ${types.join(', ')}; comma-separated like --column`)
        .argParser(typeList(types))
        .makeOptionMandatory(inputRequired),
    )
    .addOption(new Option('--profile <name>', 'normalisation rules to follow').choices(PROFILES).default('meta'))
    .option('--default-country <cc>', 'ISO country of phone numbers written without a country code, e.g. US')
    .addOption(new Option('--hash-of <type>', "with --type sha256: what the column's hashes are of").choices(['email', 'phone']));
}

/** Parses `--type`: one type, or a comma-separated list of them. */
function typeList(types: readonly string[]): (value: string) => string {
  return (value) => {
    const bad = value.split(',').find((t) => !types.includes(t.trim()));
    if (bad !== undefined) throw new InvalidArgumentError(`${JSON.stringify(bad)} is not one of ${types.join(', ')}`);
    return value;
  };
}

function revealOption(flag: string, description: string, fallback: string | undefined, auto = false): Option {
  const option = new Option(`${flag} <mode>`, description).choices(auto ? [...REVEAL_CHOICES, 'auto'] : REVEAL_CHOICES);
  return fallback === undefined ? option : option.default(fallback);
}

/** `--group`: both sides of a session must name the same suite (the handshake refuses a mismatch). */
function groupOption(): Option {
  return new Option('--group <suite>', 'group suite; the service and its clients must use the same one')
    .choices(GROUP_CHOICES)
    .default('x25519');
}

/** `--backend`: which arithmetic engine to run the suite on. */
function backendOption(): Option {
  return new Option('--backend <name>', 'arithmetic backend (sodium-native and webcrypto are x25519 only)')
    .choices(BACKEND_CHOICES)
    .default('auto');
}

/**
 * Builds the `blindjoin` command line. `stop` ends a running `serve` or `match`.
 *
 * @example
 * ```ts
 * await buildProgram(processIo(), signal).parseAsync(['serve', '--input', 'users.csv', ...], { from: 'user' });
 * ```
 */
export function buildProgram(io: CliIo, stop: AbortSignal): Command {
  const program = new Command('blindjoin')
    .description('Private audience matching: find the customers two parties have in common, revealing nothing else.')
    .version(packageVersion())
    .showHelpAfterError('(add --help for usage)')
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride();

  inputOptions(program.command('serve').description("run the platform's PSI service over HTTP"), MATCH_TYPES, false)
    .option('--store <dir>', 'serve a store made by prepare instead of --input (no per-session blinding of your users)')
    .addOption(new Option('--port <n>', 'TCP port (0 picks a free one)').argParser(intIn(0, 65535)).makeOptionMandatory())
    .option('--host <address>', 'interface to bind; put TLS termination in front of anything but loopback', '127.0.0.1')
    .addOption(revealOption('--learn', 'what the service learns', 'intersection'))
    .addOption(
      revealOption('--peer-learns', "what clients learn (default: 'released' under --disclosure policy, 'size' under exact)", undefined),
    )
    .addOption(
      new Option(
        '--disclosure <mode>',
        "'policy': clients learn only figures noised, thresholded and rounded under a privacy budget; 'exact': a membership oracle",
      )
        .choices(['policy', 'exact'])
        .default('policy'),
    )
    .option(
      '--min-items <n>',
      'fewest distinct items a client must bring (default 100 under a policy, 1 under exact)',
      intIn(1, 0xffff_ffff),
    )
    .option('--epsilon <e>', 'privacy loss of one released figure (default 0.25)', parsePositiveNumber)
    .option('--threshold <k>', 'released figures below k read "fewer than k" (default 100)', intIn(1, Number.MAX_SAFE_INTEGER))
    .option('--round-digits <n>', 'significant digits of released figures (default 2)', intIn(1, 15))
    .option('--budget <e>', 'privacy budget per token per window (default 1)', parsePositiveNumber)
    .addOption(
      new Option('--budget-window <duration>', 'window the budget is summed over').argParser(parseDuration).default(30 * 86_400_000, '30d'),
    )
    .option(
      '--state-dir <dir>',
      'privacy budgets, daily quotas and the noise key, kept across restarts; one process per directory ' +
        '(default: $BLINDJOIN_STATE_DIR, else $XDG_STATE_HOME/blindjoin, else ~/.local/state/blindjoin)',
    )
    .addOption(
      new Option(
        '--database <url>',
        'PostgreSQL URL of the state replicas share (budgets, quotas, noise key, sessions) instead of --state-dir (default: $BLINDJOIN_DATABASE_URL)',
      ).argParser(urlOf(['postgres:', 'postgresql:'])),
    )
    .addOption(
      new Option(
        '--advertise-url <url>',
        'with --database: the URL other replicas reach this one at (default: the URL it listens on)',
      ).argParser(urlOf(['http:', 'https:'])),
    )
    .addOption(
      new Option(
        '--drain-timeout <duration>',
        'on SIGTERM, how long sessions in progress may take to finish (default: 30s with --database, none without)',
      ).argParser(parseDuration),
    )
    .option('--tokens-file <file>', 'bearer tokens, one advertiser per line: ID TOKEN [ITEMS_PER_DAY]')
    .option('--out <dir>', "write each session's matched rows and a JSON summary here")
    .option(
      '--emit <columns>',
      'columns of the input written for each matched row, e.g. user_id,segment (default: the identifier columns)',
      (v: string) => v.split(',').map((c) => c.trim()),
    )
    .option('--max-items <n>', 'most distinct items one client session may send', intIn(1, 0xffff_ffff))
    .option(
      '--daily-quota <n>',
      'items per token per UTC day, unless its tokens-file line says otherwise',
      intIn(1, Number.MAX_SAFE_INTEGER),
    )
    .option(
      '--key-rotation <when>',
      "'session' (fresh key per session) or an interval such as 1h to reuse a precomputed set (default: 1d under a policy, session under exact)",
      parseKeyRotation,
    )
    .option('--max-sessions <n>', 'sessions in progress at once', intIn(1, 100_000), 16)
    .option(
      '--max-sessions-per-token <n>',
      'sessions in progress at once under one token (default: an eighth of --max-sessions)',
      intIn(1, 100_000),
    )
    .addOption(new Option('--idle-timeout <duration>', 'drop a session idle this long').argParser(parseDuration).default(120_000, '2m'))
    .option('--workers <n>', 'worker threads for blinding (default: all cores)', intIn(1, 1024))
    .addOption(groupOption())
    .addOption(backendOption())
    .option('--values <columns>', 'numeric columns (e.g. impressions,clicks) clients may have summed over the matched users', parseNameList)
    .option(
      '--value-bound <n>',
      'per-user clamp of the --values columns: N for all, or name=N,...; the noise scale is N/epsilon (default 1000 under a policy, none under exact disclosure)',
      parseValueBounds,
    )
    .option(
      '--advertiser-values',
      "sum clients' encrypted value columns under a policy too (private against semi-honest clients only; always on under --disclosure exact)",
    )
    .addOption(
      new Option(
        '--audience-retention <duration>',
        'delete an audience not refreshed within this long (checked at start, hourly and on access)',
      )
        .argParser(parseDuration)
        .default(540 * 86_400_000, '540d'),
    )
    .option(
      '--min-audience <n>',
      'smallest audience usable for targeting, decided on the released (noised) figure (default 100)',
      intIn(1, Number.MAX_SAFE_INTEGER),
    )
    .option('--allow-anonymous', 'serve a non-loopback address without --tokens-file')
    .option(
      '--allowed-host <name>',
      'a host name clients may send in the Host header (repeatable); default: loopback names when bound to loopback',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option('--ui', "serve the advertiser's page (match a CSV in the browser) at the service's URL")
    .option(
      '--cors-origin <origins>',
      'origin allowed to call the service from a page hosted elsewhere, e.g. https://ads.example (repeatable, or comma-separated)',
      (value: string, previous: string[] = []) => [...previous, ...value.split(',').map((o) => o.trim())],
    )
    .action((opts: ServeOptions, cmd: Command) => {
      // --input is required unless --store replaces it: a usage error (exit 2), as commander reports a missing option.
      if (opts.store === undefined && opts.input === undefined)
        cmd.error("error: required option '--input <file>' not specified (or --store <dir>)");
      const database = opts.database ?? process.env.BLINDJOIN_DATABASE_URL;
      const withState = { ...opts, stateDir: opts.stateDir ?? defaultStateDir() };
      return serveCommand(database === undefined || database === '' ? withState : { ...withState, database }, io, stop);
    });

  inputOptions(
    program.command('prepare').description("blind the platform's users once per key epoch into a store that serve --store reads"),
    MATCH_TYPES,
    false,
  )
    .requiredOption('--store <dir>', 'the store directory (created if missing; a stopped run resumes)')
    .option('--epoch <label>', 'label of the epoch to prepare (default: the UTC time)')
    .option('--add <file>', 'add the users of this CSV (same --column/--type) to the current epoch')
    .option('--remove <file>', 'remove the users of this CSV from the current epoch')
    .option('--next-epoch', 'prepare a new epoch (new key) from --input beside the current one, then switch to it')
    .option(
      '--emit <columns>',
      'columns of the input kept with each user for results, e.g. user_id (default: the identifier columns)',
      (v: string) => v.split(',').map((c) => c.trim()),
    )
    .option('--segment-items <n>', 'elements per segment file', intIn(1, 1 << 24))
    .option('--workers <n>', 'worker threads for blinding (default: all cores)', intIn(1, 1024))
    .option('--queue <url>', 'hand the segments to blindjoin workers on this job queue: redis://HOST:PORT or postgres://...')
    .option('--queue-name <name>', 'name of the job queue (default: blindjoin-prepare)')
    .addOption(groupOption())
    .addOption(backendOption())
    .action((opts: PrepareCommandOptions) => prepareCommand(opts, io, stop));

  program
    .command('worker')
    .description('blind the segments prepare --queue hands out, from any machine that shares the store directory')
    .requiredOption('--queue <url>', 'the job queue prepare --queue names: redis://HOST:PORT or postgres://...')
    .option('--queue-name <name>', 'name of the job queue (default: blindjoin-prepare)')
    .option('--store <dir>', "where this machine mounts the store (default: the coordinator's path)")
    .addOption(
      new Option('--stalled-after <duration>', 'a segment whose worker stops renewing its lock this long goes to another worker')
        .argParser(parseDuration)
        .default(30_000, '30s'),
    )
    .option('--workers <n>', 'worker threads for blinding (default: all cores)', intIn(1, 1024))
    .addOption(backendOption())
    .action((opts: WorkerCommandOptions) => workerCommand(opts, io, stop));

  inputOptions(program.command('match').description("match a CSV against a platform's service (the advertiser's side)"), MATCH_TYPES)
    .requiredOption('--server <url>', 'base URL of the service, e.g. https://psi.platform.example')
    .option('--token <token>', 'bearer token from the platform (default: $BLINDJOIN_TOKEN)')
    .addOption(revealOption('--learn', "what you learn; 'auto' takes what the service offers (GET /v1/terms)", 'auto', true))
    .addOption(revealOption('--peer-learns', "what the service learns; 'auto' as its terms say", 'auto', true))
    .option('--json', 'print one JSON object instead of text', false)
    .option(
      '--platform-values <columns>',
      "the service's value columns to sum over the matched users ('all': every one it offers)",
      parseNameList,
    )
    .option('--values <columns>', 'own numeric columns (e.g. amount, in cents) to sum over the matched rows, encrypted', parseNameList)
    .option('--value-bound <n>', 'clamp of each own value per customer: the sensitivity of the sums (default 1000000)', intIn(1, 2 ** 40))
    .option(
      '--key-file <file>',
      'your secret for this service (created 0600 if missing, never sent; default: one file per service in ~/.config/blindjoin/keys)',
    )
    .option(
      '--relationship <id>',
      'keep a relationship with a service that has a store: one key for every list, so later sessions skip what it kept',
    )
    .option(
      '--no-blinded-cache',
      'with --relationship: blind every item afresh, keeping no cache of your blinded items next to the key file',
    )
    .option('--output <file>', 'write the matched rows here when you learn the intersection')
    .option('--audience <name>', 'keep the matched users as your named audience on the platform (1-100 printable characters)')
    .addOption(
      new Option('--audience-mode <mode>', "'replace' its members, 'add' to them, or 'remove' them (releases nothing, costs no budget)")
        .choices(AUDIENCE_MODES)
        .default('replace'),
    )
    .addOption(new Option('--timeout <duration>', 'timeout of one HTTP request').argParser(parseDuration).default(300_000, '5m'))
    .option('--retries <n>', 'retries of one request after network errors, timeouts and 5xx', intIn(0, 100), 4)
    .option('--workers <n>', 'worker threads for blinding (default: all cores)', intIn(1, 1024))
    .addOption(groupOption())
    .addOption(backendOption())
    .action(async (opts: MatchOptions) => {
      await matchCommand({ ...opts, token: opts.token ?? process.env.BLINDJOIN_TOKEN }, io, stop);
    });

  const audiences = program.command('audiences').description("your named audiences on a platform's service (the advertiser's side)");
  const audienceFlags = (cmd: Command) =>
    cmd
      .requiredOption('--server <url>', 'base URL of the service')
      .option('--token <token>', 'bearer token from the platform (default: $BLINDJOIN_TOKEN)')
      .option('--json', 'print JSON instead of text', false)
      .addOption(new Option('--timeout <duration>', 'timeout of the request').argParser(parseDuration).default(30_000, '30s'));
  const withToken = (opts: AudiencesOptions): AudiencesOptions => ({ ...opts, token: opts.token ?? process.env.BLINDJOIN_TOKEN });
  audienceFlags(audiences.command('list').description('list your audiences')).action(async (opts: AudiencesOptions) => {
    await audiencesList(withToken(opts), io);
  });
  audienceFlags(audiences.command('show').description('show one audience and its history').argument('<name>')).action(
    async (name: string, opts: AudiencesOptions) => {
      await audiencesShow(name, withToken(opts), io);
    },
  );
  audienceFlags(audiences.command('delete').description('delete one audience').argument('<name>')).action(
    async (name: string, opts: AudiencesOptions) => {
      await audiencesDelete(name, withToken(opts), io);
    },
  );

  const budget = program.command('budget').description("the privacy budgets in a service's state directory (the operator's side)");
  const budgetFlags = (cmd: Command) =>
    cmd
      .requiredOption('--state-dir <dir>', "the service's --state-dir")
      .option('--token-id <id>', 'one token (default: every token in the ledger)')
      .option('--json', 'print JSON instead of text', false)
      .option('--budget <e>', "the service's --budget (default 1)", parsePositiveNumber)
      .addOption(
        new Option('--budget-window <duration>', "the service's --budget-window").argParser(parseDuration).default(30 * 86_400_000, '30d'),
      )
      .option('--epsilon <e>', "the service's --epsilon, for releases left (default 0.25)", parsePositiveNumber);
  budgetFlags(budget.command('show').description('where each token stands')).action(async (opts: BudgetCommandOptions) => {
    await budgetShow(opts, io);
  });
  budgetFlags(budget.command('reset').description('forget the charges of a token (or all), with a line in budget-audit.jsonl')).action(
    async (opts: BudgetCommandOptions) => {
      await budgetReset(opts, io);
    },
  );

  program
    .command('migrate')
    .description('apply pending schema migrations to the PostgreSQL database of serve --database (serve applies them at start too)')
    .option('--database <url>', 'PostgreSQL URL (default: $BLINDJOIN_DATABASE_URL)')
    .action(async (opts: { database?: string }, cmd: Command) => {
      const database = opts.database ?? process.env.BLINDJOIN_DATABASE_URL;
      if (database === undefined || database === '') cmd.error("error: required option '--database <url>' not specified");
      await migrateCommand(database, io);
    });

  program
    .command('hash')
    .description('write the status-quo upload file: normalised identifiers, SHA-256 hex (for comparison)')
    .requiredOption('--input <file>', 'CSV file with a header row')
    .requiredOption('--column <name>', 'header of the identifier column')
    .addOption(new Option('--type <type>', 'what the column holds').choices(['email', 'phone']).makeOptionMandatory())
    .requiredOption('--output <file>', 'file to write (atomically)')
    .addOption(new Option('--profile <name>', 'normalisation rules to follow').choices(PROFILES).default('meta'))
    .option('--default-country <cc>', 'ISO country of phone numbers written without a country code, e.g. US')
    .action((opts: HashOptions) => hashCommand(opts, io));

  program
    .command('demo')
    .description('generate data, start a platform service on loopback, match an advertiser against it over HTTP')
    .option('--platform <n>', 'platform users', intIn(1, 10_000_000), 50_000)
    .option('--advertiser <n>', 'advertiser customers', intIn(1, 10_000_000), 10_000)
    .option('--overlap <n>', 'customers who are platform users', intIn(0, 10_000_000), 2_500)
    .option('--workers <n>', 'worker threads for blinding (default: all cores)', intIn(1, 1024))
    .addOption(groupOption())
    .addOption(backendOption())
    .option('--keep', 'keep the generated files and results')
    .action(async (opts: DemoOptions) => {
      await runDemo(opts, io);
    });

  // Settings of serve and prepare from BLINDJOIN_* variables and --config files too (docs/deploy.md).
  configureCommands(program, io);
  return program;
}

/**
 * Runs the CLI on `argv` (as in `process.argv`) and returns the exit code:
 * 0 on success, 1 when the work failed (a `CODE: message` line on stderr),
 * 2 on a usage error.
 *
 * @example
 * ```ts
 * process.exitCode = await run(process.argv, processIo(), AbortSignal.timeout(60_000));
 * ```
 */
export async function run(argv: readonly string[], io: CliIo, stop: AbortSignal): Promise<number> {
  try {
    await buildProgram(io, stop).parseAsync([...argv]);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (e instanceof PsiError) {
      io.err(`blindjoin: ${e.code}: ${e.message}\n`);
      return 1;
    }
    io.err(`blindjoin: unexpected error: ${(e as Error)?.stack ?? String(e)}\n`);
    return 1;
  }
}
