// Who a dashboard viewer is right now. Checked on every request, so a person who lost the
// therapist or admin role loses their session at their next request.

import type { CheckInStore } from "../ports/checkin-store.ts";
import type { Person, Practice } from "../core/model.ts";

export interface ViewerRoles {
  isAdmin: boolean;
  isTherapist: boolean;
}

/**
 * Resolves a person's current roles. The default reads the stored flags; a platform that can
 * say at request time whether someone administers the workspace plugs in here.
 */
export type RoleResolver = (practice: Practice, person: Person) => Promise<ViewerRoles>;

/** Roles from the stored person record: admin flag, therapist flag with a current caseload or none. */
export function storedRoles(_store: CheckInStore): RoleResolver {
  return async (_practice, person) => ({ isAdmin: person.isAdmin, isTherapist: person.isTherapist });
}

export const hasDashboardRole = (roles: ViewerRoles): boolean => roles.isAdmin || roles.isTherapist;
