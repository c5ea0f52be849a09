// Builds the Actor the engine authorises against: team id + user id, plus whether Slack
// (or SLACK_ADMIN_USER_IDS) says the user administers the workspace. Names are never read.
// The same lookup answers the ChatPlatform's currentRole and listAdmins.

import type { webApi } from "@slack/bolt";
import type { PlatformRole } from "../../src/ports/chat-platform.ts";
import type { Actor } from "../../src/ports/inbound.ts";
import type { Logger } from "../../src/ports/logger.ts";
import { slackErrorCode } from "./send-result.ts";

/** Long enough to spare users.info on every tap, short enough that a demoted admin loses rights quickly. */
export const ADMIN_CACHE_MS = 60_000;

/** users.info errors that mean "no such person here", not "Slack could not be asked". */
const ABSENT_ERRORS = new Set(["user_not_found", "users_not_found", "user_not_visible", "account_inactive"]);

export class SlackActors {
  private readonly roleCache = new Map<string, { role: PlatformRole; expiresAt: number }>();
  private adminList: { ids: string[]; expiresAt: number } | null = null;

  constructor(
    private readonly client: webApi.WebClient,
    private readonly configuredAdmins: ReadonlySet<string>,
    private readonly now: () => number,
    private readonly logger: Logger,
  ) {}

  async actorFor(workspaceId: string, userId: string): Promise<Actor> {
    return { platform: "slack", workspaceId, userId, isPlatformAdmin: (await this.roleOf(userId)) === "admin" };
  }

  /** The person's role now: cached for ADMIN_CACHE_MS; a failed lookup is "unknown" and not cached. */
  async roleOf(userId: string): Promise<PlatformRole> {
    if (this.configuredAdmins.has(userId)) return "admin";
    const cached = this.roleCache.get(userId);
    const now = this.now();
    if (cached && cached.expiresAt > now) return cached.role;
    let role: PlatformRole;
    try {
      const info = await this.client.users.info({ user: userId });
      const user = info.user;
      if (!user || user.deleted === true || user.is_bot === true) role = "absent";
      else if (user.is_admin === true || user.is_owner === true || user.is_primary_owner === true) role = "admin";
      else role = "member";
    } catch (error) {
      const code = slackErrorCode(error);
      if (!ABSENT_ERRORS.has(code)) {
        // Fail closed and uncached: without Slack's word the user has no admin rights for this request only.
        this.logger.warn({ userId, code }, "slack role lookup failed");
        return "unknown";
      }
      role = "absent";
    }
    this.roleCache.set(userId, { role, expiresAt: now + ADMIN_CACHE_MS });
    if (this.roleCache.size > 10_000) this.roleCache.delete(this.roleCache.keys().next().value as string);
    return role;
  }

  /** Workspace admins and owners from users.list (cached like roles), plus the configured ids. */
  async listAdmins(): Promise<string[]> {
    const now = this.now();
    if (this.adminList && this.adminList.expiresAt > now) return this.adminList.ids;
    const ids = new Set(this.configuredAdmins);
    try {
      let cursor: string | undefined;
      do {
        const page = await this.client.users.list({ limit: 200, ...(cursor ? { cursor } : {}) });
        for (const member of page.members ?? []) {
          if (!member.id || member.deleted || member.is_bot) continue;
          if (member.is_admin || member.is_owner || member.is_primary_owner) ids.add(member.id);
        }
        cursor = page.response_metadata?.next_cursor || undefined;
      } while (cursor);
    } catch (error) {
      this.logger.warn({ code: slackErrorCode(error) }, "slack admin listing failed");
      return [...ids];
    }
    this.adminList = { ids: [...ids], expiresAt: now + ADMIN_CACHE_MS };
    return this.adminList.ids;
  }
}
