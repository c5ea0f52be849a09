// Two real bot replicas configured for Discord share PostgreSQL and a fake Discord (REST and
// gateway): only one holds the gateway at a time; when it is killed, the other connects.

import { afterAll, beforeAll, expect, it } from "vitest";
import { describePostgres } from "../support/pg-suite.ts";
import { FakeDiscord } from "../support/fake-discord.ts";
import { spawnBot, waitFor } from "../support/bot-process.ts";
import type { BotProcess } from "../support/bot-process.ts";


async function metric(bot: BotProcess, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${bot.opsPort()}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  return Number(line?.split(" ")[1]);
}
const leaderGauge = (bot: BotProcess) => metric(bot, "checkin_discord_gateway_leader");
/** How many times the replica tried to take the gateway and found it held by the other. */
const standbyChecks = (bot: BotProcess) => metric(bot, "checkin_discord_gateway_standby_checks_total");

await describePostgres("Discord gateway across replicas", (database) => {
  let discord: FakeDiscord;
  const bots: BotProcess[] = [];

  beforeAll(async () => {
    discord = await FakeDiscord.start();
  });
  afterAll(async () => {
    for (const bot of bots) bot.kill();
    await Promise.all(bots.map((b) => b.exited));
    await discord?.close();
  });

  it("one gateway connection among two replicas; the follower takes over when the leader is killed", async () => {
    const env = {
      DATABASE_URL: database().url,
      DISCORD_TOKEN: discord.token,
      DISCORD_APPLICATION_ID: discord.applicationId,
      DISCORD_GUILD_IDS: discord.guildId,
      DISCORD_API_URL: discord.apiUrl,
    };
    bots.push(spawnBot(env), spawnBot(env));
    await Promise.all(bots.map((b) => b.ready));
    await waitFor("a gateway connection", async () => discord.connectedClients === 1, 120_000);
    // The leader sets its gauge once the gateway is READY, a moment after the socket opens.
    const gauges = await waitFor("one leader gauge at 1", async () => {
      const read = await Promise.all(bots.map(leaderGauge));
      return read.includes(1) ? read : null;
    }, 120_000);
    expect([...gauges].sort()).toEqual([0, 1]);
    const leader = bots[gauges.indexOf(1)]!;
    const follower = bots.find((b) => b !== leader)!;
    // Once the follower has tried, and failed, to take the gateway three more times, there is
    // still exactly one connection.
    const checksBefore = await standbyChecks(follower);
    await waitFor("three more standby checks by the follower", async () => (await standbyChecks(follower)) >= checksBefore + 3, 60_000);
    expect(discord.connectedClients).toBe(1);
    expect(await leaderGauge(follower)).toBe(0);
    // Both replicas are ready: the follower reports Discord as standby.
    for (const bot of bots) {
      const ready = await fetch(`http://127.0.0.1:${bot.port()}/readyz`);
      expect(ready.status).toBe(200);
    }
    const identifiesBefore = discord.identifies.length;
    leader.kill("SIGKILL");
    await leader.exited;
    await waitFor("the follower to identify on the gateway", async () => discord.identifies.length > identifiesBefore && discord.connectedClients === 1, 60_000, 50);
    // The gauge is set once the gateway session is up, a moment after the identify.
    await waitFor("the follower to report itself the leader", async () => (await leaderGauge(follower)) === 1, 60_000, 50);
    expect(await leaderGauge(follower)).toBe(1);
  }, 480_000);
});
