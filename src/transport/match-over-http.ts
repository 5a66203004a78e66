import '../pool/install.js';
import { matchWith, type MatchOverHttpOptions, type MatchOverHttpResult } from './client.js';
import { nodePort } from './http-request.js';

/**
 * Runs the initiator side of a PSI session against a blindjoin service over
 * HTTP from Node: {@link matchWith} on a `node:http(s)` port whose connections
 * are closed when the session ends.
 *
 * @example
 * ```ts
 * const { size, peerSize } = await matchOverHttp({
 *   server: 'http://127.0.0.1:8080', token: process.env.BLINDJOIN_TOKEN, items: ['ann@example.com'],
 * });
 * ```
 */
export async function matchOverHttp(opts: MatchOverHttpOptions): Promise<MatchOverHttpResult> {
  const port = nodePort();
  try {
    return await matchWith(port, opts);
  } finally {
    port.close();
  }
}
