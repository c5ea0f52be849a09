// The web scenario's visitors, in a worker thread of their own: a deployment's browsers are not
// inside the server's process, so their HTTP client work (request building, response parsing)
// must not take the server's event loop. Each of `clients` visitors keeps one keep-alive
// connection (node:http Agent) and, in a closed loop, GETs a check-in page, then POSTs the
// answers with the page's CSRF cookie and token, as a browser does.

import { Agent, request } from "node:http";
import { parentPort } from "node:worker_threads";
import { scoresFor } from "./scores.ts";

/** One run: these links, `clients` at a time. */
export interface WebClientsRun {
  links: string[];
  clients: number;
}

/** What a run measured; `latencies[i]` is GET + POST of `links[i]`, in ms. */
export type WebClientsResult = { ms: number; latencies: number[] } | { error: string };

interface Answer {
  status: number;
  cookie: string;
  body: string;
}

function send(agent: Agent, url: URL, method: "GET" | "POST", headers: Record<string, string>, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, method, headers: body === undefined ? headers : { ...headers, "content-length": String(Buffer.byteLength(body)) } }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, cookie: (res.headers["set-cookie"]?.[0] ?? "").split(";")[0] ?? "", body: text }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

const field = (html: string, name: string): string => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? "";

async function run(agent: Agent, { links, clients }: WebClientsRun): Promise<{ ms: number; latencies: number[] }> {
  let next = 0;
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < links.length) {
        const i = next++;
        const url = new URL(links[i]!);
        const itemStart = performance.now();
        const page = await send(agent, url, "GET", { accept: "text/html" });
        if (page.status !== 200) throw new Error(`web page got ${page.status}`);
        const scores = scoresFor(i);
        const body = new URLSearchParams({ _csrf: field(page.body, "_csrf"), submission: field(page.body, "submission"), goal: String(scores.goal), task: String(scores.task), bond: String(scores.bond), tension: "no" });
        const answered = await send(agent, url, "POST", { accept: "text/html", "content-type": "application/x-www-form-urlencoded", cookie: page.cookie }, body.toString());
        if (answered.status !== 200) throw new Error(`web answer got ${answered.status}`);
        latencies[i] = performance.now() - itemStart;
      }
    }),
  );
  return { ms: performance.now() - started, latencies };
}

if (parentPort) {
  const port = parentPort;
  let agent: Agent | null = null;
  port.on("message", (message: WebClientsRun) => {
    // One connection per visitor, kept open across runs (the warm-up's connections carry on).
    agent ??= new Agent({ keepAlive: true, maxSockets: message.clients });
    run(agent, message).then(
      (result) => port.postMessage(result satisfies WebClientsResult),
      (error: unknown) => port.postMessage({ error: (error as Error).stack ?? String(error) } satisfies WebClientsResult),
    );
  });
}
