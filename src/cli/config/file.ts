import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { PsiError } from '../../errors.js';

/**
 * Reads a config file: JSON (`.json`) or YAML (any other name; YAML 1.2, so
 * JSON parses too), whose top level is a mapping of setting keys. A file that
 * cannot be read is `CONFIG_UNREADABLE`; one that does not parse, or is not a
 * mapping, `CONFIG_INVALID`. Messages give the position of a syntax error but
 * never the text around it, which may hold a secret.
 *
 * @example
 * ```ts
 * const data = await readConfigFile('/etc/blindjoin/config.yaml'); // { port: 8080, store: '/var/lib/blindjoin/store' }
 * ```
 */
export async function readConfigFile(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new PsiError('CONFIG_UNREADABLE', `cannot read config file ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`, {
      cause: e,
    });
  }
  let data: unknown;
  try {
    data = extname(path).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text, { uniqueKeys: true });
  } catch (e) {
    const at = e instanceof YAMLParseError && e.linePos !== undefined ? ` at line ${e.linePos[0].line}, column ${e.linePos[0].col}` : '';
    throw new PsiError('CONFIG_INVALID', `config file ${path} is not valid ${at === '' ? 'JSON or YAML' : 'YAML'}${at}`, { cause: e });
  }
  // An empty YAML file is null: no settings.
  if (data === null || data === undefined) return {};
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new PsiError('CONFIG_INVALID', `config file ${path} must be a mapping of settings (key: value)`);
  }
  return data as Record<string, unknown>;
}
