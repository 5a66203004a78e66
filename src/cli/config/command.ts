import { type Command, CommanderError, Option } from 'commander';
import type { CliIo } from '../io.js';
import { intIn } from '../options.js';
import { readConfigFile } from './file.js';
import { printableConfig } from './mask.js';
import { resolveConfig, type ConfigSource } from './resolve.js';
import { settingsOf } from './settings.js';

/**
 * The commands whose settings may also come from `BLINDJOIN_*` environment
 * variables and a config file: the long-running ones a platform deploys.
 *
 * @example
 * ```ts
 * CONFIGURABLE_COMMANDS.includes('serve'); // true
 * ```
 */
export const CONFIGURABLE_COMMANDS: readonly string[] = ['serve', 'prepare', 'worker', 'migrate'];

/** Commander's name of each source, so that `getOptionValueSource` tells the truth after resolution. */
const COMMANDER_SOURCE: Record<ConfigSource, string> = { flag: 'cli', env: 'env', file: 'config', default: 'default' };

/** The commands whose diagnostics follow `--log-format`. */
const LOGGING_COMMANDS: readonly string[] = ['serve', 'prepare'];

/** `--log-format` of the commands that follow it, and `serve`'s metrics listener. */
function addOperationsOptions(cmd: Command): void {
  if (!LOGGING_COMMANDS.includes(cmd.name())) return;
  cmd.addOption(
    new Option('--log-format <format>', 'text: a timestamped line per event; json: one JSON object per line (pino)')
      .choices(['text', 'json'])
      .default('text'),
  );
  if (cmd.name() !== 'serve') return;
  cmd.option(
    '--metrics-port <n>',
    'serve Prometheus metrics at /metrics on this port, on its own listener (0 picks a free one)',
    intIn(0, 65535),
  );
  cmd.option('--metrics-host <address>', 'interface of the metrics listener', '127.0.0.1');
}

/** Adds `--config` and `--print-config` to `cmd`, and resolves its settings before its action runs. */
function addConfig(cmd: Command, all: readonly Command[], io: CliIo, env: Readonly<Record<string, string | undefined>>): void {
  cmd
    .option('--config <file>', 'settings from a JSON or YAML file (default: $BLINDJOIN_CONFIG); flags and BLINDJOIN_* variables win')
    .option('--print-config', 'print the resolved settings as JSON, secrets masked, and exit')
    .addHelpText(
      'after',
      '\nEvery flag can also be set as an environment variable, BLINDJOIN_ and the flag in capitals (--max-sessions:\n' +
        'BLINDJOIN_MAX_SESSIONS), or as a --config key in camelCase (maxSessions); flags win over the environment,\n' +
        'the environment over the file. See docs/deploy.md.',
    );
  // A required flag may come from the environment or the file: checked once they are merged.
  const required = cmd.options.filter((o) => o.mandatory);
  for (const option of required) option.makeOptionMandatory(false);
  cmd.hook('preAction', async () => {
    const settings = settingsOf(cmd);
    const flags: Record<string, unknown> = {};
    const defaults: Record<string, unknown> = {};
    for (const { key } of settings) {
      const source = cmd.getOptionValueSource(key);
      if (source === 'cli') flags[key] = cmd.getOptionValue(key) as unknown;
      else if (source === 'default') defaults[key] = cmd.getOptionValue(key) as unknown;
    }
    const others = all.filter((c) => c !== cmd);
    const path = (cmd.getOptionValue('config') as string | undefined) ?? (env.BLINDJOIN_CONFIG || undefined);
    const config = resolveConfig(settings, {
      command: cmd.name(),
      flags,
      defaults,
      env,
      ...(path === undefined ? {} : { file: { path, data: await readConfigFile(path) } }),
      otherKeys: new Set(others.flatMap((c) => settingsOf(c).map((s) => s.key))),
      otherCommands: new Set(CONFIGURABLE_COMMANDS.filter((name) => name !== cmd.name())),
    });
    if (cmd.getOptionValue('printConfig') === true) {
      io.out(`${JSON.stringify(printableConfig(settings, config.values), null, 2)}\n`);
      throw new CommanderError(0, 'blindjoin.printConfig', 'printed the resolved config');
    }
    for (const option of required) {
      const { key, env: name } = settings.find((s) => s.key === option.attributeName())!;
      if (config.values[key] === undefined)
        cmd.error(`error: required option '${option.flags}' not specified (nor ${name}, nor ${key} in --config)`);
    }
    for (const { key } of settings) {
      const source = config.sources[key];
      cmd.setOptionValueWithSource(key, config.values[key], source === undefined ? undefined : COMMANDER_SOURCE[source]);
    }
  });
}

/**
 * Makes the configurable commands of `program` (see {@link CONFIGURABLE_COMMANDS})
 * take their settings from flags, `BLINDJOIN_*` environment variables and a
 * config file (`--config`), in that precedence over the defaults; adds
 * `--print-config`, `--log-format`, and `serve`'s `--metrics-port`. Their actions
 * then receive the one resolved config as their options. Call it once every
 * command is defined.
 *
 * @example
 * ```ts
 * configureCommands(program, io);
 * await program.parseAsync(['node', 'blindjoin', 'serve', '--config', 'blindjoin.yaml']);
 * ```
 */
export function configureCommands(program: Command, io: CliIo, env: Readonly<Record<string, string | undefined>> = process.env): void {
  const commands = program.commands.filter((c) => CONFIGURABLE_COMMANDS.includes(c.name()));
  for (const cmd of commands) addOperationsOptions(cmd);
  for (const cmd of commands) addConfig(cmd, commands, io, env);
}
