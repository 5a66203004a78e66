import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { matchOverHttp } from '../../src/transport/match-over-http.js';
import { emailServeArgs, listening, serveChild, until } from '../cli/serve-child.js';
import { emails, raw } from '../transport/helpers.js';

const OLD = '0123456789abcdef0123456789abcdef-old-token';
const NEW = 'fedcba9876543210fedcba9876543210-new-token';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bj-sighup-'));
  await writeFile(join(dir, 'users.csv'), `email\n${emails(0, 60).join('\n')}\n`);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

it('reloads the tokens file on SIGHUP: a removed token gets 401 for its session, a bad file keeps the tokens in use', async () => {
  const tokens = join(dir, 'tokens');
  await writeFile(tokens, `acme ${OLD}\n`);
  const args = [...emailServeArgs(join(dir, 'users.csv')), '--tokens-file', tokens, '--state-dir', join(dir, 'state')];
  const served = serveChild(args);
  const { child, exited } = served;
  const stderr = () => served.stderr();
  try {
    const url = await listening(served);
    const { sessionId } = await matchOverHttp({ server: url, token: OLD, items: emails(30, 60), workers: 1 });
    const status = (token: string) => raw(url, 'GET', `/v1/sessions/${sessionId}`, { headers: { authorization: `Bearer ${token}` } });
    expect((await status(OLD)).status).toBe(200);

    // acme's token is replaced: its session's next request is refused.
    await writeFile(tokens, `acme2 ${NEW}\n`);
    child.kill('SIGHUP');
    await until(stderr, /tokens reloaded from .*tokens: 1 tokens/);
    expect((await status(OLD)).status).toBe(401);
    // The new token is accepted, and like any other token does not see acme's session.
    expect((await status(NEW)).status).toBe(404);

    // A file that does not parse changes nothing, and says why (naming the line, not the token).
    await writeFile(tokens, `acme2 ${NEW}\nbroken short\n`);
    child.kill('SIGHUP');
    await until(stderr, /not reloaded, still using the 1 tokens loaded before: TOKENS_INVALID: tokens line 2/);
    expect((await status(NEW)).status).toBe(404);
    expect((await status(OLD)).status).toBe(401);
    expect(stderr()).not.toContain(OLD);
    expect(stderr()).not.toContain(NEW);
    expect(child.exitCode).toBeNull();
  } finally {
    child.kill('SIGTERM');
  }
  expect(await exited).toBe(0);
});
