// Builds the Actor the engine authorises against: team id + user id, plus whether Slack
// (or SLACK_ADMIN_USER_IDS) says the user administers the workspace. Names are never read.

import type { webApi } from "@slack/bolt";
import type { Actor } from "../../src/ports/inbound.ts";
import type { Logger } from "../../src/ports/logger.ts";
import { slackErrorCode } from "./send-result.ts";

/** Long enough to spare users.info on every tap, short enough that a demoted admin loses rights quickly. */
export const ADMIN_CACHE_MS = 60_000;

export class SlackActors {
  private readonly adminCache = new Map<string, { isAdmin: boolean; expiresAt: number }>();

  constructor(
    private readonly client: webApi.WebClient,
    private readonly configuredAdmins: ReadonlySet<string>,
    private readonly now: () => number,
    private readonly logger: Logger,
  ) {}

  async actorFor(workspaceId: string, userId: string): Promise<Actor> {
    return { platform: "slack", workspaceId, userId, isPlatformAdmin: await this.isAdmin(userId) };
  }

  private async isAdmin(userId: string): Promise<boolean> {
    if (this.configuredAdmins.has(userId)) return true;
    const cached = this.adminCache.get(userId);
    const now = this.now();
    if (cached && cached.expiresAt > now) return cached.isAdmin;
    try {
      const info = await this.client.users.info({ user: userId });
      const isAdmin = info.user?.is_admin === true || info.user?.is_owner === true || info.user?.is_primary_owner === true;
      this.adminCache.set(userId, { isAdmin, expiresAt: now + ADMIN_CACHE_MS });
      return isAdmin;
    } catch (error) {
      // Fail closed and uncached: without Slack's word the user is a non-admin for this request only.
      this.logger.warn({ userId, code: slackErrorCode(error) }, "slack admin lookup failed");
      return false;
    }
  }
}
