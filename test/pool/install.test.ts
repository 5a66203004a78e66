import { describe, expect, it } from 'vitest';
import { blindingThreads } from '../../src/group/threads.js';
import { workerThreads } from '../../src/pool/threads.js';

// Each test file has a module graph of its own: nothing has installed threads before these run.
describe('who installs worker threads for blinders', () => {
  it('not the browser-safe entry: its blinders compute on the calling thread', async () => {
    await import('../../src/core.js');
    expect(blindingThreads()).toBeUndefined();
  });

  it('the Node entry, through the service', async () => {
    await import('../../src/node.js');
    expect(blindingThreads()).toBe(workerThreads);
  });
});
