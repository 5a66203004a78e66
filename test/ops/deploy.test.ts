import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CONFIGURABLE_COMMANDS } from '../../src/cli/config/command.js';
import { settingsOf } from '../../src/cli/config/settings.js';
import { buildProgram, run } from '../../src/cli/program.js';
import { blindjoin, captured, never } from '../cli/serve-in-process.js';

// Docker (engine and compose) and nginx do not run on the machines that test this: the files are checked
// for what docs/deploy.md promises of them; systemd units with `systemd-analyze verify` by hand.
const ROOT = resolve(import.meta.dirname, '../..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const DEPLOY_FILES = ['Dockerfile', 'docker-compose.yml', 'deploy/blindjoin.service', 'deploy/blindjoin-worker@.service', 'docs/deploy.md'];

interface ComposeService {
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  profiles?: string[];
  deploy?: { replicas?: number };
}

describe('deployment files', () => {
  it('name only BLINDJOIN_* variables that are settings of a configurable command', () => {
    const program = buildProgram(captured(), never);
    const known = new Set(['BLINDJOIN_CONFIG', 'BLINDJOIN_TOKEN']);
    for (const cmd of program.commands.filter((c) => CONFIGURABLE_COMMANDS.includes(c.name()))) {
      for (const s of settingsOf(cmd)) known.add(s.env);
    }
    for (const file of DEPLOY_FILES) {
      for (const [name] of read(file).matchAll(/\bBLINDJOIN_[A-Z_]+[A-Z]\b/g)) expect(known, `${file}: ${name}`).toContain(name);
    }
  });

  it('compose runs three replicas on one PostgreSQL behind the proxy, workers and the prepare job on the shared store and queue', () => {
    const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, ComposeService> };
    const { services } = compose;
    expect(Object.keys(services)).toEqual(expect.arrayContaining(['postgres', 'blindjoin-1', 'blindjoin-2', 'blindjoin-3', 'proxy']));
    const replicas = ['blindjoin-1', 'blindjoin-2', 'blindjoin-3'].map((name) => services[name]!);
    for (const [i, replica] of replicas.entries()) {
      expect(replica.command).toEqual(['serve']);
      expect(replica.environment?.BLINDJOIN_DATABASE_URL).toMatch(/^postgres:\/\/blindjoin:\$\{POSTGRES_PASSWORD.*\}@postgres:5432\//);
      expect(replica.environment?.BLINDJOIN_ADVERTISE_URL).toBe(`http://blindjoin-${i + 1}:8080`);
      expect(replica.volumes).toContain('store:/var/lib/blindjoin/store');
    }
    expect(services.worker?.deploy?.replicas).toBe(2);
    expect(services.worker?.environment?.BLINDJOIN_QUEUE_URL).toBe('redis://redis:6379/0');
    expect(Object.keys(services)).toContain('redis');
    expect(services.worker?.command).toEqual(['worker']);
    expect(services.prepare?.command).toEqual(['prepare']);
    // Every file the compose file mounts from the repository exists.
    for (const service of Object.values(services)) {
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0]!;
        if (source.startsWith('./deploy/') && !/tokens|input/.test(source)) expect(existsSync(join(ROOT, source)), source).toBe(true);
      }
    }
  });

  it('the proxy takes a frame-sized body and waits as long as a client does', () => {
    const conf = read('deploy/nginx.conf');
    const body = /client_max_body_size (\d+)m;/.exec(conf);
    expect(Number(body?.[1]) * 2 ** 20).toBeGreaterThanOrEqual(2 ** 20 + 32);
    expect(Number(/proxy_read_timeout (\d+)s;/.exec(conf)?.[1])).toBeGreaterThanOrEqual(300);
    for (const n of [1, 2, 3]) expect(conf).toContain(`server blindjoin-${n}:8080`);
  });

  it('the image is built in two stages and runs unprivileged with a health check on /healthz', () => {
    const dockerfile = read('Dockerfile');
    expect(dockerfile.match(/^FROM node:20-slim AS \w+$/gm)).toHaveLength(2);
    expect(dockerfile).toMatch(/^RUN npm ci --omit=dev/m);
    expect(dockerfile).toMatch(/^COPY --from=build \/src\/dist \.\/dist$/m);
    expect(dockerfile).toMatch(/^USER blindjoin$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK [\s\S]*\/healthz/m);
  });

  it('the systemd unit runs as its own user with a state directory, a strict sandbox and SIGHUP for reload', () => {
    const unit = read('deploy/blindjoin.service');
    for (const line of ['User=blindjoin', 'StateDirectory=blindjoin', 'ProtectSystem=strict', 'NoNewPrivileges=yes', 'PrivateTmp=yes']) {
      expect(unit).toMatch(new RegExp(`^${line}$`, 'm'));
    }
    expect(unit).toMatch(/^ExecReload=\/bin\/kill -HUP \$MAINPID$/m);
    expect(unit).toMatch(/^ExecStart=\/usr\/bin\/node \/opt\/blindjoin\/dist\/cli\.js serve$/m);
  });

  it('the example config resolves for serve and prepare', async () => {
    for (const command of ['serve', 'prepare']) {
      const io = captured();
      const code = await run(blindjoin(command, '--config', join(ROOT, 'deploy/blindjoin.yaml'), '--print-config'), io, never);
      expect(code, io.stderr).toBe(0);
      const config = JSON.parse(io.stdout) as Record<string, unknown>;
      expect(config.store).toBe('/var/lib/blindjoin/store');
      if (command === 'serve') expect(config).toMatchObject({ port: 8080, metricsPort: 9464, drainTimeout: 60_000 });
      else expect(config).toMatchObject({ input: '/var/lib/blindjoin/input/users.csv', emit: ['user_id'] });
    }
  });
});
