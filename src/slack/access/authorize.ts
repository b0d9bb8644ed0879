import type {
  AnyMiddlewareArgs,
  Middleware,
  SlackActionMiddlewareArgs,
  SlackCommandMiddlewareArgs,
  SlackViewMiddlewareArgs,
} from '@slack/bolt';
import type { AuditDraft, AuditVia } from '../../audit/event.js';
import type { AuditSink } from '../../audit/sink.js';
import { APPROVAL_ACTIONS, BULK_ACTIONS, DENY_CALLBACK_ID } from '../blocks/ids.js';
import { refusalMessage, refusalView } from '../blocks/refusal.js';
import { parseCommandText, SLASH_COMMAND } from '../command-text.js';
import { slackActor } from '../context.js';
import { commandTarget } from '../run-audit.js';
import type { AllowVerdict } from './allowlist.js';
import type { AllowlistCheck } from './app-access.js';

/**
 * What anyone may do without being on the allowlist. Everything else, including a listener added later, is for
 * allowlisted callers only until it is named here.
 */
export const OPEN_TO_ALL = {
  /**
   * Asking how to use /markread: `help`, or text that does not parse, is answered with the usage and nothing is
   * done or looked up.
   */
  usage: (command: { command: string; text: string }): boolean => {
    if (command.command !== SLASH_COMMAND) return false;
    const { kind } = parseCommandText(command.text);
    return kind === 'help' || kind === 'invalid';
  },
  /**
   * The bulk runs' buttons. Each belongs to the requester of its run, and the run's atomic transition refuses anyone
   * else (listeners/actions/bulk-buttons.ts). Cancel and Stop only ever do less, so a requester taken off the
   * allowlist can still end their own run; Confirm checks the allowlist itself once the presser is the requester.
   */
  runButtons: new Set<string>(Object.values(BULK_ACTIONS)),
  /**
   * The approval requests' buttons and the deny form: an approver need not be on the allowlist (MARKREAD_APPROVERS),
   * so their handlers decide who may press (listeners/actions/approval-buttons.ts), before any atomic transition.
   */
  approvalButtons: new Set<string>(Object.values(APPROVAL_ACTIONS)),
  denyForm: (callbackId: string | undefined): boolean => callbackId === DENY_CALLBACK_ID,
  /**
   * Opening markread's Home tab. Its handler decides what the person sees (listeners/events/app-home.ts): the
   * history to the allowlist, to anyone else only who can act and how to ask. It changes nothing.
   */
  homeTab: (event: { type?: unknown } | undefined): boolean => event?.type === 'app_home_opened',
};

/** One incoming request, as the gate sees it: who sent it, whether it is open to all, and how to refuse it. */
interface Gate {
  user: string | undefined;
  open: boolean;
  refuse(reason: string): Promise<void>;
  /** The refusal, for the audit trail. */
  refusal(reason: string): AuditDraft;
}

const NO_USER: AllowVerdict = { allowed: false, reason: 'the request names no Slack user' };

/**
 * The one place who may act is decided: Bolt global middleware, so every command, form submission and button
 * press passes through it before any listener runs. A refused request is acked with the refusal (Slack's 3 s
 * deadline includes the allowlist check, which is bounded for that reason) and recorded in the audit trail.
 */
export function authorize(allowlist: AllowlistCheck, audit: AuditSink): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    const gate = gateOf(args);
    if (gate.open) return args.next();
    const verdict = gate.user === undefined ? NO_USER : await allowlist.check(gate.user);
    if (verdict.allowed) return args.next();
    await gate.refuse(verdict.reason);
    audit.record(gate.refusal(verdict.reason));
  };
}

function gateOf(args: AnyMiddlewareArgs): Gate {
  if ('command' in args) return commandGate(args);
  if ('view' in args) return viewGate(args);
  if ('action' in args) return actionGate(args);
  return otherGate(args);
}

/** The audit event of a refusal at the gate: who, how, and why (and what they asked for, where it parses). */
function refusalEvent(
  user: string | undefined,
  team: string | undefined,
  via: AuditVia,
  why: string,
  extra: Partial<AuditDraft> = {},
): AuditDraft {
  return {
    kind: 'refused',
    actor: slackActor(user ?? 'unknown', team),
    via,
    outcome: { status: 'not-allowed', detail: why },
    ...extra,
  };
}

function commandGate({ command, ack }: SlackCommandMiddlewareArgs): Gate {
  return {
    user: command.user_id,
    open: OPEN_TO_ALL.usage(command),
    async refuse(reason) {
      await ack({ response_type: 'ephemeral', ...refusalMessage(reason) });
    },
    refusal: (reason) =>
      refusalEvent(command.user_id, command.team_id, 'command', reason, {
        ...targetOf(command.text),
        thread: { channel: command.channel_id },
      }),
  };
}

/** What a refused command asked for, where it parses (the raw text is not recorded: it is anyone's input). */
function targetOf(text: string): Partial<AuditDraft> {
  const target = commandTarget(parseCommandText(text));
  return target ? { target } : {};
}

/** A form is checked again on submission: the submitter need not be who opened it. */
function viewGate({ body, ack }: SlackViewMiddlewareArgs): Gate {
  return {
    user: body.user.id,
    open: OPEN_TO_ALL.denyForm(body.view?.callback_id),
    async refuse(reason) {
      if (body.type === 'view_submission') await ack({ response_action: 'update', view: refusalView(reason) });
      else await ack();
    },
    refusal: (reason) => refusalEvent(body.user.id, body.team?.id, 'modal', reason),
  };
}

function actionGate({ action, body, ack }: SlackActionMiddlewareArgs): Gate {
  const actionId = 'action_id' in action ? action.action_id : undefined;
  return {
    user: body.user.id,
    open: actionId !== undefined && (OPEN_TO_ALL.runButtons.has(actionId) || OPEN_TO_ALL.approvalButtons.has(actionId)),
    async refuse() {
      await ack();
    },
    refusal: (reason) => refusalEvent(body.user.id, body.team?.id, 'button', `${reason} (${actionId ?? 'a button'})`),
  };
}

/** Events, shortcuts and option requests: only the Home tab's opening is open to all; the rest, to the allowlist. */
function otherGate(args: AnyMiddlewareArgs): Gate {
  const body = args.body as { type?: string; user?: string | { id?: string }; user_id?: string };
  const event = (args as { event?: { type?: unknown; user?: unknown } }).event;
  const user =
    typeof event?.user === 'string'
      ? event.user
      : typeof body.user === 'string'
        ? body.user
        : (body.user?.id ?? body.user_id);
  return {
    user,
    open: OPEN_TO_ALL.homeTab(event),
    async refuse() {
      if ('ack' in args) await (args.ack as () => Promise<void>)();
    },
    refusal: (reason) => refusalEvent(user, undefined, 'system', `${reason} (${body.type ?? 'a Slack request'})`),
  };
}
