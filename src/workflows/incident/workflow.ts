// The incident entity workflow: it owns the live state, applies commands from the domain
// state machine, and writes every step to the timeline and projection through an activity.
import { dataRefusal, validated } from '../shared.js';
import { workflowCommands, type Applied } from '../commands.js';
import { reportReopenToParent, reportToParent } from '../follow-up-parent.js';
import {
  ApplicationFailure,
  CancelledFailure,
  ChildWorkflowFailure,
  ParentClosePolicy,
  TerminatedFailure,
  TimeoutFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
  type ChildWorkflowHandle,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy, type Workflow } from '@temporalio/common';
import type { createActivities } from '../../activities/index.js';
import * as incident from '../../domain/incident/state.js';
import * as followUps from '../../domain/incident/follow-ups.js';
import * as lifecycle from '../../domain/incident/lifecycle.js';
import * as incidentMail from '../../domain/incident/mail.js';
import * as replyCc from '../../domain/incident/reply-cc.js';
import type { CustomerMailTemplate } from '../../domain/incident/mail.js';
import { systemActor, type Actor } from '../../domain/kernel.js';
import { recordingRefused, writableState } from '../../domain/incident/recording.js';
import { requireWellFormedText } from '../../domain/text.js';
import { incidentDetails } from '../../domain/incident/details.js';
import { validateResolveRequest } from '../../domain/incident/breach.js';
import { escalationSteps, holidaysToResolve, incidentSlaPicture, reassessEscalation } from '../../domain/incident/sla.js';
import { levelNames, policyCalendar } from '../../domain/sla.js';
import type { IncidentIntake, IncidentState, Transition } from '../../domain/incident/state.js';
import { incidentSearchAttributes, incidentStartSearchAttributes } from '../../temporal/search-attributes.js';
import { sendCustomerMail } from './customer-mail.js';
import {
  addNoteUpdate,
  assignUpdate,
  changeContractUpdate,
  changePriorityUpdate,
  closeUpdate,
  createFollowUpUpdate,
  customerMessageUpdate,
  deliveryFailureUpdate,
  detachFollowUpUpdate,
  followUpEndedSignal,
  followUpReopenedSignal,
  getStateQuery,
  reopenUpdate,
  replyUpdate,
  resolveUpdate,
  resumeUpdate,
  setPendingUpdate,
  type Command,
  type CreateFollowUpCommand,
} from './messages.js';

const { recordIncidentEvent, resolvePublicHolidays } = proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});
// Mail servers can be down for a while; notifications keep trying without holding up the SLA loop.
// Bounded (about a day of retries), so a dead mailbox cannot hold the incident open forever.
const { notifyEscalation, mailCustomer } = proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '5 seconds', maximumInterval: '10 minutes', maximumAttempts: 150 },
});

export type IncidentWorkflowInput = { intake: IncidentIntake } | { continued: IncidentState };

export async function incidentWorkflow(input: IncidentWorkflowInput): Promise<void> {
  let state: IncidentState;

  /** Applies a step: the live state, the search attributes and the Temporal UI's details, then the timeline entry. */
  async function apply(transition: Transition): Promise<IncidentState> {
    await applyStep(transition);
    // This command's result, even if another command has changed the state meanwhile.
    return transition.state;
  }

  /** Like apply; answers why the timeline entry was refused for its data, if it was (the step stays taken). */
  async function applyStep(transition: Transition): Promise<string | undefined> {
    state = transition.state;
    upsertSearchAttributes(incidentSearchAttributes(state));
    setCurrentDetails(details());
    return record(transition);
  }

  /**
   * Writes a step's timeline entry and projection. One that Postgres refuses for its data (the
   * activity fails at once, non-retryably) is recorded as recording_failed under the same sequence
   * number, with the live state's text made writable, so no later step is held up by it.
   * Returns why it was refused, or undefined.
   */
  async function record(step: Transition): Promise<string | undefined> {
    try {
      await recordIncidentEvent.executeWithOptions({ summary: `timeline: ${step.event.type}` }, [{ incident: step.state, event: step.event }]);
      return undefined;
    } catch (err) {
      const reason = dataRefusal(err);
      if (reason === undefined) throw err;
      log.error('timeline entry refused for its data; recorded as recording_failed', { seq: step.event.seq, type: step.event.type, reason });
      const standIn = recordingRefused(step, reason);
      state = state === step.state ? standIn.state : writableState(state);
      try {
        await recordIncidentEvent.executeWithOptions({ summary: `timeline: recording_failed (${step.event.type})` }, [{ incident: standIn.state, event: standIn.event }]);
      } catch (again) {
        // Refused too (a value other than text, out of range): the step stays taken, without an
        // entry; the incident goes on rather than fail.
        if (dataRefusal(again) === undefined) throw again;
        log.error('recording_failed entry refused as well; the step has no timeline entry', { seq: step.event.seq, type: step.event.type, reason: dataRefusal(again) });
      }
      return reason;
    }
  }

  /** The answer to a command whose step was taken but whose timeline entry was refused. */
  function refusedStep(transition: Transition, reason: string): ApplicationFailure {
    return ApplicationFailure.create({
      type: 'Unprocessable',
      nonRetryable: true,
      message: `The ${transition.event.type.replace(/_/g, ' ')} step was taken, but its timeline entry was refused (${reason}); the timeline shows it as recording_failed.`,
    });
  }

  // Handlers are registered before the first await, so no command that arrives while the
  // creation is recorded is lost; the projection's version guard keeps the order right.
  const opened = 'continued' in input ? undefined : incident.openIncident(input.intake);
  state = 'continued' in input ? input.continued : opened!.state;
  // The policy's calendar, compiled once per snapshot (its days and running totals are kept inside).
  const calendar = () => (state.sla ? policyCalendar(state.sla) : undefined);
  /** The one-glance picture shown as "current details" in the Temporal UI (Markdown). */
  const details = () => incidentDetails(state, incidentSlaPicture(state, new Date(), calendar()));

  /**
   * An incident opened before snapshots carried their public holidays gets them from an activity
   * (the holiday rules stay out of the workflow); until then, and in the history before, it
   * counts closed and special days only. One open for years gets the years ahead the same way,
   * keeping the years its clocks have already run through.
   */
  async function resolveHolidays(): Promise<void> {
    const sla = state.sla;
    const wanted = holidaysToResolve(state, new Date());
    if (!sla || !wanted || !patched('sla-public-holidays')) return;
    let publicHolidays: NonNullable<typeof sla.publicHolidays>;
    try {
      publicHolidays = await resolvePublicHolidays.executeWithOptions({ summary: `public holidays ${wanted.region}` }, [wanted]);
    } catch (err) {
      // An unknown region (the activity fails for good): the incident goes on without holidays.
      log.error('public holidays could not be resolved; counting without them', { err, region: wanted.region });
      publicHolidays = { ...wanted, dates: [] };
    }
    // Another policy may have come in meanwhile; it carries its own. The due instants follow the
    // holidays at once (the projection gets them with the next event).
    if (state.sla === sla) state = incident.refreshSla({ ...state, sla: { ...sla, publicHolidays } }, new Date());
  }

  /** Notifications and customer mail run beside the SLA loop; the run ends only when none is in flight. */
  let inFlight = 0;
  function beside(work: Promise<unknown>): void {
    inFlight += 1;
    void work.finally(() => (inFlight -= 1));
  }
  function notify({ state: s, event }: Transition): void {
    const notice = {
      incident: { number: s.number, title: s.title, priority: s.priority, customerNumber: s.customer?.number ?? null, assigneeId: s.assignee?.id ?? null, assignedGroup: s.assignedGroup },
      event: { seq: event.seq, at: event.at, payload: event.payload },
    };
    const summary = `notify level ${String(event.payload.to)} (${String(event.payload.name)})`;
    beside(notifyEscalation.executeWithOptions({ summary }, [notice]).catch((err: unknown) => log.error('escalation notification failed', { err })));
  }

  /** Mail to the customer runs beside the SLA loop too; what became of it goes on the timeline. */
  function mailToCustomer(template: CustomerMailTemplate, s: IncidentState, seq: number, extra: incidentMail.CustomerMailExtra = {}): void {
    if (!patched('customer-mail')) return;
    const request = incidentMail.customerMailRequest(s, template, seq, extra);
    // Queued, then sent or failed, each its own timeline step (customer-mail.ts); histories from before record one step.
    if (patched('mail-states')) {
      beside(sendCustomerMail(request, (step) => apply(step(state, { actor: systemActor, at: new Date() }))));
      return;
    }
    beside(
      mailCustomer
        .executeWithOptions({ summary: `mail ${template} to the customer` }, [request])
        .catch((err: unknown): incidentMail.CustomerMailOutcome => {
          log.error('customer mail failed', { err, template });
          return { status: 'failed', reason: `The ${template} mail could not be delivered: ${err instanceof Error ? err.message : String(err)}` };
        })
        .then(async (outcome) => {
          const recorded = incidentMail.mailOutcome(state, template, outcome, { actor: systemActor, at: new Date() });
          if (recorded) await apply(recorded);
        }),
    );
  }

  /** A child ticket tells its parent when it is resolved and when it is open again. */
  function tellParent(t: Transition): void {
    const notice = followUps.parentNoticeOf(t, workflowInfo().workflowId);
    if (!notice || !t.state.parent) return;
    const parent = t.state.parent.workflowId;
    beside('ended' in notice ? reportToParent(parent, notice.ended) : reportReopenToParent(parent, notice.reopened));
  }

  /**
   * Before a command changes the clocks, the levels their running targets reached up to now are
   * recorded, each with its exact instant: a reply that comes after the first-response warning
   * and breach passed, but before the SLA loop got to them (a busy or restarted worker, Temporal
   * or Postgres away), used to stop the clock first and lose both levels. The chaos run
   * (bench/chaos.ts) found it. Histories from before the patch replay without these steps.
   */
  async function escalateBeforeCommand(): Promise<void> {
    if (!patched('escalation-before-command')) return;
    let last: Transition | undefined;
    for (;;) {
      const ctx = { actor: systemActor, at: new Date() };
      const picture = incidentSlaPicture(state, ctx.at, calendar());
      if (!picture || picture.level <= state.escalationLevel) break;
      // One level at a time from the state as it is now (another handler may have moved it).
      const step = escalationSteps(state, ctx, calendar(), picture)[0];
      if (!step) break;
      await apply(step);
      last = step;
    }
    if (last) notify(last);
  }

  /** Wires one command (commands.ts): a step refused for its data is taken all the same, its mail and its word to a parent go out too. */
  const command = workflowCommands(
    () => state,
    async (transition: Transition): Promise<Applied<IncidentState>> => {
      const refused = await applyStep(transition);
      return refused === undefined ? { result: transition.state } : { refused: refusedStep(transition, refused) };
    },
    escalateBeforeCommand,
  );

  setHandler(getStateQuery, () => state);
  command(assignUpdate, incident.validateAssign, incident.assign);
  command(addNoteUpdate, incident.validateAddNote, incident.addNote);
  // A reply without cc runs exactly as before (same event, same activity input), so no patch is needed.
  command(replyUpdate, replyCc.validateReplyWithCc, replyCc.replyWithCc, {
    after: (t, input) => {
      const cc = replyCc.namedCc(input.cc);
      mailToCustomer('reply', t.state, t.event.seq, { text: input.text, ...(cc.length > 0 ? { cc } : {}) });
    },
  });
  command(resolveUpdate, validateResolveRequest, incident.resolve, {
    after: (t) => {
      mailToCustomer('resolution', t.state, t.event.seq);
      tellParent(t);
    },
  });
  command(closeUpdate, incident.validateClose, (current, _input, ctx) => incident.close(current, ctx));
  command(customerMessageUpdate, lifecycle.validateCustomerMessage, lifecycle.customerMessage, { repeat: incidentMail.isAppliedMail, after: tellParent });
  command(setPendingUpdate, lifecycle.validateSetPending, lifecycle.setPending);
  command(resumeUpdate, lifecycle.validateResume, lifecycle.resume);
  command(changePriorityUpdate, lifecycle.validateChangePriority, lifecycle.changePriority);
  command(changeContractUpdate, lifecycle.validateChangeContract, lifecycle.changeContract);
  command(reopenUpdate, lifecycle.validateReopen, lifecycle.reopen, { after: tellParent });
  command(deliveryFailureUpdate, incidentMail.validateDeliveryFailure, incidentMail.deliveryFailure, { repeat: incidentMail.isAppliedMail });

  // Follow-up work: the child starts first, so a link on the timeline always has a workflow behind it.
  // One creation at a time (a promise chain, so two in one activation queue up too): the link's
  // number is taken before the child starts and recorded after.
  let creations: Promise<unknown> = Promise.resolve();
  async function createFollowUp(cmd: Command<CreateFollowUpCommand>): Promise<IncidentState> {
    // Checked again: another creation may have finished while this one waited.
    if (followUps.earlierLink(state, cmd)) return validated(() => followUps.repeatOf(state, cmd));
    validated(() => followUps.validateCreateFollowUp(state, cmd));
    const ctx = { actor: cmd.actor, at: new Date() };
    const link = followUps.nextFollowUpLink(state, cmd, ctx.at);
    const child =
      link.kind === 'child_ticket'
        ? await startChildTicket(link, childTicketIntake(cmd)!)
        : await startChild(followUpWorkflowType[link.kind], {
            workflowId: link.workflowId,
            args: [followUpStartArgs(state, link, cmd)],
            // A detached child lives on after the incident closes; an attached one keeps it from closing.
            parentClosePolicy: ParentClosePolicy.ABANDON,
            staticSummary: `${state.number} ${link.ref}: ${link.title}`,
          });
    if (child) watchChild(child, link);
    const created = followUps.createFollowUp(state, cmd, ctx);
    const refused = await applyStep(created);
    if (refused !== undefined) throw refusedStep(created, refused);
    return created.state;
  }
  setHandler(
    createFollowUpUpdate,
    (cmd) => {
      const created = creations.then(() => createFollowUp(cmd));
      creations = created.catch(() => undefined);
      return created;
    },
    {
      validator: (cmd: Command<CreateFollowUpCommand>) =>
        followUps.earlierLink(state, cmd)
          ? validated(() => void followUps.repeatOf(state, cmd))
          : validated(() => {
              requireWellFormedText(cmd);
              followUps.validateCreateFollowUp(state, cmd);
              if (cmd.kind === 'child_ticket') followUps.validateChildTicketIntake(state, workflowInfo().workflowId, cmd.childNumber!, childTicketIntake(cmd));
            }),
    },
  );

  /** A child ticket is an incident workflow of its own number; one the start-up sweep began alone is linked all the same. */
  async function startChildTicket(link: followUps.FollowUpLink, intake: IncidentIntake): Promise<ChildWorkflowHandle<typeof incidentWorkflow> | undefined> {
    const initial = incident.openIncident(intake).state;
    try {
      return await startChild(incidentWorkflow, {
        workflowId: link.workflowId,
        args: [{ intake }],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        typedSearchAttributes: incidentStartSearchAttributes(initial),
        staticSummary: `${intake.number}: ${intake.title} (child ticket of ${state.number})`,
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      log.warn('child ticket was running already; linking it', { workflowId: link.workflowId });
      return undefined;
    }
  }

  /**
   * A child that ends normally reports its end itself. One that fails, times out, is terminated
   * or cancelled cannot: the incident records that, so it does not wait for it forever. (Heard by
   * the run that started the child; after continue-as-new, detach a child that died.)
   */
  function watchChild(child: ChildWorkflowHandle<Workflow>, link: followUps.FollowUpLink): void {
    void child.result().catch((err: unknown) => {
      const ended = followUps.failedChild(link.workflowId, err instanceof ChildWorkflowFailure ? failureKind(err.cause) : 'failed');
      if (followUps.isEndedAlready(state, ended)) return;
      beside(apply(followUps.followUpEnded(state, ended, { actor: systemActor, at: new Date() })));
    });
  }

  command(detachFollowUpUpdate, followUps.validateDetachFollowUp, followUps.detachFollowUp);
  setHandler(followUpReopenedSignal, async (reopened) => {
    if (followUps.isReopenIgnored(state, reopened)) return;
    await apply(followUps.followUpReopened(state, reopened, { actor: systemActor, at: new Date() }));
  });
  setHandler(followUpEndedSignal, async (ended) => {
    if (followUps.isEndedAlready(state, ended)) {
      if (!state.followUps?.some((f) => f.workflowId === ended.workflowId)) log.warn('end of an unknown follow-up ignored', { workflowId: ended.workflowId });
      return;
    }
    await apply(followUps.followUpEnded(state, ended, { actor: systemActor, at: new Date() }));
  });

  setCurrentDetails(details());
  if (opened) {
    await record(opened);
    const intake = 'intake' in input ? input.intake : undefined;
    const mail = intake?.mail;
    if (mail?.acknowledge) mailToCustomer('acknowledgement', opened.state, opened.event.seq, { oversized: mail.oversized });
    // A request from the portal is acknowledged like a mail. No patch: recorded histories have no
    // `acknowledge` in their input, so they take the branch they took before.
    else if (!mail && intake?.acknowledge) mailToCustomer('acknowledgement', opened.state, opened.event.seq);
  }

  // The SLA loop: re-assess the escalation level, then sleep until the next threshold instant
  // or until a command changes the state. No polling: the timer fires at the exact instant.
  let unnotified: Transition | undefined;
  for (;;) {
    await resolveHolidays();
    const ctx = { actor: systemActor, at: new Date() };
    const picture = incidentSlaPicture(state, ctx.at, calendar());
    const steps = escalationSteps(state, ctx, calendar(), picture);
    if (steps.length > 0) {
      // Every level passed while the workflow was busy or its worker down is recorded, one step
      // per turn of the loop (a command may come in between); the notification goes out once,
      // for the level reached last. Histories from before recorded a jump as one change.
      const everyLevel = steps.length === 1 || patched('escalation-every-level');
      const step = everyLevel ? steps[0]! : reassessEscalation(state, ctx, calendar(), picture)!;
      await apply(step);
      if (steps.length === 1 || !everyLevel) {
        unnotified = undefined;
        if (patched('escalation-notifications')) notify(step);
      } else {
        unnotified = step;
      }
      continue;
    }
    // A level recorded on the way whose next step never came (a command moved the clocks
    // meanwhile) is the level reached last: it is notified now.
    if (unnotified) {
      notify(unnotified);
      unnotified = undefined;
    }
    if (state.status === 'closed' || workflowInfo().continueAsNewSuggested) break;
    // Resolved and no reply from the customer for N days: close by itself (added after the first release).
    // Open follow-up work holds the close until it ends or is detached.
    const closeAt = state.status === 'resolved' && patched('auto-close-after-resolve') && !followUps.hasOpenFollowUps(state) ? lifecycle.autoCloseAt(state) : undefined;
    if (closeAt && closeAt.getTime() <= Date.now()) {
      await apply(incident.close(state, { actor: systemActor, at: new Date() }, { automatic: true }));
      continue;
    }
    const seen = state.seq;
    const changed = () => state.seq !== seen || workflowInfo().continueAsNewSuggested;
    const threshold = picture?.nextThreshold;
    const wakeUps = [
      ...(threshold
        ? [{ at: Date.parse(threshold.at), summary: `${levelNames[threshold.level]} ${threshold.level === 1 ? `${state.sla!.escalation.warningPercent} % ` : ''}${threshold.target}, ${state.sla!.name} ${state.priority}` }]
        : []),
      ...(closeAt ? [{ at: closeAt.getTime(), summary: `auto-close ${state.autoCloseDays ?? lifecycle.defaultAutoCloseDays} days after resolution` }] : []),
    ].sort((a, b) => a.at - b.at);
    const wake = wakeUps[0];
    if (wake) {
      await condition(changed, Math.max(1, wake.at - Date.now()), { summary: wake.summary });
    } else {
      await condition(changed);
    }
  }
  // Every handler and every notification or customer mail (including one a handler starts as it
  // finishes) done, so nothing is left behind by continue-as-new or the end of the run.
  await condition(() => allHandlersFinished() && inFlight === 0);
  if (state.status !== 'closed') {
    await continueAsNew<typeof incidentWorkflow>({ continued: state });
  }
}

/** The workflow type that runs each kind of follow-up (a child ticket is an incident workflow of its own). */
const followUpWorkflowType: Record<Exclude<followUps.ChildKind, 'child_ticket'>, string> = {
  service_order: 'serviceOrderWorkflow',
  hardware_change: 'changeWorkflow',
  software_change: 'changeWorkflow',
  callback: 'callbackWorkflow',
};

/** How a child that could not report its end ended, in the words of its link. */
function failureKind(cause: unknown): followUps.ChildFailure {
  if (cause instanceof TerminatedFailure) return 'terminated';
  if (cause instanceof TimeoutFailure) return 'timed_out';
  if (cause instanceof CancelledFailure) return 'cancelled';
  return 'failed';
}

/** A child ticket's intake, as the API recorded it with its own number. */
const childTicketIntake = (cmd: CreateFollowUpCommand): IncidentIntake | undefined => (cmd.child && 'intake' in cmd.child ? cmd.child.intake : undefined);

/** The child's start input: the kind's own fields from the command, and what every follow-up knows of its incident. */
function followUpStartArgs(state: IncidentState, link: followUps.FollowUpLink, cmd: Pick<CreateFollowUpCommand, 'child'> & { actor: Actor }) {
  return {
    ...cmd.child,
    workflowId: link.workflowId,
    kind: link.kind,
    incidentNumber: state.number,
    customerNumber: state.customer?.number ?? null,
    title: link.title,
    openedBy: cmd.actor,
    parentWorkflowId: workflowInfo().workflowId,
  };
}
