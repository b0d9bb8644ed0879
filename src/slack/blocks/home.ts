import type { types } from '@slack/bolt';
import type { AuditEvent } from '../../audit/event.js';
import { historyLine } from './history-line.js';
import { HOME_ACTIONS } from './ids.js';
import { contextBlock, section } from './message.js';
import { escapeMrkdwn, mention } from './mrkdwn.js';

type KnownBlock = types.KnownBlock;
export type HomeView = types.HomeView;

/** How many of the viewer's own, and of everyone's, recent actions the tab lists (Slack allows 100 blocks). */
export const HOME_LIMITS = { own: 10, team: 20 } as const;

const header = (text: string): KnownBlock => ({ type: 'header', text: { type: 'plain_text', text } });

/** What an allowed person's tab shows: the history as read, or why it could not be. */
export interface HomeHistory {
  /** Newest first; undefined when the history could not be read. */
  events: AuditEvent[] | undefined;
  /** Where it lives and what it forgets (AuditHistory.keeps). */
  keeps: string;
}

/**
 * The Home tab of someone on the allowlist: the button that opens the form, their own recent actions, the team's,
 * and what the history keeps (in memory: lost on restart).
 */
export function allowedHome(viewer: string, history: HomeHistory): HomeView {
  const blocks: KnownBlock[] = [
    header('markread'),
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: 'Mark a Tencent Cloud Chat conversation read, with the unread count before → after as proof. The form asks which channel gets the thread.',
      },
      accessory: {
        type: 'button',
        action_id: HOME_ACTIONS.openForm,
        style: 'primary',
        text: { type: 'plain_text', text: 'Open the markread form' },
      },
    },
  ];
  if (history.events === undefined) {
    blocks.push(
      section(':warning: The history cannot be read right now; every action is still in markread’s audit log lines.'),
    );
  } else {
    const own = history.events.filter((e) => e.actor.kind === 'slack' && e.actor.user === viewer);
    blocks.push({ type: 'divider' }, header('Your recent actions'));
    blocks.push(...lines(own.slice(0, HOME_LIMITS.own), 'You have no recent actions.'));
    blocks.push({ type: 'divider' }, header('The team’s recent actions'));
    blocks.push(...lines(history.events.slice(0, HOME_LIMITS.team), 'No actions yet.'));
  }
  blocks.push(contextBlock(`${history.keeps} The audit log lines keep every action.`));
  return { type: 'home', blocks };
}

function lines(events: AuditEvent[], none: string): KnownBlock[] {
  return events.length === 0 ? [contextBlock(none)] : events.map((e) => section(historyLine(e)));
}

/**
 * The Home tab of anyone else: no history (it names accounts and reasons), but who can act and how to ask.
 * Mentions in a view notify nobody, so the allowlist can be shown as names.
 */
export function strangerHome(viewer: string, allowed: { users: string[]; groups: string[] }): HomeView {
  const who = [
    ...allowed.users.map(mention),
    ...allowed.groups.map((g) => `members of <!subteam^${g.replace(/[^A-Z0-9]/gi, '')}>`),
  ];
  return {
    type: 'home',
    blocks: [
      header('markread'),
      section(
        'markread marks Tencent Cloud Chat conversations read for on-call responders. You are not on its allowlist, so you cannot use it here.',
      ),
      section(`*Who can act:* ${who.length > 0 ? who.join(', ') : 'nobody is configured'}.`),
      section(
        `*How to ask:* ask one of them to run \`/markread &lt;user&gt; &lt;peer&gt;\` for you, or ask whoever runs markread to add your member ID (\`${escapeMrkdwn(viewer)}\`) to MARKREAD_ALLOWED_USERS, or your user group to MARKREAD_ALLOWED_USERGROUPS.`,
      ),
    ],
  };
}
