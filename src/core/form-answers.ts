// A check-in page submitted in link mode: the three items, the tension questions and the comment
// in one event. It takes the same steps as chat presses: the ownership check, the answer gate
// (consent, stop, window, edit window), one stored answer per delivery id (the receipt is written
// with the answer), the crisis screen on the comment, and rule evaluation once complete.
// Like a press (handleAnswer), the client's own open check-in is decided on the context the
// store reads and saved in the same call, which also brings back the rule inputs; anything else
// gets the full checks. Unlike a press, it never edits or sends a chat message: the client's
// message in chat is the neutral link, and the page words its own questions and thank-you.

import type { EngineContext } from "./context.ts";
import type { AnswersEvent, Actor, Reply } from "../ports/inbound.ts";
import type { AnswerPatch, CheckInContext, Receipt, SavedAnswer } from "../ports/checkin-store.ts";
import type { ResponseRecord } from "./model.ts";
import { translator } from "../i18n/index.ts";
import type { MessageKey, Params } from "../i18n/index.ts";
import { answerGate, answerRecorded, isReply, loadOwnCheckIn } from "./answers.ts";
import { openForActor } from "./answer-rule.ts";
import { screenCommentForCrisis } from "./loop/crisis.ts";
import { evaluateCheckIn, EVALUATION_LIMIT } from "./alerts.ts";

const refused = (text: string): Reply => ({ text, refused: true });

/** Why a submission is refused before anything is written (a message key and its values), or null. */
function refusalKey(comment: string | undefined, patch: AnswerPatch, max: number): [MessageKey, Params?] | null {
  if (comment !== undefined && comment.trim() === "") return ["answer.comment_empty"];
  if (comment !== undefined && [...comment].length > max) return ["answer.comment_too_long", { length: [...comment].length, max }];
  if (Object.keys(patch).length === 0) return ["answer.bad_value"];
  return null;
}

export async function handleAnswersForm(ctx: EngineContext, actor: Actor, event: AnswersEvent, receipt?: Receipt): Promise<Reply> {
  const { comment, ...scores } = event.answers;
  const patch: AnswerPatch = Object.fromEntries(Object.entries(scores).filter(([, value]) => value !== undefined));
  const refusal = refusalKey(comment, patch, ctx.options.commentMaxLength);
  if (refusal) {
    // Refused before anything is written, in the client's words once ownership is checked.
    const owned = await loadOwnCheckIn(ctx, actor, event.checkInId);
    if (isReply(owned)) return owned;
    return refused(translator(owned.locale)(...refusal));
  }
  const now = ctx.clock.now();
  // Rule evaluation must see the comment, which is saved after the scores: with a comment the
  // inputs are read after it, not with the scores.
  const decide = (context: CheckInContext) => openForActor(context, actor, now);
  const open = await ctx.store.answerIfOpen(event.checkInId, decide, patch, now, receipt, comment === undefined ? EVALUATION_LIMIT : undefined);
  if (!open.context) return refused(translator("en")("answer.unknown"));
  const owned = await loadOwnCheckIn(ctx, actor, event.checkInId, open.context);
  if (isReply(owned)) return owned;
  let saved: SavedAnswer | null = open.saved;
  let evaluation = open.evaluation;
  let before: ResponseRecord | null = null;
  // Not decided yes on the rows the store read: nothing was written, the full checks apply.
  if (!open.allowed) {
    const gate = await answerGate(ctx, owned);
    if ("refusal" in gate) return gate.refusal;
    saved = await ctx.store.saveAnswer(event.checkInId, patch, now, receipt);
    evaluation = null;
    before = gate.answered;
  }
  const t = translator(owned.locale);
  if (!saved) return { text: t("command.duplicate"), duplicate: true };
  let crisisText: string | null = null;
  if (comment !== undefined) {
    const { cipher, keyId } = ctx.cipher.encrypt(comment.trim());
    await ctx.store.saveComment(event.checkInId, cipher, keyId, now);
    crisisText = await screenCommentForCrisis(ctx, owned, event.checkInId, comment);
  }
  const reply = await answerRecorded(ctx, owned, patch, before, saved, evaluation, "web");
  // An edit that changed only the comment: the scores' evaluation did not run, the comment's must.
  if (comment !== undefined && before?.completedAt) await evaluateCheckIn(ctx, owned.enrollment, owned.practice, event.checkInId);
  return crisisText ? { text: crisisText, crisis: true } : { text: reply.text };
}
