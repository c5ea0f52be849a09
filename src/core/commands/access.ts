// Who may run each subcommand, checked before the engine writes anything for a command (not even
// its delivery receipt), so a refused command leaves no trace. The handlers check again with the
// same guards and replies; this table is only the early, trace-free refusal.

import type { EngineContext } from "../context.ts";
import type { Command } from "./grammar.ts";
import type { ActorContext } from "./guards.ts";
import { Denied, requireAdmin, requireClinicianOf, requireSelfClient } from "./guards.ts";
import type { Reply } from "../../ports/inbound.ts";
import { calendarRefusal } from "../calendar/commands.ts";

/** The refusal a command gets from this actor because of who they are, or null when they may run it. */
export async function commandRefusal(ctx: EngineContext, a: ActorContext, command: Command): Promise<Reply | null> {
  try {
    switch (command.name) {
      case "enroll":
      case "schedule":
      case "end":
      case "skip":
      case "list":
      case "settings":
      case "export":
      case "erase":
      case "audit":
        requireAdmin(a);
        return null;
      case "pause":
      case "resume":
        if (command.client) await requireClinicianOf(ctx, a, command.client.userId);
        else await requireSelfClient(ctx, a);
        return null;
      case "stop":
        await requireSelfClient(ctx, a);
        return null;
      case "now":
      case "trend":
        await requireClinicianOf(ctx, a, command.client.userId);
        return null;
      case "alerts":
        if (!a.isAdmin && !a.person?.isTherapist) throw new Denied(a.t("command.denied"));
        return null;
      case "dashboard":
        if (!a.isAdmin && !a.person?.isTherapist) throw new Denied(a.t("command.denied"));
        return null;
      case "signout":
        return null;
      case "digest":
        if (!a.person?.isTherapist) throw new Denied(a.t("command.denied"));
        return null;
      case "calendar": {
        const refusal = calendarRefusal(a);
        if (refusal) throw new Denied(refusal);
        return null;
      }
      case "mydata":
      case "erase-me":
      case "privacy":
      case "help":
        return null;
    }
  } catch (error) {
    if (error instanceof Denied) return { text: error.reply, refused: true };
    throw error;
  }
}
