// HTTP receiver: our own verification in front of Bolt's HTTPReceiver.
// The request body is buffered and verified here (signature, stale AND future timestamps,
// with an injectable clock); only verified requests reach Bolt, whose own check is off so
// it cannot disagree with our clock. Refused requests get a bare 401 and are never parsed.

import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { HTTPModuleFunctions, HTTPReceiver } from "@slack/bolt";
import type { App, BufferedIncomingMessage, Logger as BoltLogger, Receiver } from "@slack/bolt";
import type { Logger } from "../../src/ports/logger.ts";
import { verifySlackSignature } from "./verify.ts";
import { isWellFormedSlackBody } from "./payload-schema.ts";
import { SLACK_EVENTS_PATH } from "./paths.ts";

export { SLACK_EVENTS_PATH };
const BODY_LIMIT_BYTES = 1024 * 1024;

/** An HTTP server owned by someone else (the bot's ops server) that can route a path to us. */
export interface HttpMount {
  mount(path: string, handler: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>): void;
}

export interface VerifiedHttpReceiverOptions {
  signingSecret: string;
  port: number;
  /** When set, the receiver is mounted on this server at /slack/events instead of listening itself. */
  mountOn?: HttpMount;
  nowMilliseconds: () => number;
  logger: Logger;
  boltLogger: BoltLogger;
}

export class VerifiedHttpReceiver implements Receiver {
  private readonly inner: HTTPReceiver;
  private server: Server | undefined;

  constructor(private readonly options: VerifiedHttpReceiverOptions) {
    this.inner = new HTTPReceiver({
      signingSecret: options.signingSecret,
      signatureVerification: false,
      endpoints: [SLACK_EVENTS_PATH],
      logger: options.boltLogger,
      bodyLimit: BODY_LIMIT_BYTES,
    });
  }

  init(app: App): void {
    this.inner.init(app);
  }

  private mounted = false;
  private accepting = false;

  async start(): Promise<Server | undefined> {
    if (this.options.mountOn) {
      if (!this.mounted) {
        this.mounted = true;
        this.options.mountOn.mount(SLACK_EVENTS_PATH, (req, res) => {
          if (!this.accepting) return respondEmpty(res, 503);
          return this.route(req, res).catch((error: unknown) => {
            this.options.logger.error({ code: errorCode(error) }, "slack request routing failed");
            if (!res.headersSent) respondEmpty(res, 500);
          });
        });
      }
      this.accepting = true;
      return undefined;
    }
    if (this.server) return this.server;
    const server = createServer((req, res) => {
      this.route(req, res).catch((error: unknown) => {
        this.options.logger.error({ code: errorCode(error) }, "slack request routing failed");
        if (!res.headersSent) respondEmpty(res, 500);
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.options.port, () => {
        server.off("error", reject);
        resolve();
      });
    });
    this.server = server;
    return server;
  }

  async stop(): Promise<void> {
    this.accepting = false;
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  /** The port actually bound (useful with port 0). */
  port(): number {
    const address = this.server?.address();
    return address && typeof address === "object" ? (address as AddressInfo).port : this.options.port;
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    if (req.method !== "POST" || path !== SLACK_EVENTS_PATH) {
      respondEmpty(res, 404);
      return;
    }
    let buffered: BufferedIncomingMessage;
    try {
      buffered = await HTTPModuleFunctions.bufferIncomingMessage(req, BODY_LIMIT_BYTES);
    } catch (error) {
      const tooLarge = HTTPModuleFunctions.isRawBodyError(error) && error.statusCode === 413;
      respondEmpty(res, tooLarge ? 413 : 400);
      return;
    }
    const rawBody = buffered.rawBody.toString("utf8");
    if (isSslCheck(req, rawBody)) {
      // Slack's TLS probe carries nothing we act on; strip anything smuggled alongside it.
      buffered.rawBody = Buffer.from("ssl_check=1");
    } else {
      const verdict = verifySlackSignature({
        signingSecret: this.options.signingSecret,
        headers: req.headers,
        rawBody,
        nowMilliseconds: this.options.nowMilliseconds(),
      });
      if (!verdict.ok) {
        this.options.logger.warn({ code: verdict.code }, "slack request refused");
        respondEmpty(res, 401);
        return;
      }
      if (!isWellFormedSlackBody(req.headers["content-type"], rawBody)) {
        this.options.logger.warn({ code: "malformed_payload" }, "slack request refused");
        respondEmpty(res, 400);
        return;
      }
    }
    this.inner.requestListener(buffered, res);
  }
}

function isSslCheck(req: IncomingMessage, rawBody: string): boolean {
  if (req.headers["content-type"] !== "application/x-www-form-urlencoded") return false;
  return new URLSearchParams(rawBody).get("ssl_check") === "1";
}

function respondEmpty(res: ServerResponse, status: number): void {
  res.writeHead(status);
  res.end();
}

function errorCode(error: unknown): string {
  if (error && typeof error === "object" && "code" in error && typeof error.code === "string") return error.code;
  return error instanceof Error ? error.name : "unknown";
}
