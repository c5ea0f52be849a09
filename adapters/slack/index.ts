// The Slack platform adapter: Bolt app + verified HTTP receiver (or Socket Mode),
// inbound handlers that call the engine's InboundPort, and an outbound ChatPlatform.

import { App, LogLevel, SocketModeReceiver, webApi } from "@slack/bolt";
import type { Receiver } from "@slack/bolt";
import type { ChatPlatform, FileView, MessageRef, OutboundView, PlatformRole, Recipient, SendResult } from "../../src/ports/chat-platform.ts";
import type { HomePort, InboundPort } from "../../src/ports/inbound.ts";
import type { Logger } from "../../src/ports/logger.ts";
import { SlackActors } from "./actors.ts";
import { boltLoggerFor } from "./bolt-logger.ts";
import { resolveSlackSettings } from "./config.ts";
import type { SlackSettings, SlackSettingsInput } from "./config.ts";
import { HandlerTracker, registerSlackHandlers } from "./handlers.ts";
import { SlackOutbound } from "./outbound.ts";
import { VerifiedHttpReceiver } from "./receiver.ts";
import type { HttpMount } from "./receiver.ts";

export { MissingSlackConfigError, InvalidSlackConfigError, SlackAdapterError } from "./errors.ts";

/** Web API client options a deployment may tune; the adapter owns the rest. */
export type SlackWebClientOptions = Omit<webApi.WebClientOptions, "slackApiUrl" | "rejectRateLimitedCalls" | "logger" | "logLevel">;

/** The settings (tokens, API URL, admins, port; see SlackSettingsInput) and what the adapter is wired to. */
export interface SlackAdapterOptions extends SlackSettingsInput {
  /** The engine; `homeFor` enables the App Home tab. */
  inbound: InboundPort & Partial<HomePort>;
  logger: Logger;
  /**
   * Mount the HTTP receiver at /slack/events on an existing server (the bot's health/metrics
   * server on PORT) instead of listening on `port`. Ignored in Socket Mode.
   */
  mountOn?: HttpMount;
  /** Clock for request verification and caches. */
  nowMilliseconds?: () => number;
  webClientOptions?: SlackWebClientOptions;
  /** Environment to read defaults from. Default: process.env. */
  env?: NodeJS.ProcessEnv;
}

export interface SlackAdapter extends ChatPlatform {
  /** The HTTP port the receiver listens on (0 in Socket Mode). */
  receiverPort(): number;
  /** Resolves once every inbound handler started so far has finished (tests, graceful shutdown). */
  idle(): Promise<void>;
}

export function createSlackAdapter(options: SlackAdapterOptions): SlackAdapter {
  const settings = resolveSlackSettings(options, options.env ?? process.env);
  const logger = options.logger.child({ platform: "slack" });
  const now = options.nowMilliseconds ?? Date.now;
  const boltLogger = boltLoggerFor(logger);
  const clientOptions: webApi.WebClientOptions = {
    // Never wait inside a claim: a 429 or a network failure comes straight back as a value.
    retryConfig: { retries: 0 },
    ...options.webClientOptions,
    rejectRateLimitedCalls: true,
    ...(settings.apiUrl ? { slackApiUrl: settings.apiUrl } : {}),
  };

  const httpReceiver = settings.mode === "http" ? new VerifiedHttpReceiver({ signingSecret: settings.signingSecret ?? "", port: settings.port, nowMilliseconds: now, logger, boltLogger, ...(options.mountOn ? { mountOn: options.mountOn } : {}) }) : null;
  const app = new App({
    token: settings.botToken,
    receiver: httpReceiver ?? socketReceiver(settings, boltLogger, clientOptions),
    logger: boltLogger,
    logLevel: LogLevel.WARN,
    clientOptions,
    deferInitialization: true,
    // The engine keeps all state; Bolt's in-memory conversation store would only grow.
    convoStore: false,
  });
  app.error(async (error) => {
    logger.error({ code: (error as { code?: unknown }).code ?? "unknown" }, "slack app error");
  });

  const outbound = new SlackOutbound(app.client, logger);
  const tracker = new HandlerTracker(logger);
  const home = typeof options.inbound.homeFor === "function" ? { homeFor: options.inbound.homeFor.bind(options.inbound) } : null;
  const actors = new SlackActors(app.client, settings.adminUserIds, now, logger);
  registerSlackHandlers(app, { inbound: options.inbound, home, actors, outbound, client: app.client, logger }, tracker);

  let started = false;
  let initialised = false;
  return {
    name: "slack",
    async start() {
      if (started) return;
      if (!initialised) {
        await app.init();
        initialised = true;
      }
      await app.start();
      started = true;
      logger.info({ mode: settings.mode, port: httpReceiver?.port() ?? 0 }, "slack adapter started");
    },
    async stop() {
      if (!started) return;
      started = false;
      await app.stop();
      await tracker.idle();
    },
    sendDirect: (to: Recipient, view: OutboundView): Promise<SendResult> => outbound.sendDirect(to, view),
    update: (to: Recipient, ref: MessageRef, view: OutboundView): Promise<SendResult> => outbound.update(to, ref, view),
    delete: (to: Recipient, ref: MessageRef): Promise<SendResult> => outbound.delete(to, ref),
    sendFile: (to: Recipient, file: FileView): Promise<SendResult> => outbound.sendFile(to, file),
    checkReachable: (to: Recipient) => outbound.checkReachable(to),
    currentRole: (who: Recipient): Promise<PlatformRole> => actors.roleOf(who.userId),
    listAdmins: (): Promise<string[]> => actors.listAdmins(),
    receiverPort: () => httpReceiver?.port() ?? 0,
    idle: () => tracker.idle(),
  };
}

function socketReceiver(settings: SlackSettings, boltLogger: ReturnType<typeof boltLoggerFor>, clientOptions: webApi.WebClientOptions): Receiver {
  const receiver = new SocketModeReceiver({ appToken: settings.appToken ?? "", logger: boltLogger, logLevel: LogLevel.WARN });
  if (settings.apiUrl) {
    // Bolt 5.1's SocketModeReceiver has no clientOptions, so apps.connections.open would go to
    // slack.com. Swap in a client aimed at the configured base URL (GovSlack, egress proxy).
    const socketClient = receiver.client as unknown as { webClient: webApi.WebClient };
    socketClient.webClient = new webApi.WebClient("", {
      ...clientOptions,
      rejectRateLimitedCalls: false,
      retryConfig: { retries: 100, factor: 1.3 },
      logger: boltLogger,
      headers: { Authorization: `Bearer ${settings.appToken ?? ""}` },
    });
  }
  return receiver;
}
