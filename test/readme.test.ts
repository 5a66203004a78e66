import { expect, it } from 'vitest';
import { createParty, runLocal } from '../src/node.js';
import { emails } from './transport/helpers.js';

it('the README usage example gives the results it shows: a released figure near the truth, the platform its matches', async () => {
  const customers = emails(0, 2_000);
  const users = emails(500, 5_000);
  const advertiser = createParty({
    role: 'initiator',
    items: customers,
    learn: 'released',
    peerLearns: 'intersection',
    keySeed: new Uint8Array(32).fill(1),
    keyFromItems: true,
    workers: 1,
  });
  const platform = createParty({
    role: 'responder',
    items: users,
    learn: 'intersection',
    peerLearns: 'released',
    disclosure: { policy: { epsilon: 0.25 } },
    workers: 1,
  });
  await runLocal(advertiser, platform);
  const { released } = advertiser.result();
  expect(released?.note).toBe('noised with epsilon 0.25, rounded to 2 significant digits');
  expect(released?.value).toBeGreaterThanOrEqual(1_400);
  expect(released?.value).toBeLessThanOrEqual(1_600);
  expect(advertiser.result()).not.toHaveProperty('size');
  expect(platform.result().matches).toHaveLength(1_500);
});
