// Builds iCalendar (ICS) text for tests, and a local HTTP server that serves whatever a test
// sets next: a feed, an error status, a redirect, or no answer at all.

import http from "node:http";
import type { AddressInfo } from "node:net";

export interface IcsEvent {
  uid: string;
  /** "20260303T170000" with tzid, "20260303T150000Z", "20260303T170000" (floating) or "20260303" (all-day). */
  start: string;
  end?: string;
  duration?: string;
  tzid?: string;
  summary?: string;
  description?: string;
  location?: string;
  rrule?: string;
  exdates?: string[];
  recurrenceId?: string;
  status?: string;
}

const timeProp = (name: string, value: string, tzid?: string): string =>
  /^\d{8}$/.test(value) ? `${name};VALUE=DATE:${value}` : tzid && !value.endsWith("Z") ? `${name};TZID=${tzid}:${value}` : `${name}:${value}`;

export function vevent(e: IcsEvent): string {
  const lines = ["BEGIN:VEVENT", `UID:${e.uid}`, "DTSTAMP:20260301T000000Z"];
  if (e.recurrenceId) lines.push(timeProp("RECURRENCE-ID", e.recurrenceId, e.tzid));
  lines.push(timeProp("DTSTART", e.start, e.tzid));
  if (e.end) lines.push(timeProp("DTEND", e.end, e.tzid));
  if (e.duration) lines.push(`DURATION:${e.duration}`);
  if (e.rrule) lines.push(`RRULE:${e.rrule}`);
  for (const ex of e.exdates ?? []) lines.push(timeProp("EXDATE", ex, e.tzid));
  if (e.summary) lines.push(`SUMMARY:${e.summary}`);
  if (e.description) lines.push(`DESCRIPTION:${e.description}`);
  if (e.location) lines.push(`LOCATION:${e.location}`);
  if (e.status) lines.push(`STATUS:${e.status}`);
  lines.push("END:VEVENT");
  return lines.join("\r\n");
}

export function calendarText(events: (IcsEvent | string)[], extra: string[] = []): string {
  return ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//calendar//EN", ...extra, ...events.map((e) => (typeof e === "string" ? e : vevent(e))), "END:VCALENDAR", ""].join("\r\n");
}

/** What the feed server does with the next requests. */
export type FeedResponse =
  | { kind: "ics"; body: string; etag?: string; lastModified?: string }
  | { kind: "status"; status: number }
  | { kind: "redirect"; location: string }
  | { kind: "hang" }
  | { kind: "raw"; body: string | Buffer; contentType: string };

export interface FeedServer {
  url(path?: string): string;
  port: number;
  set(response: FeedResponse): void;
  /** Request headers of every request received, in order. */
  requests: { path: string; ifNoneMatch: string | null; ifModifiedSince: string | null }[];
  close(): Promise<void>;
}

export async function startFeedServer(): Promise<FeedServer> {
  let current: FeedResponse = { kind: "status", status: 404 };
  const hanging: http.ServerResponse[] = [];
  const requests: FeedServer["requests"] = [];
  const server = http.createServer((req, res) => {
    const ifNoneMatch = typeof req.headers["if-none-match"] === "string" ? req.headers["if-none-match"] : null;
    const ifModifiedSince = typeof req.headers["if-modified-since"] === "string" ? req.headers["if-modified-since"] : null;
    requests.push({ path: req.url ?? "", ifNoneMatch, ifModifiedSince });
    const response = current;
    switch (response.kind) {
      case "ics":
        if (response.etag && ifNoneMatch === response.etag) {
          res.writeHead(304, { etag: response.etag });
          res.end();
          return;
        }
        res.writeHead(200, {
          "content-type": "text/calendar; charset=utf-8",
          ...(response.etag ? { etag: response.etag } : {}),
          ...(response.lastModified ? { "last-modified": response.lastModified } : {}),
        });
        res.end(response.body);
        return;
      case "status":
        res.writeHead(response.status, { "content-type": "text/plain" });
        res.end("error");
        return;
      case "redirect":
        res.writeHead(302, { location: response.location });
        res.end();
        return;
      case "hang":
        hanging.push(res);
        return;
      case "raw":
        res.writeHead(200, { "content-type": response.contentType });
        res.end(response.body);
        return;
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: (path = "/feeds/s3cr3t-token/calendar.ics") => `http://127.0.0.1:${port}${path}`,
    set(response) {
      current = response;
    },
    requests,
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The bytes of a SQLite database file and its WAL (empty for PostgreSQL URLs). */
export function sqliteBytes(databaseUrl: string, read: (path: string) => Buffer, exists: (path: string) => boolean): Buffer {
  if (!databaseUrl.startsWith("file:")) return Buffer.alloc(0);
  const file = databaseUrl.slice("file:".length);
  return Buffer.concat([file, `${file}-wal`].filter((p) => exists(p)).map((p) => read(p)));
}
