import type { AuditHistory } from '../stores/audit-history.js';
import { isHeadline } from './event.js';
import type { AuditOutlet } from './sink.js';

/**
 * Outlet 3: the history the App Home tab lists. Only headlines go in (a run is its own events, not its 2,000
 * pairs; a forged request is not someone's action), so a screenful of history is a screenful of decisions.
 */
export function historyOutlet(history: AuditHistory): AuditOutlet {
  return {
    name: 'history',
    accept(event) {
      if (isHeadline(event)) history.accept(event);
    },
    flush: (deadline) => history.flush?.(deadline) ?? Promise.resolve(),
  };
}
