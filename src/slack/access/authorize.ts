import type {
  AnyMiddlewareArgs,
  Middleware,
  SlackActionMiddlewareArgs,
  SlackCommandMiddlewareArgs,
  SlackViewMiddlewareArgs,
} from '@slack/bolt';
import type { Logger } from '../../log/logger.js';
import { BULK_ACTIONS } from '../blocks/ids.js';
import { refusalMessage, refusalView } from '../blocks/refusal.js';
import { parseCommandText, SLASH_COMMAND } from '../command-text.js';
import type { Allowlist, AllowVerdict } from './allowlist.js';

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
};

/** One incoming request, as the gate sees it: who sent it, whether it is open to all, and how to refuse it. */
interface Gate {
  user: string | undefined;
  open: boolean;
  refuse(reason: string): Promise<void>;
}

const NO_USER: AllowVerdict = { allowed: false, reason: 'the request names no Slack user' };

/**
 * The one place who may act is decided: Bolt global middleware, so every command, form submission and button
 * press passes through it before any listener runs. A refused request is acked with the refusal (Slack's 3 s
 * deadline includes the allowlist check, which is bounded for that reason) and logged as an audit line.
 */
export function authorize(allowlist: Allowlist, logger: Logger): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    const gate = gateOf(args, logger);
    if (gate.open) return args.next();
    const verdict = gate.user === undefined ? NO_USER : await allowlist.check(gate.user);
    if (verdict.allowed) return args.next();
    await gate.refuse(verdict.reason);
  };
}

function gateOf(args: AnyMiddlewareArgs, logger: Logger): Gate {
  if ('command' in args) return commandGate(args, logger);
  if ('view' in args) return viewGate(args, logger);
  if ('action' in args) return actionGate(args, logger);
  return otherGate(args, logger);
}

function commandGate({ command, ack }: SlackCommandMiddlewareArgs, logger: Logger): Gate {
  return {
    user: command.user_id,
    open: OPEN_TO_ALL.usage(command),
    async refuse(reason) {
      await ack({ response_type: 'ephemeral', ...refusalMessage(reason) });
      logger.warn(
        {
          audit: 'refused',
          team: command.team_id,
          slackUser: command.user_id,
          channel: command.channel_id,
          reason,
          text: command.text,
        },
        'refused /markread from a caller not on the allowlist',
      );
    },
  };
}

/** A form is checked again on submission: the submitter need not be who opened it. */
function viewGate({ body, ack }: SlackViewMiddlewareArgs, logger: Logger): Gate {
  return {
    user: body.user.id,
    open: false,
    async refuse(reason) {
      if (body.type === 'view_submission') await ack({ response_action: 'update', view: refusalView(reason) });
      else await ack();
      logger.warn(
        { audit: 'refused', team: body.team?.id, slackUser: body.user.id, via: 'modal', reason },
        'refused a /markread form from a submitter not on the allowlist',
      );
    },
  };
}

function actionGate({ action, body, ack }: SlackActionMiddlewareArgs, logger: Logger): Gate {
  const actionId = 'action_id' in action ? action.action_id : undefined;
  return {
    user: body.user.id,
    open: actionId !== undefined && OPEN_TO_ALL.runButtons.has(actionId),
    async refuse(reason) {
      await ack();
      logger.warn(
        { audit: 'refused', slackUser: body.user.id, action: actionId, reason },
        'refused a button press from a caller not on the allowlist',
      );
    },
  };
}

/** Events, shortcuts and option requests: markread listens to none of them, and lets through only the allowlist. */
function otherGate(args: AnyMiddlewareArgs, logger: Logger): Gate {
  const body = args.body as { type?: string; user?: string | { id?: string }; user_id?: string };
  const event = (args as { event?: { user?: unknown } }).event;
  const user =
    typeof event?.user === 'string'
      ? event.user
      : typeof body.user === 'string'
        ? body.user
        : (body.user?.id ?? body.user_id);
  return {
    user,
    open: false,
    async refuse(reason) {
      if ('ack' in args) await (args.ack as () => Promise<void>)();
      logger.warn(
        { audit: 'refused', slackUser: user, type: body.type, reason },
        'refused a Slack request from a caller not on the allowlist',
      );
    },
  };
}
