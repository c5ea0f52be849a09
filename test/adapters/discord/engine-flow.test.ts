// The proof: the real engine on SQLite behind the Discord adapter, driven through the fake
// Discord — registration, enroll, prompt DM, consent and answers by button, the comment modal,
// the therapist's alert and its acknowledgement.

import { afterEach, expect, it } from "vitest";
import type { InboundEvent, InboundPort, Reply } from "../../../src/ports/inbound.ts";
import { actionIdOf } from "../../../adapters/discord/render.ts";
import type { EngineFixture } from "../../support/engine-fixture.ts";
import type { FakeMessage } from "../../support/fake-discord.ts";
import { attachEngine, startDiscordRig } from "./harness.ts";
import type { DiscordRig } from "./harness.ts";

const ADMIN = "610000000000000001";
const CLIENT = "620000000000000002";
const THERAPIST = "630000000000000003";

let rig: DiscordRig | null = null;
let fixture: EngineFixture | null = null;
afterEach(async () => {
  await rig?.close();
  await fixture?.dispose();
  rig = null;
  fixture = null;
});

function buttonWhere(message: FakeMessage | undefined, test: (actionId: string) => boolean): string {
  const id = message?.components.flatMap((row) => row.components).find((c) => c.custom_id && test(actionIdOf(c.custom_id)))?.custom_id;
  if (!id) throw new Error("button not found");
  return id;
}

it("runs a whole check-in through Discord", async () => {
  const late: { engine: InboundPort | null } = { engine: null };
  const inbound: InboundPort = {
    receive: (event: InboundEvent): Promise<Reply> => {
      if (!late.engine) throw new Error("engine not ready");
      return late.engine.receive(event);
    },
  };
  rig = await startDiscordRig(inbound);
  const { fake } = rig;
  fixture = await attachEngine(rig, late, { admin: ADMIN, client: CLIENT, therapist: THERAPIST });

  // 1. the slash command is registered
  expect(fake.commands.get(fake.guildId)?.map((c) => c.name)).toEqual(["checkin"]);

  // 2. the admin enrolls
  const enroll = await rig.settled(
    fake.slashCommand(ADMIN, "enroll", [
      { name: "client", type: "user", value: CLIENT },
      { name: "therapist", type: "user", value: THERAPIST },
      { name: "schedule", type: "string", value: "mon 09:00 50m" },
      { name: "tz", type: "string", value: "UTC" },
    ]),
  );
  expect(enroll.callbacks[0]).toEqual({ type: 5, data: { flags: 64 } });
  expect(enroll.original?.content).toContain(`<@${CLIENT}>`);

  // 3. consent, then the prompt DM
  fixture.clock.set("2026-03-02T10:00:00Z");
  await fixture.engine.tick();
  const consent = fake.messagesTo(CLIENT).at(-1);

  await rig.settled(fake.pressButton(CLIENT, consent?.id ?? "", buttonWhere(consent, (a) => a.startsWith("consent:") && a.endsWith(":yes"))));
  const prompt = fake.messagesTo(CLIENT).at(-1);
  expect(prompt?.id).not.toBe(consent?.id);
  expect(prompt?.components.length).toBeLessThanOrEqual(5);

  // 4. the client answers with buttons: a low goal score
  for (const [item, value] of [["goal", 2], ["task", 4], ["bond", 4]] as const) {
    const press = await rig.settled(fake.pressButton(CLIENT, prompt?.id ?? "", buttonWhere(prompt, (a) => a.endsWith(`:${item}:${value}`))));
    expect(press.callbacks[0]?.type).toBe(6);
  }

  // 5. the comment modal
  const current = fake.messagesTo(CLIENT).find((m) => m.id === prompt?.id);
  const commentButton = buttonWhere(current, (a) => a.endsWith(":comment"));
  {
    const open = await rig.settled(fake.pressButton(CLIENT, prompt?.id ?? "", commentButton));
    expect(open.callbacks[0]?.type).toBe(9);
    const modalId = String(open.callbacks[0]?.data?.custom_id);
    const submitted = await rig.settled(fake.submitModal(CLIENT, prompt?.id ?? "", modalId, { comment: "It felt rushed today" }));
    expect(submitted.original?.content?.length).toBeGreaterThan(0);
    const rows = await fixture.db.sql.query<{ n: number }>(`SELECT COUNT(*) AS "n" FROM "Response" WHERE "commentCipher" IS NOT NULL`);
    expect(Number(rows[0]?.n)).toBe(1);
  }

  // 6. the alert reaches the therapist
  const alert = fake.messagesTo(THERAPIST).at(-1);
  expect(alert?.content).toContain(`<@${CLIENT}>`);
  expect(alert?.embeds[0]?.description).toContain("2/5");
  const ackButton = buttonWhere(alert, (a) => a.startsWith("al:") && a.endsWith(":ack"));
  const alertId = actionIdOf(ackButton).split(":")[1] ?? "";

  // 7. the therapist acknowledges it
  const ack = await rig.settled(fake.pressButton(THERAPIST, alert?.id ?? "", ackButton));
  expect(ack.callbacks[0]?.type).toBe(6);
  expect((await fixture.store.getAlert(alertId))?.status).toBe("acknowledged");
});
