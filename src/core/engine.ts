// The check-in engine: the one inbound port every adapter calls, and the periodic work
// (schedule → claim → send → record → evaluate → alert). Platform-free and storage-free:
// it only knows the ports, an injected clock and an injected logger.

import type { Receipt } from "../ports/checkin-store.ts";
import type { EngineContext } from "./context.ts";
import { formatLocalDateTime } from "./context.ts";
import { decodeActionId } from "../ports/action-ids.ts";
import { actionIdRefusal, commandInPractice, resolveDirect } from "./direct.ts";
import { EXAMPLES, parseCommand, suggestSubcommand } from "./commands/grammar.ts";
import type { GrammarError } from "./commands/grammar.ts";
import { actorContext } from "./commands/guards.ts";
import { runCommand } from "./commands/handlers.ts";
import { commandRefusal } from "./commands/access.ts";
import { plainHandle, unresolvedPersonRefusal } from "./commands/people.ts";
import { markReachable } from "./reachability.ts";
import type { ExtraHandlers } from "./commands/handlers.ts";
import { handleAction, handleAnswer, handleComment, isAnswerAction } from "./answers.ts";
import { InboundEventSchema, invalidArgument } from "./inbound-schema.ts";
import { targetAccess } from "./targets.ts";
import { USAGE } from "./commands/grammar.ts";
import { closeExpired, dispatchDue, errorCode, sendReminders } from "./dispatch.ts";
import type { DispatchStats } from "./dispatch.ts";
import type { Actor, HomePort, HomeView, InboundEvent, InboundPort, Reply } from "../ports/inbound.ts";
import type { CheckIn } from "./model.ts";
import { translator } from "../i18n/index.ts";
import type { Translator } from "../i18n/index.ts";
import { encodeAction } from "../ports/action-ids.ts";
import { mention } from "./context.ts";
import { runTherapistLoop } from "./loop/index.ts";
import { handleAnswersForm } from "./form-answers.ts";
import { linkPages } from "./links.ts";
import type { LinkPagesPort } from "../ports/link-pages.ts";
import type { LoopReport } from "./loop/index.ts";
import { pollCalendars } from "./calendar/poll.ts";
import type { CalendarPollStats } from "./calendar/poll.ts";

export interface TickReport {
  expired: number;
  reminders: number;
  dispatch: DispatchStats;
  /** Therapist loop: withdrawal alerts, alert reminders/escalations, weekly digests. */
  loop: LoopReport;
  /** Calendar polls of this tick (null when calendars are not wired in). */
  calendars: CalendarPollStats | null;
}

/** Hooks other modules (metrics, later features) can attach without touching the engine. */
export interface EngineHooks {
  onTick?(report: TickReport): void;
  onExpired?(checkIns: CheckIn[]): Promise<void>;
  /** Extra periodic work run after each tick (alert reminders, digests, retention). */
  afterTick?(): Promise<void>;
}

/** The key under which an event's delivery receipt is stored (its type keeps kinds apart). */
function deliveryKey(event: InboundEvent): string {
  return `${event.type}:${event.deliveryId}`;
}

function grammarErrorText(t: Translator, error: GrammarError): string {
  const parts: string[] = [];
  switch (error.code) {
    case "unknown_subcommand": {
      parts.push(t("command.unknown", { got: error.got ?? "" }));
      const suggestion = suggestSubcommand(error.got ?? "");
      if (suggestion) parts.push(t("command.did_you_mean", { suggestion }));
      break;
    }
    case "missing_argument":
      parts.push(t("command.error.missing_argument", { argument: error.argument ?? "" }));
      break;
    default:
      parts.push(t(`command.error.${error.code}` as "command.error.empty", { got: error.got ?? "" }));
  }
  // For a typo, the usage and the example are those of the subcommand it was probably meant to be.
  const suggestion = error.code === "unknown_subcommand" ? suggestSubcommand(error.got ?? "") : null;
  parts.push(t("command.usage", { usage: suggestion ? USAGE[suggestion] : error.usage }));
  const example = EXAMPLES[error.subcommand ?? suggestion ?? "help"];
  parts.push(t("command.example", { example }));
  return parts.join(" ");
}

export class CheckInEngine implements InboundPort, HomePort {
  private stopping = false;

  constructor(
    private readonly ctx: EngineContext,
    private readonly hooks: EngineHooks = {},
    private readonly extraCommands: ExtraHandlers = {},
  ) {}

  get context(): EngineContext {
    return this.ctx;
  }

  /** The single entry point for everything a person does on any platform. Never throws. */
  async receive(event: InboundEvent): Promise<Reply> {
    const fallback = translator("en");
    try {
      // Every payload is checked against its schema before anything is read or written.
      const valid = InboundEventSchema.safeParse(event).success;
      const reply = valid ? await this.route(event) : { text: fallback("inbound.invalid"), refused: true };
      // Ids and outcome flags only: never the command text, the action id's values or a comment.
      this.ctx.logger.debug(
        { type: valid ? event.type : "invalid", platform: valid ? event.actor.platform : null, refused: Boolean(reply.refused), duplicate: Boolean(reply.duplicate) },
        "inbound event handled",
      );
      return reply;
    } catch (error) {
      this.ctx.logger.error({ type: event?.type, platform: event?.actor?.platform, err: errorCode(error) }, "inbound event failed");
      return { text: fallback("command.internal_error"), refused: true };
    }
  }

  /** The delivery receipt to write together with the event's effect, if the event has a delivery id. */
  private receiptOf(event: InboundEvent<Actor>): Receipt | undefined {
    return event.deliveryId ? { platform: event.actor.platform, key: deliveryKey(event) } : undefined;
  }

  /**
   * Claims the event's receipt before a command or a non-answer button runs. The receipt records
   * completion once the action finished (see `completed`); a claim whose process died before that
   * is retaken by the platform's retry after `leaseMs`, so an acknowledged action is never lost.
   */
  private async firstDelivery(event: InboundEvent<Actor>): Promise<boolean> {
    if (!event.deliveryId) return true;
    const now = this.ctx.clock.now();
    const claim = await this.ctx.store.claimDelivery(event.actor.platform, deliveryKey(event), now, new Date(now.getTime() - this.ctx.options.leaseMs));
    if (claim === "retaken") this.ctx.logger.info({ type: event.type, platform: event.actor.platform }, "unfinished inbound event run again");
    return claim !== "duplicate";
  }

  /** Marks a claimed event's action as done (after `firstDelivery` let it run). */
  private async completed(event: InboundEvent<Actor>, reply: Reply): Promise<Reply> {
    if (event.deliveryId) await this.ctx.store.completeDelivery(event.actor.platform, deliveryKey(event), this.ctx.clock.now());
    return reply;
  }

  /**
   * The language for a refusal given before anything is written: the person's, else the
   * practice's, else English for a workspace the bot has never seen. Reads only.
   */
  private async refusalTranslator(actor: Actor): Promise<Translator> {
    const practice = await this.ctx.store.findPractice(actor.platform, actor.workspaceId);
    const person = practice ? await this.ctx.store.findPerson(practice.id, actor.userId) : null;
    return translator(person?.locale ?? practice?.locale ?? "en");
  }

  /** Handles an event that passed InboundEventSchema; a DM that named no workspace is placed first. */
  private async route(event: InboundEvent): Promise<Reply> {
    if (event.actor.workspaceId !== null) return this.routeIn(event as InboundEvent<Actor>);
    const resolved = await resolveDirect(this.ctx, event);
    return "reply" in resolved ? resolved.reply : this.routeIn(resolved.event);
  }

  /** Handles an event whose workspace is known. */
  private async routeIn(event: InboundEvent<Actor>): Promise<Reply> {
    const t = translator("en");
    if (event.type === "command") {
      const parsed = parseCommand(event.text);
      if (!parsed.ok) return { text: grammarErrorText(await this.refusalTranslator(event.actor), parsed.error), refused: true };
      const badArgument = invalidArgument(parsed.command);
      if (badArgument) {
        const local = await this.refusalTranslator(event.actor);
        return { text: local("inbound.invalid_argument", { argument: badArgument, usage: USAGE[parsed.command.name] }), refused: true };
      }
      const typed = plainHandle(event.actor.platform, parsed.command, event.text);
      if (typed) return { text: (await this.refusalTranslator(event.actor))("command.error.plain_handle", { got: typed }), refused: true };
      const a = await actorContext(this.ctx, event.actor);
      // A command the actor may not run is refused before its delivery receipt is written.
      const denied = (await commandRefusal(this.ctx, a, parsed.command)) ?? (await unresolvedPersonRefusal(this.ctx, a, parsed.command));
      if (denied) return denied;
      if (!(await this.firstDelivery(event))) return { text: t("command.duplicate"), duplicate: true };
      return this.completed(event, await runCommand(this.ctx, a, parsed.command, this.extraCommands));
    }
    if (event.type === "action") {
      const decoded = decodeActionId(event.actionId);
      if (!decoded.ok) return actionIdRefusal(decoded.error);
      const action = decoded.action;
      if (action.op === "in") {
        const picked = await commandInPractice(this.ctx, event.actor, action.practiceId, action.command, event.deliveryId);
        return "reply" in picked ? picked.reply : this.routeIn(picked.event);
      }
      if (action.op === "self") {
        return this.receive({ type: "command", actor: event.actor, text: action.change, ...(event.deliveryId ? { deliveryId: event.deliveryId } : {}) });
      }
      // An answer checks ownership and writes its receipt together with the answer (one
      // transaction; the client's own open prompt is decided and saved by answerIfOpen).
      if (isAnswerAction(action)) {
        return handleAnswer(this.ctx, event.actor, action, this.receiptOf(event));
      }
      // A press on what is not the actor's is refused before any receipt is written.
      const access = await targetAccess(this.ctx, event.actor, action);
      if (access.refusal) return access.refusal;
      // A press from the client on their own check-in (consent, skip, comment): they are reachable.
      if (access.checkIn?.client.undeliverableAt) await markReachable(this.ctx, access.checkIn.practice, access.checkIn.client);
      // Opening the comment modal changes nothing, so it needs no receipt; some platforms
      // must show the modal as their immediate response.
      if (action.op !== "comment" && !(await this.firstDelivery(event))) return { text: t("command.duplicate"), duplicate: true };
      const reply = (await handleAction(this.ctx, event.actor, action, access.checkIn ?? undefined)) ?? { text: t("answer.unknown"), refused: true };
      return action.op === "comment" ? reply : this.completed(event, reply);
    }
    if (event.type === "comment") {
      if (typeof event.checkInId !== "string" || !/^[A-Za-z0-9_-]{1,64}$/.test(event.checkInId)) return { text: t("answer.unknown"), refused: true };
      if (typeof event.text !== "string" || event.text.trim() === "") return { text: t("answer.comment_empty"), refused: true };
      // Cheap bound before counting code points: more than 2×max UTF-16 units is over the limit.
      const max = this.ctx.options.commentMaxLength;
      if (event.text.length > 2 * max) return { text: (await this.refusalTranslator(event.actor))("answer.comment_too_long", { length: event.text.length, max }), refused: true };
      const access = await targetAccess(this.ctx, event.actor, { op: "comment_text", checkInId: event.checkInId });
      if (access.refusal) return access.refusal;
      // The receipt is written with the comment (one transaction), once every check has passed.
      return handleComment(this.ctx, event.actor, event.checkInId, event.text, access.checkIn ?? undefined, this.receiptOf(event));
    }
    if (event.type === "answers") {
      if (!/^[A-Za-z0-9_-]{1,64}$/.test(event.checkInId)) return { text: t("answer.unknown"), refused: true };
      // As for an answer press: ownership is checked on the rows the write reads, and the receipt
      // is written with the answers (one transaction) once every check has passed.
      return handleAnswersForm(this.ctx, event.actor, event, this.receiptOf(event));
    }
    return { text: t("answer.unknown"), refused: true };
  }

  /** The pages link mode serves (LinkPagesPort): what a presented token opens. */
  get linkPages(): LinkPagesPort {
    return linkPages(this.ctx);
  }

  /** One round of periodic work. Safe to call concurrently from several processes. */
  async tick(): Promise<TickReport> {
    const expired = await closeExpired(this.ctx);
    if (expired.length > 0) await this.hooks.onExpired?.(expired);
    const reminders = await sendReminders(this.ctx);
    // Calendars first, so a session moved or cancelled since the last tick is not sent as it was.
    // A calendar failure never holds up sending.
    const calendars =
      this.ctx.calendars && !this.stopping
        ? await pollCalendars(this.ctx, this.ctx.calendars).catch((error: unknown) => {
            this.ctx.logger.error({ err: errorCode(error) }, "calendar polling failed");
            return null;
          })
        : null;
    const dispatch = await dispatchDue(this.ctx, { shouldStop: () => this.stopping });
    const loop = await runTherapistLoop(this.ctx, expired);
    await this.hooks.afterTick?.();
    const report = { expired: expired.length, reminders, dispatch, loop, calendars };
    this.hooks.onTick?.(report);
    return report;
  }

  /** Stop claiming new work (graceful shutdown); in-flight sends finish. */
  stopClaiming(): void {
    this.stopping = true;
  }

  async releaseLeases(): Promise<number> {
    return this.ctx.store.releaseLeases(this.ctx.options.ownerId, this.ctx.clock.now());
  }

  /** App Home / overview per role. */
  async homeFor(actor: Actor, deliveryId?: string): Promise<HomeView | null> {
    if (deliveryId && !(await this.ctx.store.recordDelivery(actor.platform, `home:${deliveryId}`, this.ctx.clock.now()))) return null;
    const a = await actorContext(this.ctx, actor);
    const sections: HomeView["sections"] = [];
    const locale = a.person?.locale ?? a.practice.locale;
    if (a.person) {
      const own = await this.ctx.store.currentEnrollmentForClient(a.person.id);
      if (own) {
        const next = await this.ctx.store.nextScheduledCheckIn(own.id);
        sections.push({
          title: a.t("home.client.title"),
          lines: [next ? a.t("home.client.next", { next: formatLocalDateTime(next.dueAt, own.timeZone, locale) }) : a.t("home.client.none")],
          buttons: [
            own.status === "paused"
              ? { actionId: encodeAction({ op: "self", change: "resume" }), label: a.t("home.client.resume") }
              : { actionId: encodeAction({ op: "self", change: "pause" }), label: a.t("home.client.pause") },
            { actionId: encodeAction({ op: "self", change: "stop" }), label: a.t("home.client.stop"), style: "danger" },
          ],
        });
      }
      if (a.person.isTherapist) {
        const mine = await this.ctx.store.listEnrollments(a.practice.id, { therapistId: a.person.id });
        const open = await this.ctx.store.listAlerts(mine.map((e) => e.id), ["open", "acknowledged"]);
        const clients = await Promise.all(mine.map((e) => this.ctx.store.getPerson(e.clientId)));
        const clientOf = new Map(mine.map((e, i) => [e.id, clients[i]]));
        // Which client each open alert is about, and where it stands; reasons stay in the alert DM.
        const alertLines = open.map((alert) =>
          a.t("home.therapist.alert_row", {
            client: mention(a.practice.platform, clientOf.get(alert.enrollmentId)?.platformUserId ?? "?"),
            status: a.t(`alert.status.${alert.status}` as "alert.status.open"),
          }),
        );
        sections.push({
          title: a.t("home.therapist.title"),
          lines: [
            a.t("home.therapist.alerts", { count: open.length }),
            ...alertLines,
            a.t("home.therapist.clients"),
            ...clients.map((c) => mention(a.practice.platform, c?.platformUserId ?? "?")),
          ],
        });
      }
    }
    if (a.isAdmin) {
      const listed = await runCommand(this.ctx, a, { name: "list" });
      sections.push({ title: a.t("home.admin.title"), lines: listed.text.split("\n") });
    }
    if (sections.length === 0) sections.push({ title: a.t("help.header"), lines: [a.t("help.client")] });
    return { sections };
  }
}

