import { parentPort, workerData } from 'node:worker_threads';
import { crackEmails, type EmailJob } from './email-dictionary.js';
import { enumeratePhones, type PhoneJob } from './phone-kernel.js';

/**
 * Work sent to a bench thread.
 *
 * @example
 * ```ts
 * const task: AttackJob = { kind: 'email', job: { from: 0, to: 50, targets } };
 * ```
 */
export type AttackJob = { kind: 'phone'; job: PhoneJob } | { kind: 'email'; job: EmailJob };

const task = workerData as AttackJob;
parentPort!.postMessage(task.kind === 'phone' ? enumeratePhones(task.job) : crackEmails(task.job));
