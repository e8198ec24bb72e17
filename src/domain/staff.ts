// Who of the staff may use the web pages, and why a staff member got a single-use password link.
import { hasRole, type UserRole } from './enums.js';

/** The roles that sign in to the web pages (ranked as in userRoles); sales and mailgate use tokens only. */
export const staffRoles = ['agent', 'manager', 'admin'] as const;
export type StaffRole = (typeof staffRoles)[number];

export const isStaffRole = (role: UserRole): role is StaffRole => (staffRoles as readonly string[]).includes(role);

/** The role is a staff role and `minimum` or above it. */
export const staffRoleAtLeast = (role: UserRole, minimum: StaffRole): boolean => isStaffRole(role) && hasRole(role, minimum);

/**
 * Why a password link was mailed: `set` by an admin (a new colleague, or a reset on request; valid
 * STAFF_PASSWORD_LINK_HOURS), `reset` asked for on the forgot-password page (valid 15 minutes).
 */
export const staffLinkPurposes = ['set', 'reset'] as const;
export type StaffLinkPurpose = (typeof staffLinkPurposes)[number];
