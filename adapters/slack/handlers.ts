// Inbound handlers: each acknowledges Slack first (except the comment modal, whose
// validation errors must travel in the acknowledgement), turns the payload into one domain
// event, and lays out the engine's Reply. All are registered by `registerSlackHandlers`.

import type {
  AllMiddlewareArgs,
  App,
  BlockAction,
  RespondFn,
  SlackActionMiddlewareArgs,
  SlackCommandMiddlewareArgs,
  SlackEventMiddlewareArgs,
  SlackViewMiddlewareArgs,
  ViewSubmitAction,
  webApi,
} from "@slack/bolt";
import { commentCheckInId } from "../../src/ports/action-ids.ts";
import type { Actor, HomePort, InboundPort, Reply } from "../../src/ports/inbound.ts";
import type { Logger } from "../../src/ports/logger.ts";
import type { SlackActors } from "./actors.ts";
import { COMMENT_BLOCK_ID, COMMENT_CALLBACK_ID, COMMENT_INPUT_ID, commentModal, confirmationModal, homeTab, noticeBlocks, toMrkdwn, truncate, LIMITS, LINK_BUTTON_ACTION_ID } from "./blocks.ts";
import type { SlackOutbound } from "./outbound.ts";
import { slackErrorCode } from "./send-result.ts";

export const CHECKIN_COMMAND = "/checkin";
/** Slack drops a view_submission that is not acknowledged within 3 s; leave room for the round trip. */
export const VIEW_ACK_BUDGET_MS = 2_500;

export interface SlackHandlerContext {
  inbound: InboundPort;
  home: HomePort | null;
  actors: SlackActors;
  outbound: SlackOutbound;
  client: webApi.WebClient;
  logger: Logger;
}

type CommandArgs = SlackCommandMiddlewareArgs & AllMiddlewareArgs;
type ActionArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;
type ViewArgs = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;
type HomeOpenedArgs = SlackEventMiddlewareArgs<"app_home_opened"> & AllMiddlewareArgs;

/** `/checkin …`: ack with nothing, then answer privately. */
export async function handleCheckinCommand(ctx: SlackHandlerContext, { command, ack, respond }: CommandArgs): Promise<void> {
  await ack();
  const actor = await ctx.actors.actorFor(command.team_id, command.user_id);
  const text = withoutMentionLabels(command.text ?? "");
  const reply = await ctx.inbound.receive({ type: "command", actor, text, deliveryId: `slack:command:${command.trigger_id}` });
  await showReply(ctx, { actor, reply, respond, triggerId: command.trigger_id, alwaysShowText: true });
}

/** A button press on a message or on the App Home. */
export async function handleBlockAction(ctx: SlackHandlerContext, { body, action, ack, respond }: ActionArgs): Promise<void> {
  await ack();
  if (action.type !== "button") return;
  // A link button (link mode) opens the page in the browser; Slack reports the click too.
  if (action.action_id === LINK_BUTTON_ACTION_ID) return;
  const teamId = body.team?.id ?? body.user.team_id ?? "";
  const actor = await ctx.actors.actorFor(teamId, body.user.id);
  const messageRef = messageRefOf(body);
  const deliveryId = `slack:action:${body.trigger_id || action.action_ts}`;
  const opensComment = commentCheckInId(action.action_id) !== null;
  const reply = await ctx.inbound.receive({ type: "action", actor, actionId: action.action_id, deliveryId, ...(messageRef ? { messageRef } : {}) });

  // The trigger id expires 3 s after the press, so the modal goes out before anything else.
  await showReply(ctx, { actor, reply, respond: body.response_url ? respond : null, triggerId: body.trigger_id, alwaysShowText: false });
  if (reply.replaceMessageText && messageRef && !opensComment) {
    await ctx.outbound.replaceWithText(messageRef, reply.replaceMessageText);
  }
  if (body.view?.type === "home") await publishHome(ctx, actor);
}

/** The comment modal was submitted: the engine's verdict is the acknowledgement. */
export async function handleCommentSubmission(ctx: SlackHandlerContext, { body, view, ack }: ViewArgs): Promise<void> {
  const teamId = body.team?.id ?? body.user.team_id ?? "";
  const text = view.state.values[COMMENT_BLOCK_ID]?.[COMMENT_INPUT_ID]?.value ?? "";
  const deliveryId = `slack:view:${body.trigger_id || view.id}`;
  const work = (async () => {
    const actor = await ctx.actors.actorFor(teamId, body.user.id);
    return ctx.inbound.receive({ type: "comment", actor, checkInId: view.private_metadata, text, deliveryId });
  })();
  const reply = await withinBudget(work, VIEW_ACK_BUDGET_MS);
  if (reply === "late") {
    await ack();
    ctx.logger.warn({ deliveryId }, "slack comment acknowledged before the engine answered");
    const lateReply = await work;
    if (lateReply.text) await ctx.outbound.postEphemeralInDm(body.user.id, lateReply.text);
    return;
  }
  if (reply.refused) {
    await ack({ response_action: "errors", errors: { [COMMENT_BLOCK_ID]: truncate(reply.text, LIMITS.sectionText) } });
  } else if (reply.text) {
    await ack({ response_action: "update", view: confirmationModal(view.title, reply.text) });
  } else {
    await ack();
  }
}

/** Opening the App Home tab publishes the person's current overview. */
export async function handleAppHomeOpened(ctx: SlackHandlerContext, { event, body }: HomeOpenedArgs): Promise<void> {
  if (event.tab !== "home" || !ctx.home) return;
  const actor = await ctx.actors.actorFor(body.team_id, event.user);
  // Slack retries an event it thinks was not acknowledged; the event id makes the retry a duplicate.
  await publishHome(ctx, actor, body.event_id ? `slack:event:${body.event_id}` : undefined);
}

async function publishHome(ctx: SlackHandlerContext, actor: Actor, deliveryId?: string): Promise<void> {
  if (!ctx.home) return;
  const home = await ctx.home.homeFor(actor, deliveryId);
  if (!home) return;
  await ctx.client.views.publish({ user_id: actor.userId, view: homeTab(home) });
}

async function showReply(
  ctx: SlackHandlerContext,
  input: { actor: Actor; reply: Reply; respond: RespondFn | null; triggerId: string | undefined; alwaysShowText: boolean },
): Promise<void> {
  const { actor, reply } = input;
  if (reply.openCommentModal && input.triggerId) {
    await ctx.client.views.open({ trigger_id: input.triggerId, view: commentModal(reply.openCommentModal) });
  }
  const showText = reply.text.length > 0 && (input.alwaysShowText || reply.refused === true || !reply.duplicate);
  if (showText && !(reply.openCommentModal && !reply.refused)) {
    if (input.respond) {
      const text = truncate(toMrkdwn(reply.text), LIMITS.notificationText);
      // Buttons under the reply ("Edit my answers" in tidy mode, "which practice?") ride on the ephemeral message.
      const blocks = reply.buttons?.length ? noticeBlocks({ kind: "notice", text: reply.text, buttons: reply.buttons }) : undefined;
      await input.respond({ response_type: "ephemeral", replace_original: false, text, ...(blocks ? { blocks } : {}) });
    } else {
      await ctx.outbound.postEphemeralInDm(actor.userId, reply.text, reply.buttons);
    }
  }
  if (reply.file) {
    const sent = await ctx.outbound.sendFile(actor, { ...reply.file, comment: "" });
    if (!sent.ok) ctx.logger.warn({ userId: actor.userId, code: sent.code }, "slack export file not delivered");
  }
}

/**
 * With "escape users" on, Slack writes mentions as `<@U123|name>`. The engine addresses people
 * by id only and must never see or store a display name, so the label is dropped.
 */
export function withoutMentionLabels(text: string): string {
  return text.replace(/<([@#][UWC][A-Z0-9]+)\|[^>]*>/g, "<$1>");
}

function messageRefOf(body: BlockAction): { channelId: string; messageId: string } | undefined {
  const container = body.container as { type?: string; channel_id?: string; message_ts?: string } | undefined;
  const channelId = container?.channel_id ?? body.channel?.id;
  const messageId = container?.message_ts ?? body.message?.ts;
  return channelId && messageId ? { channelId, messageId } : undefined;
}

async function withinBudget<T>(work: Promise<T>, budgetMs: number): Promise<T | "late"> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<"late">((resolve) => {
    timer = setTimeout(() => resolve("late"), budgetMs);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Tracks handler work so tests (and shutdown) can wait for it, and keeps failures contained. */
export class HandlerTracker {
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly logger: Logger) {}

  wrap<A>(name: string, handler: (args: A) => Promise<void>): (args: A) => Promise<void> {
    return async (args: A) => {
      const run = handler(args).catch((error: unknown) => {
        this.logger.error({ handler: name, code: slackErrorCode(error), error: error instanceof Error ? error.name : "unknown" }, "slack handler failed");
      });
      this.running.add(run);
      try {
        await run;
      } finally {
        this.running.delete(run);
      }
    };
  }

  /** Resolves once every handler started so far has finished. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }
}

export function registerSlackHandlers(app: App, ctx: SlackHandlerContext, tracker: HandlerTracker): void {
  app.command(CHECKIN_COMMAND, tracker.wrap<CommandArgs>("command", (args) => handleCheckinCommand(ctx, args)));
  app.action<BlockAction>({ type: "block_actions" }, tracker.wrap<ActionArgs>("block_action", (args) => handleBlockAction(ctx, args)));
  app.view<ViewSubmitAction>({ callback_id: COMMENT_CALLBACK_ID, type: "view_submission" }, tracker.wrap<ViewArgs>("comment_submission", (args) => handleCommentSubmission(ctx, args)));
  app.event("app_home_opened", tracker.wrap<HomeOpenedArgs>("app_home_opened", (args) => handleAppHomeOpened(ctx, args)));
}
