// The web scenario's visitors, in a worker thread of their own: a deployment's browsers are not
// inside the server's process, so their HTTP client work must not take the server's event loop.
// Each of `clients` visitors keeps one keep-alive connection and, in a closed loop, GETs a
// check-in page, then POSTs the answers with the page's CSRF cookie and token, as a browser does.
//
// On this machine the visitors share the server's two CPUs, so what they spend is taken from the
// server. Like wrk or autocannon they therefore write prebuilt HTTP/1.1 requests to a plain socket
// and read each response by its Content-Length: about 105 µs of CPU per check-in, against
// 320-350 µs with node:http's client and 210-270 µs with undici's (same run conditions). The
// server's responses to these requests always carry Content-Length; anything else is an error.

import { connect } from "node:net";
import type { Socket } from "node:net";
import { parentPort } from "node:worker_threads";
import { scoresFor } from "./scores.ts";

/**
 * One run: these links, `clients` at a time, in one closed loop. The check-ins before `timedFrom`
 * warm the server up and are not timed; the loop carries on into the timed ones without a pause,
 * so the timed window starts in steady state rather than with all clients sending at once.
 */
export interface WebClientsRun {
  links: string[];
  clients: number;
  timedFrom: number;
}

/**
 * What the visitors post back: `timed` when check-in `timedFrom` starts (the server's CPU is read
 * then), and at the end what the timed window measured: from the start of check-in `timedFrom` to
 * the end of the last one, and `latencies[i]` (GET + POST of `links[timedFrom + i]`, in ms).
 */
export type WebClientsMessage = { timed: true } | { ms: number; latencies: number[] } | { error: string };

interface Answer {
  status: number;
  /** The first Set-Cookie's name=value, or "". */
  cookie: string;
  body: string;
}

/**
 * One keep-alive HTTP/1.1 connection with one request in flight at a time. Bytes are read as
 * latin1, one character per byte, so Content-Length counts characters; the fields the visitors
 * read from a page (CSRF token, submission id) are ASCII.
 */
class Connection {
  private readonly socket: Socket;
  private buffered = "";
  private waiting: { resolve: (answer: Answer) => void; reject: (error: Error) => void } | null = null;

  constructor(port: number, host: string) {
    this.socket = connect(port, host);
    this.socket.setNoDelay(true);
    this.socket.setEncoding("latin1");
    this.socket.on("data", (chunk: string) => {
      this.buffered += chunk;
      this.parse();
    });
    this.socket.on("error", (error) => this.fail(error));
    this.socket.on("close", () => this.fail(new Error("web visitors: the server closed a keep-alive connection")));
  }

  send(request: string): Promise<Answer> {
    if (this.waiting) return Promise.reject(new Error("web visitors: one request at a time per connection"));
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.socket.write(request, "latin1");
    });
  }

  close(): void {
    this.socket.removeAllListeners("close");
    this.socket.destroy();
  }

  private fail(error: Error): void {
    const waiting = this.waiting;
    this.waiting = null;
    waiting?.reject(error);
  }

  private parse(): void {
    const headEnd = this.buffered.indexOf("\r\n\r\n");
    if (!this.waiting || headEnd < 0) return;
    const head = this.buffered.slice(0, headEnd);
    const length = /\r\ncontent-length: *(\d+)/i.exec(head);
    if (!length) return this.fail(new Error(`web visitors: a response without Content-Length (${head.split("\r\n")[0]})`));
    const bodyStart = headEnd + 4;
    const bodyEnd = bodyStart + Number(length[1]);
    if (this.buffered.length < bodyEnd) return;
    const body = this.buffered.slice(bodyStart, bodyEnd);
    this.buffered = this.buffered.slice(bodyEnd);
    const waiting = this.waiting;
    this.waiting = null;
    waiting.resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), cookie: /\r\nset-cookie: *([^;\r]*)/i.exec(head)?.[1] ?? "", body });
  }
}

const field = (html: string, name: string): string => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? "";

async function run(connections: Connection[], { links, timedFrom }: WebClientsRun, onTimed: () => void): Promise<{ ms: number; latencies: number[] }> {
  let next = 0;
  const latencies: number[] = [];
  let started = Number.NaN;
  await Promise.all(
    connections.map(async (connection) => {
      while (next < links.length) {
        const i = next++;
        const url = new URL(links[i]!);
        const itemStart = performance.now();
        if (i === timedFrom) {
          started = itemStart;
          onTimed();
        }
        const page = await connection.send(`GET ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nAccept: text/html\r\n\r\n`);
        if (page.status !== 200) throw new Error(`web page got ${page.status}`);
        const scores = scoresFor(i);
        const body = new URLSearchParams({ _csrf: field(page.body, "_csrf"), submission: field(page.body, "submission"), goal: String(scores.goal), task: String(scores.task), bond: String(scores.bond), tension: "no" }).toString();
        const answered = await connection.send(
          `POST ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nAccept: text/html\r\nContent-Type: application/x-www-form-urlencoded\r\nCookie: ${page.cookie}\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
        );
        if (answered.status !== 200) throw new Error(`web answer got ${answered.status}`);
        if (i >= timedFrom) latencies[i - timedFrom] = performance.now() - itemStart;
      }
    }),
  );
  return { ms: performance.now() - started, latencies };
}

if (parentPort) {
  const port = parentPort;
  port.on("message", (message: WebClientsRun) => {
    const origin = new URL(message.links[0] ?? "http://127.0.0.1");
    const connections = Array.from({ length: message.clients }, () => new Connection(Number(origin.port || 80), origin.hostname));
    run(connections, message, () => port.postMessage({ timed: true } satisfies WebClientsMessage))
      .finally(() => connections.forEach((connection) => connection.close()))
      .then(
        (result) => port.postMessage(result satisfies WebClientsMessage),
        (error: unknown) => port.postMessage({ error: (error as Error).stack ?? String(error) } satisfies WebClientsMessage),
      );
  });
}
