// Prometheus metrics (prom-client) for one bot process. The engine stays metric-free: counts
// come from engine hooks (ticks), a store decorator (answers, alerts) and a platform decorator
// (send errors). Queue depth is read from the database at scrape time, so every replica reports
// the same shared backlog.

import client from "prom-client";
import type { CheckInStore } from "../ports/checkin-store.ts";
import type { ChatPlatform, SendResult } from "../ports/chat-platform.ts";
import type { Clock } from "../ports/clock.ts";
import type { EngineHooks, TickReport } from "../core/engine.ts";
import type { CheckIn, FiredSignal } from "../core/model.ts";

/** Lateness buckets (seconds): sub-tick precision up to a long backlog. */
const LATENESS_BUCKETS = [0.1, 0.25, 0.5, 1, 2, 5, 10, 15, 20, 30, 60, 120, 300, 900, 3600];

export class BotMetrics {
  readonly registry = new client.Registry();
  readonly promptsSent: client.Counter;
  readonly promptsAnswered: client.Counter;
  readonly promptsExpired: client.Counter;
  readonly alerts: client.Counter<"signal">;
  readonly claimLateness: client.Histogram;
  readonly platformErrors: client.Counter<"platform" | "code">;
  readonly queueDepth: client.Gauge;
  readonly discordLeader: client.Gauge;
  readonly discordLeaderHeldElsewhere: client.Counter;
  private queueDepthSource: (() => Promise<number>) | null = null;

  constructor(options: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.promptsSent = new client.Counter({ name: "checkin_prompts_sent_total", help: "Check-in prompts delivered to clients.", registers });
    this.promptsAnswered = new client.Counter({ name: "checkin_prompts_answered_total", help: "Check-ins answered (all three items).", registers });
    this.promptsExpired = new client.Counter({ name: "checkin_prompts_expired_total", help: "Check-ins whose answer window closed unanswered.", registers });
    this.alerts = new client.Counter({ name: "checkin_alerts_total", help: "Alerts by rupture signal: each signal counted once when an alert is raised with it or it is added to an open alert.", labelNames: ["signal"], registers });
    this.claimLateness = new client.Histogram({
      name: "checkin_claim_lateness_seconds",
      help: "Time from a check-in's due time to its prompt being sent.",
      buckets: LATENESS_BUCKETS,
      registers,
    });
    this.platformErrors = new client.Counter({ name: "checkin_platform_errors_total", help: "Failed platform calls, by platform and error code.", labelNames: ["platform", "code"], registers });
    const self = this;
    this.queueDepth = new client.Gauge({
      name: "checkin_queue_depth",
      help: "Check-ins due now and not yet claimed (shared by all replicas).",
      registers,
      async collect() {
        if (!self.queueDepthSource) return;
        try {
          this.set(await self.queueDepthSource());
        } catch {
          // A scrape during a database outage still answers; /readyz reports the outage.
        }
      },
    });
    this.discordLeader = new client.Gauge({ name: "checkin_discord_gateway_leader", help: "1 while this process holds the Discord gateway.", registers });
    this.discordLeaderHeldElsewhere = new client.Counter({
      name: "checkin_discord_gateway_standby_checks_total",
      help: "Attempts by this process to take the Discord gateway that found another replica holding it.",
      registers,
    });
    if (options.defaultMetrics ?? true) client.collectDefaultMetrics({ register: this.registry, prefix: "checkin_" });
  }

  /** Reads queue depth from the store at scrape time. */
  watchQueue(store: Pick<CheckInStore, "countDue">, clock: Clock): void {
    this.queueDepthSource = () => store.countDue(clock.now());
  }

  recordTick(report: TickReport): void {
    if (report.dispatch.sent > 0) this.promptsSent.inc(report.dispatch.sent);
    for (const ms of report.dispatch.lateness) this.claimLateness.observe(Math.max(0, ms) / 1000);
  }

  recordExpired(checkIns: CheckIn[]): void {
    if (checkIns.length > 0) this.promptsExpired.inc(checkIns.length);
  }

  /** Counts each signal code once per alert, however many items fired it. */
  recordSignals(signals: FiredSignal[]): void {
    for (const code of new Set(signals.map((s) => s.code))) this.alerts.inc({ signal: code });
  }

  recordSendResult(platform: string, result: SendResult): void {
    if (!result.ok) this.platformErrors.inc({ platform, code: result.code });
  }

  /** Engine hooks that feed these metrics, chained in front of any other hooks. */
  hooks(next: EngineHooks = {}): EngineHooks {
    return {
      ...next,
      onTick: (report) => {
        this.recordTick(report);
        next.onTick?.(report);
      },
      onExpired: async (checkIns) => {
        this.recordExpired(checkIns);
        await next.onExpired?.(checkIns);
      },
    };
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

/**
 * Wraps a store so answers and alert signals are counted where they become durable. Every other
 * method is passed through unchanged.
 */
export function meterStore<S extends CheckInStore>(store: S, metrics: BotMetrics): S {
  // A check-in becomes answered in the same write that completes its response.
  const saveAnswer: CheckInStore["saveAnswer"] = async (...args) => {
    const saved = await store.saveAnswer(...args);
    if (saved?.answeredNow) metrics.promptsAnswered.inc();
    return saved;
  };
  const answerIfOpen: CheckInStore["answerIfOpen"] = async (...args) => {
    const open = await store.answerIfOpen(...args);
    if (open.saved?.answeredNow) metrics.promptsAnswered.inc();
    return open;
  };
  const createAlert: CheckInStore["createAlert"] = async (input) => {
    const alert = await store.createAlert(input);
    if (alert) metrics.recordSignals(input.signals);
    return alert;
  };
  const updateAlert: CheckInStore["updateAlert"] = async (id, patch) => {
    const before = patch.signals ? await store.getAlert(id) : null;
    const alert = await store.updateAlert(id, patch);
    if (patch.signals) {
      const known = new Set((before?.signals ?? []).map((s) => s.code));
      metrics.recordSignals(patch.signals.filter((s) => !known.has(s.code)));
    }
    return alert;
  };
  const updateAlertIfSignals: CheckInStore["updateAlertIfSignals"] = async (id, expected, patch) => {
    const alert = await store.updateAlertIfSignals(id, expected, patch);
    if (alert && patch.signals) {
      const known = new Set(expected.map((s) => s.code));
      metrics.recordSignals(patch.signals.filter((s) => !known.has(s.code)));
    }
    return alert;
  };
  const overrides: Partial<CheckInStore> = { saveAnswer, answerIfOpen, createAlert, updateAlert, updateAlertIfSignals };
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (typeof prop === "string" && prop in overrides) return overrides[prop as keyof CheckInStore];
      const value = Reflect.get(target, prop, receiver) as unknown;
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** Wraps a platform so every failed outbound call is counted by code. */
export function meterPlatform<P extends ChatPlatform>(platform: P, metrics: BotMetrics): P {
  const watch = (result: SendResult): SendResult => {
    metrics.recordSendResult(platform.name, result);
    return result;
  };
  const overrides: Partial<ChatPlatform> = {
    sendDirect: async (to, view) => watch(await platform.sendDirect(to, view)),
    update: async (to, ref, view) => watch(await platform.update(to, ref, view)),
    ...(platform.delete ? { delete: async (to, ref) => watch(await platform.delete!(to, ref)) } : {}),
    ...(platform.sendFile ? { sendFile: async (to, file) => watch(await platform.sendFile!(to, file)) } : {}),
  };
  return new Proxy(platform, {
    get(target, prop, receiver) {
      if (typeof prop === "string" && prop in overrides) return overrides[prop as keyof ChatPlatform];
      const value = Reflect.get(target, prop, receiver) as unknown;
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
