// A check-in page submitted in link mode: the three items, the tension questions and the comment
// in one event. It takes the same steps as chat presses: the ownership check, the answer gate
// (consent, stop, window, edit window), one stored answer per delivery id (the receipt is written
// with the answer), the crisis screen on the comment, and rule evaluation once complete.

import type { EngineContext } from "./context.ts";
import type { AnswersEvent, Actor, Reply } from "../ports/inbound.ts";
import type { AnswerPatch, CheckInContext, Receipt } from "../ports/checkin-store.ts";
import { translator } from "../i18n/index.ts";
import { answerGate, answerRecorded, isReply, loadOwnCheckIn } from "./answers.ts";
import { screenCommentForCrisis } from "./loop/crisis.ts";
import { evaluateCheckIn } from "./alerts.ts";

const refused = (text: string): Reply => ({ text, refused: true });

export async function handleAnswersForm(ctx: EngineContext, actor: Actor, event: AnswersEvent, preloaded?: CheckInContext, receipt?: Receipt): Promise<Reply> {
  const owned = await loadOwnCheckIn(ctx, actor, event.checkInId, preloaded);
  if (isReply(owned)) return owned;
  const t = translator(owned.locale);
  const { comment, ...scores } = event.answers;
  const max = ctx.options.commentMaxLength;
  if (comment !== undefined) {
    if (comment.trim() === "") return refused(t("answer.comment_empty"));
    if ([...comment].length > max) return refused(t("answer.comment_too_long", { length: [...comment].length, max }));
  }
  const patch: AnswerPatch = Object.fromEntries(Object.entries(scores).filter(([, value]) => value !== undefined));
  if (Object.keys(patch).length === 0) return refused(t("answer.bad_value"));
  const gate = await answerGate(ctx, owned);
  if ("refusal" in gate) return gate.refusal;
  const now = ctx.clock.now();
  const saved = await ctx.store.saveAnswer(event.checkInId, patch, now, receipt);
  if (!saved) return { text: t("command.duplicate"), duplicate: true };
  let crisisText: string | null = null;
  if (comment !== undefined) {
    const { cipher, keyId } = ctx.cipher.encrypt(comment.trim());
    await ctx.store.saveComment(event.checkInId, cipher, keyId, now);
    crisisText = await screenCommentForCrisis(ctx, owned, event.checkInId, comment);
  }
  const reply = await answerRecorded(ctx, owned, patch, gate.answered, saved);
  // An edit that changed only the comment: the scores' evaluation did not run, the comment's must.
  if (comment !== undefined && gate.answered?.completedAt) await evaluateCheckIn(ctx, owned.enrollment, owned.practice, event.checkInId);
  return crisisText ? { text: crisisText, crisis: true } : { text: reply.text };
}
