// The data-rights subcommands: `mydata` and `erase-me` for the person themselves, `export`,
// `erase` and `audit` for admins. Wired into every engine by src/app.ts through ExtraHandlers.
// A refusal never tells a non-admin whether the named person exists.

import { randomInt } from "node:crypto";
import type { EngineContext } from "../core/context.ts";
import { formatLocalDateTime, mention } from "../core/context.ts";
import type { ExtraHandlers } from "../core/commands/handlers.ts";
import type { ActorContext } from "../core/commands/guards.ts";
import { requireAdmin } from "../core/commands/guards.ts";
import type { AuditEntry, Person } from "../core/model.ts";
import type { Reply } from "../ports/inbound.ts";
import type { Recipient } from "../ports/chat-platform.ts";
import type { PrivacyStore } from "../ports/privacy-store.ts";
import { buildExportDocument, exportFiles, exportStem } from "./data-export.ts";
import type { CommentReader } from "./data-export.ts";
import { eraseClient } from "./erasure.ts";

/** Newest audit entries shown by `/checkin audit`. */
export const AUDIT_LIST_LIMIT = 50;

const ok = (text: string): Reply => ({ text });
const fail = (text: string): Reply => ({ text, refused: true });

/** The acting person's record, created for an admin who has none yet (audit needs an actor). */
async function actingPerson(ctx: EngineContext, a: ActorContext): Promise<Person> {
  return a.person ?? (await ctx.store.ensurePerson(a.practice.id, a.actor.userId));
}

function commentReader(ctx: EngineContext): CommentReader {
  return (cipher, keyId) => {
    try {
      return ctx.cipher.decrypt(cipher, keyId);
    } catch {
      return null;
    }
  };
}

/** Builds and sends the JSON + CSV files for `subject` to the actor's DM. */
async function sendExport(ctx: EngineContext, privacy: PrivacyStore, a: ActorContext, subject: Person, comment: string): Promise<{ ok: true; checkIns: number } | { ok: false; reply: Reply }> {
  const platform = ctx.platform(a.practice.platform);
  if (!platform?.sendFile) return { ok: false, reply: fail(a.t("privacy.files_unavailable")) };
  const now = ctx.clock.now();
  const records = await privacy.clientRecords(subject);
  const document = buildExportDocument(records, commentReader(ctx), now);
  const to: Recipient = { workspaceId: a.practice.externalId, userId: a.actor.userId };
  for (const file of exportFiles(document, exportStem(subject.platformUserId, now), comment)) {
    const sent = await platform.sendFile(to, file);
    if (!sent.ok) {
      ctx.logger.warn({ code: sent.code }, "export file not delivered");
      return { ok: false, reply: fail(a.t("privacy.file_failed", { code: sent.code })) };
    }
  }
  return { ok: true, checkIns: records.checkIns.length };
}

/** How long an erasure request's code can be confirmed. */
export const ERASE_CONFIRM_MINUTES = 5;
const CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/** The pending request, as a receipt key: only this actor can confirm it, only for this person. */
const pendingKey = (a: ActorContext, subject: Person, code: string) => `erase-request:${a.practice.id}:${a.actor.userId}:${subject.id}:${code}`;

/**
 * Step one of an erasure: counts what would be deleted and records a one-time code. Nothing is
 * deleted until the same person confirms the code within ERASE_CONFIRM_MINUTES.
 */
async function requestErasure(ctx: EngineContext, privacy: PrivacyStore, a: ActorContext, subject: Person) {
  const records = await privacy.clientRecords(subject);
  const responses = Object.values(records.responses);
  const counts = { checkIns: records.checkIns.length, responses: responses.length, comments: responses.filter((r) => r.commentCipher !== null).length, alerts: records.alerts.length };
  const code = Array.from({ length: 6 }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]).join("");
  await ctx.store.recordDelivery(a.practice.platform, pendingKey(a, subject, code), ctx.clock.now());
  await ctx.store.appendAudit({ practiceId: a.practice.id, actorPersonId: (await actingPerson(ctx, a)).id, action: "data.erase_requested", subjectPersonId: subject.id, detail: counts, createdAt: ctx.clock.now() });
  return { code, counts };
}

/** Step two: true when `code` was issued to this actor for this person minutes ago and not used yet (it is used up now). */
async function confirmErasure(ctx: EngineContext, a: ActorContext, subject: Person, code: string): Promise<boolean> {
  const now = ctx.clock.now();
  const issuedAt = await ctx.store.deliveryRecordedAt(a.practice.platform, pendingKey(a, subject, code));
  if (!issuedAt || now.getTime() - issuedAt.getTime() > ERASE_CONFIRM_MINUTES * 60_000) return false;
  return ctx.store.recordDelivery(a.practice.platform, `erase-confirmed:${a.practice.id}:${subject.id}:${code}`, now);
}

function dateText(a: ActorContext, at: Date): string {
  return formatLocalDateTime(at, a.practice.timeZone, a.person?.locale ?? a.practice.locale);
}

export function privacyCommands(privacy: PrivacyStore): ExtraHandlers {
  return {
    async mydata(ctx, a) {
      if (!a.person) return ok(a.t("privacy.mydata.none"));
      const sent = await sendExport(ctx, privacy, a, a.person, a.t("privacy.mydata.file_comment", { date: dateText(a, ctx.clock.now()) }));
      if (!sent.ok) return sent.reply;
      await ctx.store.appendAudit({ practiceId: a.practice.id, actorPersonId: a.person.id, action: "data.accessed", subjectPersonId: a.person.id, detail: { checkIns: sent.checkIns, files: 2 }, createdAt: ctx.clock.now() });
      return ok(a.t("privacy.mydata.sent", { checkIns: sent.checkIns }));
    },

    async export(ctx, a, command) {
      requireAdmin(a);
      const who = mention(a.practice.platform, command.client.userId);
      const subject = await ctx.store.findPerson(a.practice.id, command.client.userId);
      if (!subject) return fail(a.t("privacy.no_data", { client: who }));
      const sent = await sendExport(ctx, privacy, a, subject, a.t("privacy.export.file_comment", { client: who, date: dateText(a, ctx.clock.now()) }));
      if (!sent.ok) return sent.reply;
      const actor = await actingPerson(ctx, a);
      await ctx.store.appendAudit({ practiceId: a.practice.id, actorPersonId: actor.id, action: "data.exported", subjectPersonId: subject.id, detail: { checkIns: sent.checkIns, formats: "json,csv" }, createdAt: ctx.clock.now() });
      return ok(a.t("privacy.export.sent", { client: who, checkIns: sent.checkIns }));
    },

    async erase(ctx, a, command) {
      requireAdmin(a);
      const who = mention(a.practice.platform, command.client.userId);
      const subject = await ctx.store.findPerson(a.practice.id, command.client.userId);
      if (!subject) return fail(a.t("privacy.no_data", { client: who }));
      const again = `/checkin erase ${who}`;
      if (!command.confirm) {
        const { code, counts } = await requestErasure(ctx, privacy, a, subject);
        return ok(a.t("privacy.erase.confirm", { client: who, ...counts, minutes: ERASE_CONFIRM_MINUTES, command: `${again} confirm ${code}` }));
      }
      if (!(await confirmErasure(ctx, a, subject, command.confirm))) return fail(a.t("privacy.erase.confirm_invalid", { minutes: ERASE_CONFIRM_MINUTES, command: again }));
      const actor = await actingPerson(ctx, a);
      const report = await eraseClient(ctx, privacy, { practice: a.practice, client: subject, actorPersonId: actor.id, by: "admin" });
      return ok(a.t("privacy.erase.done", { client: who, checkIns: report.checkIns, responses: report.responses, comments: report.comments, alerts: report.alerts, messages: report.messagesDeleted }));
    },

    async "erase-me"(ctx, a, command) {
      if (!a.person) return ok(a.t("privacy.mydata.none"));
      const again = "/checkin erase-me";
      if (!command.confirm) {
        const { code, counts } = await requestErasure(ctx, privacy, a, a.person);
        return ok(a.t("privacy.erase_me.confirm", { ...counts, minutes: ERASE_CONFIRM_MINUTES, command: `${again} confirm ${code}` }));
      }
      if (!(await confirmErasure(ctx, a, a.person, command.confirm))) return fail(a.t("privacy.erase.confirm_invalid", { minutes: ERASE_CONFIRM_MINUTES, command: again }));
      const report = await eraseClient(ctx, privacy, { practice: a.practice, client: a.person, actorPersonId: a.person.id, by: "self" });
      return ok(a.t("privacy.erase_me.done", { checkIns: report.checkIns, comments: report.comments, messages: report.messagesDeleted }));
    },

    async audit(ctx, a, command) {
      requireAdmin(a);
      const who = mention(a.practice.platform, command.client.userId);
      const subject = await ctx.store.findPerson(a.practice.id, command.client.userId);
      const entries = subject ? await ctx.store.listAudit(a.practice.id, subject.id, AUDIT_LIST_LIMIT) : [];
      const actor = await actingPerson(ctx, a);
      if (subject) {
        await ctx.store.appendAudit({ practiceId: a.practice.id, actorPersonId: actor.id, action: "audit.viewed", subjectPersonId: subject.id, detail: { entries: entries.length }, createdAt: ctx.clock.now() });
      }
      if (entries.length === 0) return ok(a.t("privacy.audit.none", { client: who }));
      const actors = new Map<string, string>();
      const lines = [a.t("privacy.audit.header", { client: who, limit: AUDIT_LIST_LIMIT })];
      for (const entry of entries) lines.push(await auditLine(ctx, a, entry, actors));
      return ok(lines.join("\n"));
    },
  };
}

async function auditLine(ctx: EngineContext, a: ActorContext, entry: AuditEntry, actors: Map<string, string>): Promise<string> {
  let actor = a.t("privacy.audit.system");
  if (entry.actorPersonId) {
    if (!actors.has(entry.actorPersonId)) {
      const person = await ctx.store.getPerson(entry.actorPersonId);
      actors.set(entry.actorPersonId, person ? mention(a.practice.platform, person.platformUserId) : "?");
    }
    actor = actors.get(entry.actorPersonId) as string;
  }
  const detail = Object.entries(entry.detail)
    .filter(([, value]) => value !== null && value !== "")
    .map(([key, value]) => `${key}=${String(value)}`)
    .join(", ");
  return a.t("privacy.audit.row", { at: dateText(a, entry.createdAt), action: entry.action, actor, detail: detail ? ` (${detail})` : "" });
}
