// Activities are built by a factory so tests can inject real or fake services.
import type { Db } from '../db/client.js';
import { createIncidentProjectionActivities } from './incident-projection.js';

export interface ActivityDeps {
  db: Db;
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...createIncidentProjectionActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
