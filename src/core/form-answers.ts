// A check-in page submitted in link mode: the three items, the tension questions and the comment
// in one event. It takes the same steps as chat presses: the ownership check, the answer gate
// (consent, stop, window, edit window), one stored answer per delivery id (the receipt is written
// with the answer), the crisis screen on the comment, and rule evaluation once complete.
// Like a press (handleAnswer), the client's own open check-in is checked and saved in one round
// trip that also brings back the rule inputs; anything else gets the full checks.

import type { EngineContext } from "./context.ts";
import type { AnswersEvent, Actor, Reply } from "../ports/inbound.ts";
import type { AnswerPatch, Receipt, SavedAnswer } from "../ports/checkin-store.ts";
import type { ResponseRecord } from "./model.ts";
import { translator } from "../i18n/index.ts";
import { answerGate, answerRecorded, isReply, loadOwnCheckIn } from "./answers.ts";
import { holds, OPEN_FOR_ACTOR } from "./answer-rule.ts";
import { screenCommentForCrisis } from "./loop/crisis.ts";
import { evaluateCheckIn, EVALUATION_LIMIT } from "./alerts.ts";

const refused = (text: string): Reply => ({ text, refused: true });

export async function handleAnswersForm(ctx: EngineContext, actor: Actor, event: AnswersEvent, receipt?: Receipt): Promise<Reply> {
  const { comment, ...scores } = event.answers;
  const max = ctx.options.commentMaxLength;
  const patch: AnswerPatch = Object.fromEntries(Object.entries(scores).filter(([, value]) => value !== undefined));
  const invalid = (comment !== undefined && (comment.trim() === "" || [...comment].length > max)) || Object.keys(patch).length === 0;
  if (invalid) {
    // Refused before anything is written, in the client's words once ownership is checked.
    const owned = await loadOwnCheckIn(ctx, actor, event.checkInId);
    if (isReply(owned)) return owned;
    const t = translator(owned.locale);
    if (comment !== undefined && comment.trim() === "") return refused(t("answer.comment_empty"));
    if (comment !== undefined && [...comment].length > max) return refused(t("answer.comment_too_long", { length: [...comment].length, max }));
    return refused(t("answer.bad_value"));
  }
  const now = ctx.clock.now();
  const who = { platform: actor.platform, workspaceId: actor.workspaceId, userId: actor.userId };
  // Rule evaluation must see the comment, which is saved after the scores: with a comment the
  // inputs are read after it, not with the scores.
  const open = await ctx.store.answerIfOpen(event.checkInId, who, patch, now, receipt, comment === undefined ? EVALUATION_LIMIT : undefined);
  if (!open.context) return refused(translator("en")("answer.unknown"));
  const owned = await loadOwnCheckIn(ctx, actor, event.checkInId, open.context);
  if (isReply(owned)) return owned;
  let saved: SavedAnswer | null = open.saved;
  let evaluation = open.evaluation;
  let before: ResponseRecord | null = null;
  // Decided on the rows the store read (before its write), with the rule the write ran under.
  if (!holds(OPEN_FOR_ACTOR, open.context, who, now)) {
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
  const reply = await answerRecorded(ctx, owned, patch, before, saved, evaluation);
  // An edit that changed only the comment: the scores' evaluation did not run, the comment's must.
  if (comment !== undefined && before?.completedAt) await evaluateCheckIn(ctx, owned.enrollment, owned.practice, event.checkInId);
  return crisisText ? { text: crisisText, crisis: true } : { text: reply.text };
}
