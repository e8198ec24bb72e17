// A material entry with its billing corrections as /api/material-entries shows it.
import { billableCentsOf } from '../../services/material-entries.js';
import type { MaterialEntryRow } from '../../services/time-entries/index.js';
import { materialView } from '../time-entries/views.js';

export function materialEntryView(m: MaterialEntryRow) {
  return {
    ...materialView(m),
    billableCents: billableCentsOf(m),
    overrideReason: m.overrideReason,
    overrideBy: m.overrideBy,
    updatedAt: m.updatedAt.toISOString(),
    deletedAt: m.deletedAt?.toISOString() ?? null,
  };
}
