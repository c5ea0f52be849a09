// Direct notices to therapists and admins (delivery failures, stops). Failures to notify are
// logged with codes only and never break the flow that triggered them.

import type { EngineContext } from "./context.ts";
import { localeFor } from "./context.ts";
import type { Person, Practice } from "./model.ts";
import { translate } from "../i18n/index.ts";
import type { MessageKey, Params } from "../i18n/index.ts";

export async function notifyPerson(ctx: EngineContext, practice: Practice, person: Person, key: MessageKey, params: Params = {}): Promise<void> {
  const platform = ctx.platform(practice.platform);
  if (!platform) return;
  const result = await platform.sendDirect(
    { workspaceId: practice.externalId, userId: person.platformUserId },
    { kind: "notice", text: translate(localeFor(practice, person), key, params) },
  );
  if (!result.ok) ctx.logger.warn({ code: result.code, personId: person.id }, "notice not delivered");
}

export async function notifyAdmins(ctx: EngineContext, practice: Practice, key: MessageKey, params: Params = {}): Promise<void> {
  for (const admin of await ctx.store.listAdmins(practice.id)) {
    await notifyPerson(ctx, practice, admin, key, params);
  }
}
