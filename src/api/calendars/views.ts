// A stored business calendar as the API shows it.
import type { z } from '@hono/zod-openapi';
import { calendarDefinition, type CalendarRow } from '../../services/sla-config.js';
import type { Calendar } from '../sla/schemas.js';

export function calendarView(row: CalendarRow): z.infer<typeof Calendar> {
  const { holidays, ...def } = calendarDefinition(row);
  return { id: row.id, name: row.name, ...def, holidays: holidays ?? null, createdAt: row.createdAt.toISOString() };
}
