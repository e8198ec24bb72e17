// Views of the directory: instants as ISO strings, cost rates for admins only, tokens without secrets.
import type { TokenRecord } from '../../services/directory/tokens.js';
import type { UserRecord } from '../../services/directory/users.js';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function userView(user: UserRecord) {
  return { ...user, deactivatedAt: iso(user.deactivatedAt), createdAt: user.createdAt.toISOString(), updatedAt: user.updatedAt.toISOString() };
}

export function colleagueView(user: UserRecord) {
  const { costRateCents: _costRateCents, ...rest } = userView(user);
  return rest;
}

export function tokenView(token: TokenRecord) {
  return { id: token.id, name: token.name, createdAt: token.createdAt.toISOString(), createdBy: token.createdBy, expiresAt: iso(token.expiresAt), lastUsedAt: iso(token.lastUsedAt), revokedAt: iso(token.revokedAt) };
}
