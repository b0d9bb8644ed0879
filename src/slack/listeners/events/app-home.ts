import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { allowedHome, type HomeView, strangerHome } from '../../blocks/home.js';
import { section } from '../../blocks/message.js';
import type { ListenerDeps } from '../../deps.js';

/** What the Home handler uses of Bolt's arguments; tests build just these. */
export type HomeArgs = Pick<SlackEventMiddlewareArgs<'app_home_opened'> & AllMiddlewareArgs, 'event' | 'client'>;

/** Events read to find the viewer's own among the team's: a Home tab shows 20, the rest is look-back for theirs. */
const HISTORY_READ = 200;

/**
 * Someone opened markread's Home tab (Bolt has acked the event already). The access gate lets every opening
 * through (access/authorize.ts, OPEN_TO_ALL.homeTab): this handler decides what the person sees, the history or
 * who can act, and publishes it as their Home tab.
 */
export function appHomeOpened(deps: ListenerDeps): (args: HomeArgs) => Promise<void> {
  return async ({ event, client }) => {
    if (event.tab === 'messages') return;
    const log = deps.logger.child({ slackUser: event.user });
    const view = await homeFor(deps, event.user);
    try {
      await client.views.publish({ user_id: event.user, view });
    } catch (error) {
      log.warn({ err: error }, 'could not publish the App Home tab; publishing a plain one');
      // A tab that never goes blank: if Slack refuses these blocks, say so in one it cannot refuse.
      const plain: HomeView = {
        type: 'home',
        blocks: [section(':warning: markread could not show its history here; its audit log lines have it.')],
      };
      await client.views.publish({ user_id: event.user, view: plain }).catch(() => {});
    }
  };
}

async function homeFor(deps: ListenerDeps, user: string): Promise<HomeView> {
  const verdict = await deps.access.check(user);
  if (!verdict.allowed) return strangerHome(user, deps.allowlist.entries());
  const events = await deps.history.recent(HISTORY_READ).catch((error: unknown) => {
    deps.logger.warn({ err: error }, 'could not read the audit history for the App Home tab');
    return undefined;
  });
  // Someone on one app's own list sees that app's history, not every app's users, peers and reasons.
  const visible = await deps.access.visibleApps(user);
  const shown = visible === 'all' ? events : events?.filter((e) => e.app !== undefined && visible.has(e.app.name));
  return allowedHome(user, { events: shown, keeps: deps.history.keeps });
}
