// Who a dashboard viewer is right now. Checked on every request, so a person who lost the
// therapist or admin role loses their session at their next request.

import type { ChatPlatform } from "../ports/chat-platform.ts";
import type { Person, PlatformName, Practice } from "../core/model.ts";

export interface ViewerRoles {
  isAdmin: boolean;
  isTherapist: boolean;
}

/** Resolves a person's current roles in their practice. */
export type RoleResolver = (practice: Practice, person: Person) => Promise<ViewerRoles>;

/**
 * Admin rights come from the platform at request time (ChatPlatform.currentRole), as for every
 * chat action: "admin" is an admin; anything else, including a platform that cannot answer
 * ("unknown"), is not. Someone who left the workspace ("absent") has no role at all. The
 * therapist role is the bot's own (set at enrollment). Without a connected platform for the
 * practice (tests, tools), the stored flags stand in.
 */
export function platformRoles(platform: (name: PlatformName) => ChatPlatform | undefined): RoleResolver {
  return async (practice, person) => {
    const adapter = platform(practice.platform);
    if (!adapter) return { isAdmin: person.isAdmin, isTherapist: person.isTherapist };
    const role = await adapter.currentRole({ workspaceId: practice.externalId, userId: person.platformUserId });
    if (role === "absent") return { isAdmin: false, isTherapist: false };
    return { isAdmin: role === "admin", isTherapist: person.isTherapist };
  };
}

export const hasDashboardRole = (roles: ViewerRoles): boolean => roles.isAdmin || roles.isTherapist;
