// Erasure of one client's data: responses, comments, alerts, check-ins and enrollments, plus the
// prompt and alert messages the bot posted, where the platform lets a bot delete them. The audit
// entry records who erased and how much, never what.

import type { EngineContext } from "../core/context.ts";
import { mention } from "../core/context.ts";
import type { Person, Practice } from "../core/model.ts";
import { notifyPerson } from "../core/notify.ts";
import { revokeClientLinks } from "../core/links.ts";
import type { ErasureCounts, PrivacyStore } from "../ports/privacy-store.ts";
import { errorCode } from "../core/dispatch.ts";

export interface ErasureReport extends ErasureCounts {
  messagesDeleted: number;
  /** Messages the platform would not (or cannot) delete. */
  messagesKept: number;
}

export async function eraseClient(
  ctx: EngineContext,
  privacy: PrivacyStore,
  input: { practice: Practice; client: Person; actorPersonId: string; by: "self" | "admin" },
): Promise<ErasureReport> {
  const { practice, client } = input;
  const now = ctx.clock.now();
  const current = await ctx.store.currentEnrollmentForClient(client.id);
  const therapist = current ? await ctx.store.getPerson(current.therapistId) : null;
  const messages = await privacy.postedMessages(client.id);
  // Links first: from here on none of the client's check-in links opens anything.
  await revokeClientLinks(ctx, client.id);
  const counts = await privacy.eraseClientData(client.id);
  await ctx.store.updatePerson(client.id, {
    isClient: false,
    stoppedAt: now,
    consentAt: null,
    consentVersion: null,
    consentDeclinedAt: null,
    pausedUntil: null,
    locale: null,
  });

  let messagesDeleted = 0;
  const platform = ctx.platform(practice.platform);
  for (const message of messages) {
    if (!platform?.delete) break;
    try {
      const result = await platform.delete({ workspaceId: practice.externalId, userId: message.recipientUserId }, message.ref);
      // A message someone already deleted is as good as deleted.
      if (result.ok || result.code === "message_not_found") messagesDeleted++;
    } catch (error) {
      ctx.logger.warn({ err: errorCode(error) }, "erasure: message not deleted");
    }
  }
  const report: ErasureReport = { ...counts, messagesDeleted, messagesKept: messages.length - messagesDeleted };
  await ctx.store.appendAudit({
    practiceId: practice.id,
    actorPersonId: input.actorPersonId,
    action: "data.erased",
    subjectPersonId: client.id,
    detail: { by: input.by, ...report },
    createdAt: now,
  });
  ctx.logger.info({ practiceId: practice.id, subjectPersonId: client.id, by: input.by, checkIns: counts.checkIns, messagesKept: report.messagesKept }, "client data erased");
  if (input.by === "self" && therapist) {
    await notifyPerson(ctx, practice, therapist, "notice.client_erased", { client: mention(practice.platform, client.platformUserId) });
  }
  return report;
}
