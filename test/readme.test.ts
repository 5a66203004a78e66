import { expect, it } from 'vitest';
import { createParty, runLocal } from '../src/index.js';

it('the README usage example gives the results it shows', async () => {
  const advertiser = createParty({
    role: 'initiator',
    items: ['ann@example.com', 'bob@example.com'],
    learn: 'size',
    peerLearns: 'intersection',
    workers: 1,
  });
  const platform = createParty({
    role: 'responder',
    items: ['bob@example.com', 'cat@example.com', 'dan@example.com'],
    learn: 'intersection',
    peerLearns: 'size',
    workers: 1,
  });
  await runLocal(advertiser, platform);
  expect(advertiser.result()).toEqual({ ownSize: 2, peerSize: 3, size: 1 });
  expect(platform.result()).toEqual({ ownSize: 3, peerSize: 2, size: 1, matches: [0] });
});
