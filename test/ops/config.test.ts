import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const DB_PASSWORD = 'hunter2-db-password';
const TOKEN = '4f3c2a1b0e9d8c7b6a5f4e3d2c1b0a99887766554433221100ffeeddccbbaa99';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI from source as a child process, with exactly `env` (plus PATH) as its environment. */
function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), ...args],
      { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000 },
      (error, stdout, stderr) => done({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr }),
    );
  });
}

/** `serve --print-config` with the given flags and environment: the resolved config. */
async function printed(args: string[], env: Record<string, string> = {}): Promise<Record<string, unknown>> {
  const run = await cli(['serve', '--print-config', ...args], env);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as Record<string, unknown>;
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bj-config-'));
  await writeFile(
    join(dir, 'serve.json'),
    JSON.stringify({ store: '/srv/store', port: 7000, maxSessions: 3, idleTimeout: 90_000, corsOrigin: ['https://a.example'] }),
  );
  await writeFile(
    join(dir, 'serve.yaml'),
    [
      '# shared by serve and prepare',
      'store: /srv/store',
      'group: x25519',
      'maxSessions: 3',
      'idleTimeout: 90s',
      'valueBound: { clicks: 50 }',
      'ui: true',
      `database: postgres://blindjoin:${DB_PASSWORD}@db:5432/blindjoin?sslmode=require`,
      `queue: redis://:${DB_PASSWORD}@redis:6379/0`,
      'tokensFile: tokens',
      'serve:',
      '  port: 7001',
      'prepare:',
      '  segmentItems: 4096',
      '',
    ].join('\n'),
  );
  await writeFile(join(dir, 'tokens'), `acme ${TOKEN}\n`);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('serve and prepare settings from flags, BLINDJOIN_* variables and --config', () => {
  for (const file of ['serve.json', 'serve.yaml']) {
    it(`takes a flag over the environment over ${file} over the default`, async () => {
      const config = join(dir, file);
      const fromFile = await printed(['--config', config]);
      expect(fromFile.maxSessions).toBe(3);
      expect(fromFile.idleTimeout).toBe(90_000);
      expect(fromFile.store).toBe('/srv/store');
      // Untouched settings keep their defaults.
      expect(fromFile.host).toBe('127.0.0.1');
      expect(fromFile.logFormat).toBe('text');
      const fromEnv = await printed(['--config', config], { BLINDJOIN_MAX_SESSIONS: '5', BLINDJOIN_IDLE_TIMEOUT: '3m' });
      expect(fromEnv.maxSessions).toBe(5);
      expect(fromEnv.idleTimeout).toBe(180_000);
      const fromFlag = await printed(['--config', config, '--max-sessions', '7'], { BLINDJOIN_MAX_SESSIONS: '5' });
      expect(fromFlag.maxSessions).toBe(7);
      expect(fromFlag.idleTimeout).toBe(90_000);
    });
  }

  it('reads the file named by BLINDJOIN_CONFIG, with its command section over its shared keys', async () => {
    const serve = await printed([], { BLINDJOIN_CONFIG: join(dir, 'serve.yaml') });
    expect(serve.port).toBe(7001);
    expect(serve.valueBound).toEqual({ clicks: 50 });
    expect(serve.ui).toBe(true);
    const prepare = await cli(['prepare', '--print-config'], { BLINDJOIN_CONFIG: join(dir, 'serve.yaml') });
    expect(prepare.code, prepare.stderr).toBe(0);
    const config = JSON.parse(prepare.stdout) as Record<string, unknown>;
    // prepare has no port: the shared file's serve keys are not its business.
    expect(config).not.toHaveProperty('port');
    expect(config.segmentItems).toBe(4096);
    expect(config.store).toBe('/srv/store');
  });

  it('masks passwords of the database and queue URLs and never reads the tokens file into the config', async () => {
    // A BLINDJOIN_* variable that names no setting is not an error: the environment is shared with other commands.
    const run = await cli(['serve', '--print-config', '--config', join(dir, 'serve.yaml')], { BLINDJOIN_TOKEN: TOKEN });
    expect(run.code, run.stderr).toBe(0);
    const config = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(config.database).toBe('postgres://blindjoin:***@db:5432/blindjoin?sslmode=require');
    expect(config.queue).toBe('redis://:***@redis:6379/0');
    expect(config.tokensFile).toBe('tokens');
    expect(run.stdout).not.toContain(DB_PASSWORD);
    expect(run.stdout).not.toContain(TOKEN);
    // Every setting is listed, set or not, under the names the flags derive.
    for (const key of ['advertiseUrl', 'drainTimeout', 'metricsPort', 'metricsHost', 'stateDir', 'corsOrigin'])
      expect(config).toHaveProperty(key);
    const fromEnv = await printed([], { BLINDJOIN_DATABASE_URL: `postgresql://u:${DB_PASSWORD}@h/db?password=${DB_PASSWORD}` });
    expect(fromEnv.database).toBe('postgresql://u:***@h/db?password=***');
  });

  it('refuses an unknown key and a bad value with CONFIG_INVALID, naming the key but never a secret value', async () => {
    await writeFile(join(dir, 'typo.yaml'), 'maxSesions: 3\n');
    const typo = await cli(['serve', '--port', '0', '--config', join(dir, 'typo.yaml')]);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toMatch(/^blindjoin: CONFIG_INVALID: config file .*typo\.yaml: unknown key "maxSesions"/m);
    const badEnv = await cli(['serve', '--print-config'], { BLINDJOIN_MAX_SESSIONS: 'many' });
    expect(badEnv.code).toBe(1);
    expect(badEnv.stderr).toMatch(/CONFIG_INVALID: environment variable BLINDJOIN_MAX_SESSIONS: maxSessions: expected a whole number/);
    const badSecret = await cli(['serve', '--print-config'], { BLINDJOIN_DATABASE_URL: `mysql://u:${DB_PASSWORD}@h/db` });
    expect(badSecret.code).toBe(1);
    expect(badSecret.stderr).toMatch(/CONFIG_INVALID: environment variable BLINDJOIN_DATABASE_URL: database:/);
    expect(badSecret.stderr).not.toContain(DB_PASSWORD);
    const badSwitch = await cli(['serve', '--print-config'], { BLINDJOIN_UI: 'maybe' });
    expect(badSwitch.stderr).toMatch(/CONFIG_INVALID: environment variable BLINDJOIN_UI: ui: expected true or false/);
  });

  it('still requires --port, which the environment may give', async () => {
    const missing = await cli(['serve', '--store', join(dir, 'no-store')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/required option '--port <n>' not specified/);
    // With the port from the environment, serve gets as far as opening the (missing) store.
    const fromEnv = await cli(['serve', '--store', join(dir, 'no-store')], {
      BLINDJOIN_PORT: '0',
      BLINDJOIN_STATE_DIR: join(dir, 'state'),
    });
    expect(fromEnv.code).toBe(1);
    expect(fromEnv.stderr).toMatch(/STORE_NOT_FOUND/);
  });
});
