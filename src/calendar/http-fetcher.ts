// Reads ICS feeds over HTTP(S) with node:http/https. A calendar address is given by a user, so
// it must not become a way to probe the practice's network:
// - only http: and https: addresses; no user:password part;
// - the host is resolved here and every address it resolves to is checked: loopback, link-local,
//   private, unique-local, CGNAT, multicast and unspecified ranges are refused unless private
//   addresses are allowed (CALENDAR_ALLOW_PRIVATE=1); the connection goes to the checked address,
//   so a second DNS answer cannot swap it;
// - redirects are followed by hand (at most 5), each one checked the same way;
// - one deadline for the whole read (timeout) and a size limit (5 MB by default), counted on the
//   bytes as they arrive, whatever Content-Length says.
// Nothing here logs: the address is a secret.

import http from "node:http";
import https from "node:https";
import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";
import type { LookupFunction } from "node:net";
import type { CalendarFetcher, CalendarFetchErrorCode, CalendarFetchResult } from "../ports/calendar.ts";

export interface HttpCalendarFetcherOptions {
  /** Allow addresses in private ranges (CALENDAR_ALLOW_PRIVATE=1): for calendars on the practice's own network, and tests. */
  allowPrivate?: boolean;
  /** A narrower allowance than allowPrivate: these exact IP addresses are allowed although private. */
  allowAddresses?: string[];
  timeoutMs?: number;
  maxBytes?: number;
  maxRedirects?: number;
}

export const DEFAULT_CALENDAR_MAX_BYTES = 5 * 1024 * 1024;

const BLOCKED = new BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const) {
  BLOCKED.addSubnet(network, prefix, "ipv4");
}
for (const [network, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
  ["64:ff9b::", 96],
] as const) {
  BLOCKED.addSubnet(network, prefix, "ipv6");
}

/** Whether an IP address is in a loopback, link-local, private or otherwise non-public range. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return BLOCKED.check(address, "ipv4");
  if (family !== 6) return true;
  // IPv4-mapped and -compatible IPv6 (::ffff:10.0.0.1) is judged as the IPv4 address.
  const mapped = /^(?:0{0,4}:){0,5}(?:ffff:)?(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address.replace(/^::/, "0:"));
  if (mapped?.[1]) return BLOCKED.check(mapped[1], "ipv4");
  return BLOCKED.check(address, "ipv6");
}

class FetchFailure extends Error {
  constructor(readonly code: CalendarFetchErrorCode) {
    super(code);
  }
}

interface Target {
  url: URL;
  address: string;
  family: 4 | 6;
}

export class HttpCalendarFetcher implements CalendarFetcher {
  private readonly timeoutMs: number;
  private readonly maxBytes: number;
  private readonly maxRedirects: number;

  constructor(private readonly options: HttpCalendarFetcherOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 20_000;
    this.maxBytes = options.maxBytes ?? DEFAULT_CALENDAR_MAX_BYTES;
    this.maxRedirects = options.maxRedirects ?? 5;
  }

  async check(url: string): Promise<{ ok: true; host: string } | { ok: false; code: CalendarFetchErrorCode }> {
    try {
      const target = await this.resolve(url);
      return { ok: true, host: target.url.hostname };
    } catch (error) {
      return { ok: false, code: error instanceof FetchFailure ? error.code : "bad_address" };
    }
  }

  async fetch(url: string, conditions: { etag: string | null; lastModified: string | null }): Promise<CalendarFetchResult> {
    const deadline = Date.now() + this.timeoutMs;
    try {
      let current = url;
      for (let redirects = 0; ; redirects++) {
        const target = await this.resolve(current);
        const outcome = await this.request(target, conditions, deadline);
        if (outcome.kind === "redirect") {
          if (redirects >= this.maxRedirects) throw new FetchFailure("too_many_redirects");
          current = new URL(outcome.location, target.url).toString();
          continue;
        }
        return outcome.result;
      }
    } catch (error) {
      return { status: "error", code: error instanceof FetchFailure ? error.code : "connection_failed" };
    }
  }

  private allowed(address: string): boolean {
    return this.options.allowPrivate === true || (this.options.allowAddresses ?? []).includes(address) || !isPrivateAddress(address);
  }

  /** Parses and checks an address, resolving its host to one allowed IP address. */
  private async resolve(text: string): Promise<Target> {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new FetchFailure("bad_address");
    }
    if ((url.protocol !== "http:" && url.protocol !== "https:") || url.username !== "" || url.password !== "" || url.hostname === "") {
      throw new FetchFailure("bad_address");
    }
    const host = url.hostname.replace(/^\[|\]$/g, "");
    let addresses: { address: string; family: number }[];
    if (isIP(host)) {
      addresses = [{ address: host, family: isIP(host) }];
    } else {
      try {
        addresses = await lookup(host, { all: true, verbatim: true });
      } catch {
        throw new FetchFailure("dns_failed");
      }
    }
    if (addresses.length === 0) throw new FetchFailure("dns_failed");
    // Every answer must be allowed: otherwise a name with one public and one private answer could reach inside.
    if (!addresses.every((a) => this.allowed(a.address))) throw new FetchFailure("private_address");
    const first = addresses[0]!;
    return { url, address: first.address, family: first.family === 6 ? 6 : 4 };
  }

  private request(
    target: Target,
    conditions: { etag: string | null; lastModified: string | null },
    deadline: number,
  ): Promise<{ kind: "redirect"; location: string } | { kind: "done"; result: CalendarFetchResult }> {
    const remaining = deadline - Date.now();
    if (remaining <= 0) return Promise.reject(new FetchFailure("timeout"));
    const headers: Record<string, string> = { accept: "text/calendar, */*;q=0.5", "user-agent": "alliance-checkin-bot (calendar)" };
    if (conditions.etag) headers["if-none-match"] = conditions.etag;
    if (conditions.lastModified) headers["if-modified-since"] = conditions.lastModified;
    // The connection goes to the address checked above, whatever DNS says a moment later.
    const pinned: LookupFunction = (_hostname, options, callback) => {
      if (options && typeof options === "object" && "all" in options && options.all) callback(null, [{ address: target.address, family: target.family }]);
      else callback(null, target.address, target.family);
    };
    const client = target.url.protocol === "https:" ? https : http;
    return new Promise((resolve, reject) => {
      let settled = false;
      const finish = (fn: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        fn();
      };
      const req = client.request(target.url, { method: "GET", headers, lookup: pinned, agent: false }, (res) => {
        const status = res.statusCode ?? 0;
        if ([301, 302, 303, 307, 308].includes(status)) {
          const location = res.headers.location;
          res.resume();
          if (!location) return finish(() => resolve({ kind: "done", result: { status: "error", code: `http_${status}` } }));
          return finish(() => resolve({ kind: "redirect", location }));
        }
        if (status === 304) {
          res.resume();
          return finish(() => resolve({ kind: "done", result: { status: "not_modified" } }));
        }
        if (status < 200 || status >= 300) {
          res.resume();
          return finish(() => resolve({ kind: "done", result: { status: "error", code: `http_${status}` } }));
        }
        const declared = Number(res.headers["content-length"] ?? NaN);
        if (Number.isFinite(declared) && declared > this.maxBytes) {
          req.destroy();
          return finish(() => reject(new FetchFailure("too_large")));
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size > this.maxBytes) {
            req.destroy();
            finish(() => reject(new FetchFailure("too_large")));
            return;
          }
          chunks.push(chunk);
        });
        res.on("end", () => {
          const etag = typeof res.headers.etag === "string" ? res.headers.etag : null;
          const lastModified = typeof res.headers["last-modified"] === "string" ? res.headers["last-modified"] : null;
          finish(() => resolve({ kind: "done", result: { status: "ok", body: Buffer.concat(chunks).toString("utf8"), etag, lastModified } }));
        });
        res.on("error", () => finish(() => reject(new FetchFailure("connection_failed"))));
      });
      const timer = setTimeout(() => {
        req.destroy();
        finish(() => reject(new FetchFailure("timeout")));
      }, remaining);
      req.on("error", () => finish(() => reject(new FetchFailure("connection_failed"))));
      req.end();
    });
  }
}
