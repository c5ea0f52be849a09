// A person's current role in a guild, from Discord at request time: the member's roles (REST) and
// the guild's role permissions (gateway cache, else REST). Owner, Administrator, Manage Server or
// the configured admin role make an admin. No privileged intent is needed.

import { DiscordAPIError, PermissionFlagsBits, Routes } from "discord.js";
import type { APIGuildMember, APIRole, Client, REST } from "discord.js";
import type { PlatformRole } from "../../src/ports/chat-platform.ts";
import type { Logger } from "../../src/ports/logger.ts";
import { DiscordCode, errorFields } from "./results.ts";

/** How long a looked-up role is reused; a demoted admin loses rights within this time. */
export const ROLE_CACHE_MS = 30_000;

const ADMIN_BITS = PermissionFlagsBits.Administrator | PermissionFlagsBits.ManageGuild;

export class DiscordRoles {
  private readonly cache = new Map<string, { role: PlatformRole; expiresAt: number }>();

  constructor(
    private readonly client: Client,
    private readonly rest: REST,
    private readonly adminRoleId: string | null,
    private readonly cacheMs: number,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  async roleOf(guildId: string, userId: string): Promise<PlatformRole> {
    const key = `${guildId}:${userId}`;
    const cached = this.cache.get(key);
    if (cached && cached.expiresAt > this.now()) return cached.role;
    let role: PlatformRole;
    try {
      const member = (await this.rest.get(Routes.guildMember(guildId, userId))) as APIGuildMember;
      role = member.user?.bot ? "absent" : (await this.isAdmin(guildId, userId, member.roles)) ? "admin" : "member";
    } catch (error) {
      const code = error instanceof DiscordAPIError ? error.code : null;
      if (code !== DiscordCode.UnknownMember && code !== DiscordCode.UnknownUser) {
        this.logger.warn({ guildId, userId, ...errorFields(error) }, "discord role lookup failed");
        return "unknown";
      }
      role = "absent";
    }
    if (this.cacheMs > 0) {
      this.cache.set(key, { role, expiresAt: this.now() + this.cacheMs });
      if (this.cache.size > 10_000) this.cache.delete(this.cache.keys().next().value as string);
    }
    return role;
  }

  /** The guild owner, as the gateway reported it. */
  async listAdmins(guildId: string): Promise<string[]> {
    const owner = this.client.guilds.cache.get(guildId)?.ownerId;
    return owner ? [owner] : [];
  }

  private async isAdmin(guildId: string, userId: string, memberRoles: string[]): Promise<boolean> {
    if (this.adminRoleId && memberRoles.includes(this.adminRoleId)) return true;
    const guild = this.client.guilds.cache.get(guildId);
    if (guild?.ownerId === userId) return true;
    // @everyone has the guild's id; its permissions apply to every member.
    const held = new Set([guildId, ...memberRoles]);
    if (guild && guild.roles.cache.size > 0) {
      return [...held].some((id) => ((guild.roles.cache.get(id)?.permissions.bitfield ?? 0n) & ADMIN_BITS) !== 0n);
    }
    const roles = (await this.rest.get(Routes.guildRoles(guildId))) as APIRole[];
    return roles.some((r) => held.has(r.id) && (BigInt(r.permissions) & ADMIN_BITS) !== 0n);
  }
}
