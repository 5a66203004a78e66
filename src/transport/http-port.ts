/**
 * A complete HTTP answer as the client needs it.
 *
 * @example
 * ```ts
 * const reply: HttpAnswer = { status: 201, statusText: 'Created', header: () => '0', body: new Uint8Array() };
 * ```
 */
export interface HttpAnswer {
  status: number;
  statusText: string;
  /** A response header by lowercase name. */
  header(name: string): string | undefined;
  body: Uint8Array;
}

/**
 * How the client reaches a service: `node:http` in Node, `fetch` in a browser.
 * `request` resolves with any HTTP answer, 4xx and 5xx included, and rejects only
 * when no complete answer arrived (network failure, timeout, abort).
 *
 * @example
 * ```ts
 * const port: HttpPort = { request: (method, url, init) => myRequest(method, url, init), close() {} };
 * ```
 */
export interface HttpPort {
  request(
    method: string,
    url: URL,
    init: { headers: Record<string, string>; body?: Uint8Array; timeoutMs: number; signal?: AbortSignal },
  ): Promise<HttpAnswer>;
  /** Releases connections; the port is not used afterwards. */
  close(): void;
}

/**
 * An {@link HttpPort} over the global `fetch`, for browsers and workers.
 *
 * @example
 * ```ts
 * await matchWith(fetchPort(), { server: 'https://psi.platform.example', items });
 * ```
 */
export function fetchPort(): HttpPort {
  return {
    async request(method, url, init) {
      const timeout = AbortSignal.timeout(init.timeoutMs);
      const signal = init.signal === undefined ? timeout : AbortSignal.any([init.signal, timeout]);
      const response = await fetch(url, {
        method,
        headers: init.headers,
        ...(init.body === undefined ? {} : { body: init.body as BodyInit }),
        signal,
        cache: 'no-store',
      });
      const body = new Uint8Array(await response.arrayBuffer());
      return { status: response.status, statusText: response.statusText, header: (name) => response.headers.get(name) ?? undefined, body };
    },
    close() {},
  };
}
