import type { Command, Option } from 'commander';
import { InvalidArgumentError } from 'commander';
import { parseDuration, parseKeyRotation } from '../options.js';

/**
 * One setting of a command, one name per place it can be given: the flag
 * (`--max-sessions`), the environment variable (`BLINDJOIN_MAX_SESSIONS`) and
 * the key of a config file (`maxSessions`). All three are derived from the
 * command's own commander option, so they cannot drift apart.
 *
 * @example
 * ```ts
 * const maxSessions: Setting = settingsOf(serve).find((s) => s.key === 'maxSessions')!;
 * maxSessions.env; // 'BLINDJOIN_MAX_SESSIONS'
 * ```
 */
export interface Setting {
  /** The key in a config file and in the resolved config, e.g. `maxSessions`. */
  readonly key: string;
  /** The command-line flag, e.g. `--max-sessions`; absent for a key known before its flag exists. */
  readonly flag?: string;
  /** The environment variable, e.g. `BLINDJOIN_MAX_SESSIONS`. */
  readonly env: string;
  /** False for a switch such as `--ui` (true or false); true for a flag taking a value. */
  readonly takesValue: boolean;
  /** A secret (a URL holding credentials): masked when printed, its value never in an error message. */
  readonly secret: boolean;
  /** Durations read as milliseconds when a config file gives a bare number. */
  readonly duration: boolean;
  /** Parses the text form of a value (as on the command line); throws `InvalidArgumentError`. */
  parse(text: string): unknown;
}

/** A URL parser for settings naming a server, accepting only the listed schemes; the message never repeats the value. */
/**
 * A commander parser of URLs with one of `schemes` (e.g. `postgres:`), refusing
 * anything else without echoing it (a URL may carry a password).
 *
 * @example
 * ```ts
 * new Option('--database <url>').argParser(urlOf(['postgres:', 'postgresql:']));
 * ```
 */
export function urlOf(schemes: readonly string[]): (text: string) => string {
  return (text) => {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new InvalidArgumentError(`expected a URL (${schemes.join(', ')})`);
    }
    if (!schemes.includes(url.protocol)) throw new InvalidArgumentError(`expected a URL with scheme ${schemes.join(', ')}`);
    return text;
  };
}

/**
 * Keys every configurable command knows even where no flag of this build
 * defines them yet: the shared database and job queue of a fleet, the URL a
 * replica advertises to the others, and the grace period of a drain. A flag of
 * the same name, when a command has one, takes over its parsing.
 *
 * @example
 * ```ts
 * FLEET_SETTINGS.map((s) => s.env); // ['BLINDJOIN_DATABASE_URL', 'BLINDJOIN_QUEUE_URL', ...]
 * ```
 */
export const FLEET_SETTINGS: readonly Setting[] = [
  {
    key: 'database',
    env: 'BLINDJOIN_DATABASE_URL',
    takesValue: true,
    secret: true,
    duration: false,
    parse: urlOf(['postgres:', 'postgresql:']),
  },
  {
    key: 'queue',
    env: 'BLINDJOIN_QUEUE_URL',
    takesValue: true,
    secret: true,
    duration: false,
    parse: urlOf(['postgres:', 'postgresql:', 'redis:', 'rediss:']),
  },
  {
    key: 'advertiseUrl',
    env: 'BLINDJOIN_ADVERTISE_URL',
    takesValue: true,
    secret: false,
    duration: false,
    parse: urlOf(['http:', 'https:']),
  },
  { key: 'drainTimeout', env: 'BLINDJOIN_DRAIN_TIMEOUT', takesValue: true, secret: false, duration: true, parse: parseDuration },
];

/** Options that steer the config itself or print help: not settings. */
const NOT_SETTINGS = new Set(['help', 'config', 'printConfig', 'version']);

/**
 * The environment variable of a flag: `--max-sessions` is `BLINDJOIN_MAX_SESSIONS`.
 *
 * @example
 * ```ts
 * envName('--max-sessions'); // 'BLINDJOIN_MAX_SESSIONS'
 * ```
 */
export function envName(flag: string): string {
  return `BLINDJOIN_${flag.replace(/^--/, '').replaceAll('-', '_').toUpperCase()}`;
}

function settingOf(option: Option): Setting {
  const key = option.attributeName();
  const fleet = FLEET_SETTINGS.find((s) => s.key === key);
  const takesValue = option.required || option.optional;
  return {
    key,
    flag: option.long!,
    env: fleet?.env ?? envName(option.long!),
    takesValue,
    secret: fleet?.secret ?? false,
    duration: (fleet?.duration ?? false) || option.parseArg === parseDuration || option.parseArg === parseKeyRotation,
    parse: (text) => (option.parseArg === undefined ? text : option.parseArg(text, undefined)),
  };
}

/**
 * The settings of `cmd`: one per option (but `--help`, `--config` and
 * `--print-config`), then the {@link FLEET_SETTINGS} it has no flag for.
 *
 * @example
 * ```ts
 * settingsOf(program.commands.find((c) => c.name() === 'serve')!).map((s) => s.key); // ['input', 'column', ...]
 * ```
 */
export function settingsOf(cmd: Command): Setting[] {
  const own = cmd.options.filter((o) => o.long !== undefined && !o.negate && !NOT_SETTINGS.has(o.attributeName())).map(settingOf);
  const keys = new Set(own.map((s) => s.key));
  return [...own, ...FLEET_SETTINGS.filter((s) => !keys.has(s.key))];
}
