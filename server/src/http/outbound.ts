// The one door for outbound HTTP: refuses private and loopback addresses unless allow-listed, never follows redirects, bounds time and size.
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';

export interface OutboundRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  url: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** Whole exchange, connection included; default 10 000 ms. */
  timeoutMs?: number;
  /** Bytes of response body kept; the rest is dropped and `truncated` is set. Default 64 KiB. */
  maxResponseBytes?: number;
}

export interface OutboundResponse {
  status: number;
  /** Lower-case names; repeated headers joined with ', '. */
  headers: Record<string, string>;
  body: Buffer;
  truncated: boolean;
  latencyMs: number;
}

/** The guard would not send the request: bad URL, forbidden address. Retrying will not help until the configuration changes. */
export class OutboundRefused extends Error {
  constructor(readonly reason: string) {
    super(`Outbound request refused: ${reason}`);
    this.name = 'OutboundRefused';
  }
}

/** The request was tried and did not get an answer: DNS failure, connection refused or reset, timeout. */
export class OutboundFailed extends Error {
  constructor(readonly reason: string) {
    super(`Outbound request failed: ${reason}`);
    this.name = 'OutboundFailed';
  }
}

export const DEFAULT_OUTBOUND_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024;

/**
 * Ranges no outbound call may reach unless allow-listed: "this" network, private (RFC 1918), carrier-grade NAT,
 * loopback, link-local (cloud metadata at 169.254.169.254), IETF protocol assignments, benchmarking, multicast,
 * reserved and broadcast; IPv6 unspecified, loopback, unique-local, link-local, multicast, NAT64 and the
 * discard prefix. IPv4-mapped IPv6 addresses are unwrapped and checked as IPv4.
 */
const FORBIDDEN_V4: ReadonlyArray<[string, number]> = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
];
const FORBIDDEN_V6: ReadonlyArray<[string, number]> = [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
];

const forbidden = new net.BlockList();
for (const [address, prefix] of FORBIDDEN_V4) forbidden.addSubnet(address, prefix, 'ipv4');
for (const [address, prefix] of FORBIDDEN_V6) forbidden.addSubnet(address, prefix, 'ipv6');

/** `::ffff:127.0.0.1` (and its hex form `::ffff:7f00:1`) → `127.0.0.1`; other addresses unchanged. */
export function unwrapMappedV4(address: string): string {
  const lower = address.toLowerCase();
  const dotted = /^(?:0{0,4}:){0,5}:?ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower) ?? /^::(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted?.[1] && net.isIPv4(dotted[1])) return dotted[1];
  const hex = /^(?:0{0,4}:){0,5}:?ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hex?.[1] && hex[2]) {
    const high = parseInt(hex[1], 16);
    const low = parseInt(hex[2], 16);
    return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
  }
  return address;
}

/** The parsed CAUSERIE_OUTBOUND_ALLOWLIST: host names (exact, or `*.example.com`) and CIDR ranges or single addresses. */
export interface OutboundAllowlist {
  hosts: Set<string>;
  suffixes: string[];
  ranges: net.BlockList;
}

/** Parses `host, *.suffix, 10.0.0.0/8, ::1` ; throws on a malformed range so a typo is not silently "allow nothing". */
export function parseOutboundAllowlist(raw: string): OutboundAllowlist {
  const hosts = new Set<string>();
  const suffixes: string[] = [];
  const ranges = new net.BlockList();
  for (const entry of raw
    .split(',')
    .map((part) => part.trim().toLowerCase())
    .filter(Boolean)) {
    const [address, prefixText, extra] = entry.split('/');
    const bare = address?.replace(/^\[|\]$/g, '') ?? '';
    const family = net.isIP(bare);
    if (family !== 0) {
      const max = family === 4 ? 32 : 128;
      const prefix = prefixText === undefined ? max : Number(prefixText);
      if (
        extra !== undefined ||
        !Number.isInteger(prefix) ||
        prefix < 0 ||
        prefix > max ||
        (prefixText !== undefined && !/^\d+$/.test(prefixText))
      ) {
        throw new Error(`'${entry}' is not a valid CIDR range.`);
      }
      ranges.addSubnet(bare, prefix, family === 4 ? 'ipv4' : 'ipv6');
    } else if (prefixText !== undefined) {
      throw new Error(`'${entry}' is not a valid CIDR range.`);
    } else if (entry.startsWith('*.') && /^[a-z0-9.-]+$/.test(entry.slice(2))) {
      suffixes.push(entry.slice(1));
    } else if (/^[a-z0-9.-]+$/.test(entry)) {
      hosts.add(entry.replace(/\.$/, ''));
    } else {
      throw new Error(`'${entry}' is neither a host name nor a CIDR range.`);
    }
  }
  return { hosts, suffixes, ranges };
}

/** Why an address may not be reached, or undefined when it may. */
export function addressRefusal(address: string, allowlist: OutboundAllowlist): string | undefined {
  const plain = unwrapMappedV4(address);
  const family = net.isIP(plain);
  if (family === 0) return `'${address}' is not an IP address`;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  // An allow-listed range may be written either way (::ffff:127.0.0.1 is 127.0.0.1).
  if (allowlist.ranges.check(plain, type) || (plain !== address && allowlist.ranges.check(address, 'ipv6')))
    return undefined;
  if (forbidden.check(plain, type))
    return `address ${plain} is private, loopback or reserved (allow it with CAUSERIE_OUTBOUND_ALLOWLIST)`;
  return undefined;
}

function hostAllowed(host: string, allowlist: OutboundAllowlist): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  return allowlist.hosts.has(name) || allowlist.suffixes.some((suffix) => name.endsWith(suffix));
}

/**
 * Checks a URL the platform will call (a webhook, a channel provider's base URL) when it is registered, so a bad one
 * is refused with the field's name rather than failing later at each send: absolute, http(s), no credentials, not a
 * literal private, loopback or reserved address, and https unless its host is in CAUSERIE_OUTBOUND_ALLOWLIST (seed
 * 003: "Callback urls must be defined with HTTPS protocol"; tests and on-premise receivers are allow-listed).
 * Returns the reason it is refused, or undefined. Host names are checked again when connecting (DNS may change).
 */
export function registeredUrlRefusal(url: URL, allowlist: OutboundAllowlist): string | undefined {
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'Expected an https:// URL.';
  if (url.username !== '' || url.password !== '')
    return 'Credentials in the URL are not accepted; verify the signature instead.';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const literal = net.isIP(host) !== 0;
  if (literal) {
    const refusal = addressRefusal(host, allowlist);
    if (refusal) return `The ${refusal}.`;
  }
  if (url.protocol === 'http:') {
    const plain = unwrapMappedV4(host);
    const allowed = literal
      ? allowlist.ranges.check(plain, net.isIP(plain) === 4 ? 'ipv4' : 'ipv6')
      : hostAllowed(host, allowlist);
    if (!allowed)
      return `Expected an https:// URL: plain http is accepted only for hosts listed in CAUSERIE_OUTBOUND_ALLOWLIST (${host} is not).`;
  }
  return undefined;
}

/** Marks a refusal raised inside the socket's DNS lookup, so the request error maps back to OutboundRefused. */
class LookupRefusal extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | dns.LookupAddress[],
  family?: number,
) => void;

/**
 * Sends outbound HTTP for the whole platform (webhooks, channel providers). The address check runs inside the
 * socket's own DNS lookup, so the address connected to is the address checked (no DNS-rebinding window).
 */
export class OutboundGuard {
  readonly allowlist: OutboundAllowlist;
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;

  constructor(allowlist: string) {
    this.allowlist = parseOutboundAllowlist(allowlist);
    const lookup = this.checkedLookup.bind(this);
    // Keep-alive per origin: webhook throughput depends on not paying a TCP (and TLS) handshake per delivery.
    const agentOptions = {
      keepAlive: true,
      keepAliveMsecs: 10_000,
      maxSockets: 256,
      maxFreeSockets: 64,
      scheduling: 'lifo' as const,
      lookup,
    };
    this.httpAgent = new http.Agent(agentOptions);
    this.httpsAgent = new https.Agent(agentOptions);
  }

  /** Sends one request and reads the answer (up to the size cap). A 3xx is answered as is, never followed. */
  async request(req: OutboundRequest): Promise<OutboundResponse> {
    const started = performance.now();
    let url: URL;
    try {
      url = new URL(req.url);
    } catch {
      throw new OutboundRefused('the URL is not valid');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new OutboundRefused(`scheme '${url.protocol.replace(/:$/, '')}' is not http or https`);
    // WHATWG parsing already turns 2130706433, 0x7f.1 and 017700000001 into 127.0.0.1, so the literal check sees the real address.
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (net.isIP(host) !== 0) {
      const refusal = addressRefusal(host, this.allowlist);
      if (refusal) throw new OutboundRefused(refusal);
    }
    const timeoutMs = req.timeoutMs ?? DEFAULT_OUTBOUND_TIMEOUT_MS;
    const maxBytes = req.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    const body = req.body === undefined ? undefined : typeof req.body === 'string' ? Buffer.from(req.body) : req.body;
    const headers: Record<string, string> = { ...req.headers };
    if (body !== undefined) headers['content-length'] = String(body.byteLength);
    const transport = url.protocol === 'https:' ? https : http;

    return new Promise<OutboundResponse>((resolve, reject) => {
      let settled = false;
      const finish = (error: Error | undefined, response?: OutboundResponse): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error) reject(error);
        else if (response) resolve(response);
      };
      const request = transport.request(url, {
        method: req.method,
        headers,
        agent: url.protocol === 'https:' ? this.httpsAgent : this.httpAgent,
      });
      const timer = setTimeout(() => {
        // A loop busy past the deadline runs its timers before it reads the sockets: the answer may be waiting there.
        // setImmediate runs after the loop's I/O phase, so an answer that came in time wins; a send whose answer were
        // dropped here would be sent again.
        setImmediate(() => {
          if (settled) return;
          const error = new OutboundFailed(`no complete answer within ${timeoutMs} ms`);
          finish(error);
          request.destroy(error);
        });
      }, timeoutMs);
      request.on('error', (error: NodeJS.ErrnoException) => finish(mapError(error)));
      request.on('response', (response) => {
        const chunks: Buffer[] = [];
        let kept = 0;
        let truncated = false;
        response.on('data', (chunk: Buffer) => {
          if (truncated) return;
          const room = maxBytes - kept;
          if (chunk.byteLength > room) {
            if (room > 0) chunks.push(chunk.subarray(0, room));
            kept = maxBytes;
            truncated = true;
            // Dropping the connection is cheaper than draining an unbounded body.
            finish(undefined, answer(response, Buffer.concat(chunks), true, started));
            response.destroy();
            return;
          }
          chunks.push(chunk);
          kept += chunk.byteLength;
        });
        response.on('end', () => finish(undefined, answer(response, Buffer.concat(chunks), truncated, started)));
        response.on('error', (error: NodeJS.ErrnoException) => finish(mapError(error)));
        response.on('aborted', () =>
          finish(new OutboundFailed('the connection closed before the answer was complete')),
        );
      });
      request.end(body);
    });
  }

  /** Closes idle keep-alive connections (at shutdown). */
  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  private checkedLookup(hostname: string, options: dns.LookupOptions, callback: LookupCallback): void {
    const trusted = hostAllowed(hostname, this.allowlist);
    dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, options.all ? [] : '', undefined);
      const list = addresses as dns.LookupAddress[];
      if (!trusted) {
        // Every answer is checked, not only the first: with several records the socket may try any of them.
        for (const candidate of list) {
          const refusal = addressRefusal(candidate.address, this.allowlist);
          if (refusal)
            return callback(
              new LookupRefusal(`${hostname} resolves to ${refusal.replace(/^address (\S+) is /, '$1, which is ')}`),
              options.all ? [] : '',
              undefined,
            );
        }
      }
      if (list.length === 0)
        return callback(
          Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }),
          options.all ? [] : '',
          undefined,
        );
      if (options.all) return callback(null, list);
      const first = list[0] as dns.LookupAddress;
      return callback(null, first.address, first.family);
    });
  }
}

function answer(response: http.IncomingMessage, body: Buffer, truncated: boolean, started: number): OutboundResponse {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return {
    status: response.statusCode ?? 0,
    headers,
    body,
    truncated,
    latencyMs: Math.round(performance.now() - started),
  };
}

function mapError(error: NodeJS.ErrnoException): Error {
  if (error instanceof OutboundFailed || error instanceof OutboundRefused) return error;
  if (error instanceof LookupRefusal) return new OutboundRefused(error.reason);
  switch (error.code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new OutboundFailed(`DNS lookup failed (${error.code})`);
    case 'ECONNREFUSED':
      return new OutboundFailed('connection refused');
    case 'ECONNRESET':
      return new OutboundFailed('connection reset');
    default:
      return new OutboundFailed(error.code ? `${error.code}: ${error.message}` : error.message);
  }
}
