// The domain's shared kernel: who acts and when, the two facts every command of every aggregate
// (incident, service order, change, callback) carries. Nothing incident-specific belongs here.

export interface Actor {
  /** "user:<id>", "contact:<email>" or "system". */
  id: string;
  name: string;
}

export const systemActor: Actor = { id: 'system', name: 'Helpdesk' };

export interface CommandContext {
  actor: Actor;
  /** The instant of the command (workflow time inside a workflow). */
  at: Date;
}
