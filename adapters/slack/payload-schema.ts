// zod schemas for the bodies Slack sends, checked after the signature and before Bolt parses
// them: a signed request whose body is not one of these shapes is refused with 400 instead of
// reaching a handler (or failing inside Bolt's parser with a 500).

import { z } from "zod";

const SlackId = z.string().min(1).max(64);

const SlashCommandForm = z.object({
  command: z.string().min(1).max(64),
  text: z.string().max(16_000).optional(),
  user_id: SlackId,
  team_id: SlackId,
  trigger_id: z.string().min(1).max(256),
});

const InteractivePayload = z.looseObject({
  type: z.string().min(1).max(64),
  user: z.looseObject({ id: SlackId }),
  team: z.looseObject({ id: SlackId }).nullable().optional(),
  trigger_id: z.string().max(256).optional(),
  actions: z.array(z.looseObject({ action_id: z.string().max(255), type: z.string().max(64) })).max(25).optional(),
  view: z
    .looseObject({
      id: z.string().max(64).optional(),
      callback_id: z.string().max(255).optional(),
      private_metadata: z.string().max(3000).optional(),
      state: z.looseObject({ values: z.record(z.string(), z.record(z.string(), z.looseObject({ value: z.string().nullable().optional() }))) }).optional(),
    })
    .optional(),
});

const EventsApiBody = z.union([
  z.looseObject({ type: z.literal("url_verification"), challenge: z.string().max(512) }),
  z.looseObject({ type: z.literal("event_callback"), team_id: SlackId, event: z.looseObject({ type: z.string().min(1).max(64) }) }),
  z.looseObject({ type: z.string().min(1).max(64) }).refine((body) => body.type !== "url_verification" && body.type !== "event_callback"),
]);

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** True when a verified body has a shape Slack actually sends. */
export function isWellFormedSlackBody(contentType: string | undefined, rawBody: string): boolean {
  const type = (contentType ?? "").split(";")[0]?.trim().toLowerCase();
  if (type === "application/json") return EventsApiBody.safeParse(parseJson(rawBody)).success;
  if (type !== "application/x-www-form-urlencoded") return false;
  const form = new URLSearchParams(rawBody);
  const payload = form.get("payload");
  if (payload !== null) return InteractivePayload.safeParse(parseJson(payload)).success;
  if (form.get("ssl_check") === "1") return true;
  return SlashCommandForm.safeParse(Object.fromEntries(form)).success;
}
