import { expect, it } from 'vitest';
import { blindingThreads } from '../../src/group/threads.js';
import { workerThreads } from '../../src/pool/threads.js';

// A file of its own: its module graph starts with nothing installed.
it("the Node client's entry (blindjoin/client) installs worker threads: matchOverHttp blinds on them", async () => {
  expect(blindingThreads()).toBeUndefined();
  await import('../../src/client.js');
  expect(blindingThreads()).toBe(workerThreads);
});
