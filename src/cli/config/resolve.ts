import { PsiError } from '../../errors.js';
import type { Setting } from './settings.js';

/**
 * Where a resolved value came from, in decreasing precedence.
 *
 * @example
 * ```ts
 * const source: ConfigSource = 'env';
 * ```
 */
export type ConfigSource = 'flag' | 'env' | 'file' | 'default';

/**
 * What a command's config is resolved from.
 *
 * @example
 * ```ts
 * const layers: ConfigLayers = { command: 'serve', flags: { port: 8080 }, defaults: { host: '127.0.0.1' }, env: process.env };
 * ```
 */
export interface ConfigLayers {
  /** The command whose settings these are; a config file may hold a section of this name. */
  command: string;
  /** Values given on the command line, already parsed. */
  flags: Record<string, unknown>;
  /** The commands' defaults. */
  defaults: Record<string, unknown>;
  /** The process environment; only `BLINDJOIN_*` names of settings are read. */
  env: Readonly<Record<string, string | undefined>>;
  /** A config file's mapping, and its path for messages. */
  file?: { path: string; data: Record<string, unknown> };
  /** Keys of the other configurable commands and their names, which a shared file may hold too. */
  otherKeys?: ReadonlySet<string>;
  otherCommands?: ReadonlySet<string>;
}

/**
 * The one resolved config of a command: a value (or `undefined`) for every
 * setting, and where each came from.
 *
 * @example
 * ```ts
 * const { values, sources } = resolveConfig(settingsOf(serve), layers);
 * sources.maxSessions; // 'flag'
 * ```
 */
export interface ResolvedConfig {
  values: Record<string, unknown>;
  sources: Record<string, ConfigSource | undefined>;
}

function invalid(where: string, setting: Setting, detail: string): PsiError {
  // A secret's parser may quote what it was given: say only that it is wrong.
  const why = setting.secret ? 'not a valid value (secret: not shown)' : detail;
  return new PsiError('CONFIG_INVALID', `${where}: ${setting.key}: ${why}`);
}

function parsed(setting: Setting, text: string, where: string): unknown {
  try {
    return setting.parse(text);
  } catch (e) {
    throw invalid(where, setting, (e as Error).message);
  }
}

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);

/** An environment variable's value: the text form of the flag, `true`/`false` for a switch; empty is unset. */
function fromEnv(setting: Setting, text: string): unknown {
  const where = `environment variable ${setting.env}`;
  if (setting.takesValue) return text === '' ? undefined : parsed(setting, text, where);
  const word = text.trim().toLowerCase();
  if (TRUE.has(word)) return true;
  if (FALSE.has(word) || word === '') return false;
  throw invalid(where, setting, 'expected true or false');
}

const isScalar = (v: unknown): v is string | number => typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));

/**
 * A config file's value: a switch takes a boolean; a duration a number of
 * milliseconds or its text (`2m`); a list an array; `--value-bound` a mapping
 * of column to bound; any other value its text form as on the command line.
 * `null` leaves the setting unset.
 */
function fromFile(setting: Setting, value: unknown, where: string): unknown {
  if (value === null) return undefined;
  if (!setting.takesValue) {
    if (typeof value !== 'boolean') throw invalid(where, setting, 'expected true or false');
    return value;
  }
  if (setting.duration && typeof value === 'number') {
    if (!(value > 0) || !Number.isFinite(value)) throw invalid(where, setting, 'expected a positive number of milliseconds');
    return value;
  }
  if (isScalar(value)) return parsed(setting, String(value), where);
  if (Array.isArray(value) && value.length > 0 && value.every(isScalar)) return parsed(setting, value.join(','), where);
  if (typeof value === 'object' && !Array.isArray(value) && Object.values(value).every(isScalar)) {
    const pairs = Object.entries(value as Record<string, string | number>).map(([k, v]) => `${k}=${v}`);
    if (pairs.length > 0) return parsed(setting, pairs.join(','), where);
  }
  throw invalid(where, setting, `unexpected ${Array.isArray(value) ? 'list' : typeof value}`);
}

/** The file's values for this command: top-level keys it has, then its own section; unknown keys are refused. */
function fileValues(settings: readonly Setting[], layers: ConfigLayers): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (layers.file === undefined) return out;
  const { path, data } = layers.file;
  const byKey = new Map(settings.map((s) => [s.key, s]));
  const take = (entries: Record<string, unknown>, where: string, strict: boolean) => {
    for (const [key, value] of Object.entries(entries)) {
      const setting = byKey.get(key);
      if (setting !== undefined) out.set(key, fromFile(setting, value, where));
      else if (strict || !(layers.otherKeys?.has(key) ?? false))
        throw new PsiError('CONFIG_INVALID', `${where}: unknown key ${JSON.stringify(key)}`);
    }
  };
  const sections = new Set([layers.command, ...(layers.otherCommands ?? [])]);
  const shared = Object.fromEntries(Object.entries(data).filter(([key]) => !sections.has(key)));
  take(shared, `config file ${path}`, false);
  for (const name of sections) {
    const section = data[name];
    if (section === undefined) continue;
    if (typeof section !== 'object' || section === null || Array.isArray(section)) {
      throw new PsiError('CONFIG_INVALID', `config file ${path}: ${name}: expected a mapping of ${name}'s settings`);
    }
    // Another command's section is checked when that command runs.
    if (name === layers.command) take(section as Record<string, unknown>, `config file ${path}, section ${name}`, true);
  }
  return out;
}

/**
 * Resolves every setting with the precedence flags > environment > config
 * file > defaults. Environment values and file values are parsed by the flag's
 * own parser; a bad value or an unknown file key is `CONFIG_INVALID`, naming
 * the key and the place, never a secret's value.
 *
 * @example
 * ```ts
 * const config = resolveConfig(settingsOf(serve), { command: 'serve', flags: {}, defaults: {}, env: { BLINDJOIN_PORT: '8080' } });
 * config.values.port; // 8080
 * ```
 */
export function resolveConfig(settings: readonly Setting[], layers: ConfigLayers): ResolvedConfig {
  const file = fileValues(settings, layers);
  const values: Record<string, unknown> = {};
  const sources: Record<string, ConfigSource | undefined> = {};
  for (const setting of settings) {
    const envText = layers.env[setting.env];
    const candidates: [ConfigSource, unknown][] = [
      ['flag', layers.flags[setting.key]],
      ['env', envText === undefined ? undefined : fromEnv(setting, envText)],
      ['file', file.get(setting.key)],
      ['default', layers.defaults[setting.key]],
    ];
    const found = candidates.find(([, value]) => value !== undefined);
    values[setting.key] = found?.[1];
    sources[setting.key] = found?.[0];
  }
  return { values, sources };
}
