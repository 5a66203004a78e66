import { isIP } from 'node:net';
import { PsiError } from '../errors.js';

/**
 * Whether `host` (a `--host` value or a Host header's name) is a loopback
 * name: `localhost`, an address in 127.0.0.0/8, or `::1`.
 *
 * @example
 * ```ts
 * isLoopbackHost('127.0.0.1'); // true
 * isLoopbackHost('0.0.0.0');   // false
 * ```
 */
export function isLoopbackHost(host: string): boolean {
  const name = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return name === 'localhost' || (isIP(name) === 4 && name.startsWith('127.')) || name === '::1';
}

/**
 * Which `Host` headers a service answers, against DNS rebinding: a page of
 * another site whose name is made to resolve to 127.0.0.1 sends its own name in
 * `Host`, which is refused here. Given `allowed` names, only those (any port);
 * else, bound to loopback, only loopback names with the bound port; else any.
 *
 * @example
 * ```ts
 * const check = hostCheck({ bind: '127.0.0.1', port: 8080 });
 * check('localhost:8080');      // passes
 * check('evil.example:8080');   // throws HOST_INVALID
 * ```
 */
export function hostCheck(opts: { bind: string; port: number; allowed?: readonly string[] }): (header: string | undefined) => void {
  const allowed = new Set((opts.allowed ?? []).map((name) => name.toLowerCase()));
  if (allowed.size === 0 && !isLoopbackHost(opts.bind)) return () => undefined;
  return (header) => {
    // RFC 9110 section 7.2: Host is uri-host [ ":" port ]; a bracketed IPv6 literal keeps its colons inside.
    const parsed = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(header ?? '');
    const name = parsed?.[1]?.toLowerCase() ?? '';
    const port = parsed?.[2] === undefined || parsed[2] === '' ? 80 : Number(parsed[2]);
    const ok =
      parsed !== null &&
      (allowed.size > 0 ? allowed.has(name) || allowed.has(name.replace(/^\[(.*)\]$/, '$1')) : isLoopbackHost(name) && port === opts.port);
    if (!ok) {
      throw new PsiError(
        'HOST_INVALID',
        allowed.size > 0
          ? 'the Host header names none of the --allowed-host names'
          : 'this loopback service answers only loopback Host names with its port (--allowed-host adds others)',
      );
    }
  };
}
