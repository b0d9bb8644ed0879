import type { App } from '@slack/bolt';
import { authorize } from '../access/authorize.js';
import type { ListenerDeps } from '../deps.js';
import * as actions from './actions/index.js';
import * as commands from './commands/index.js';
import * as events from './events/index.js';
import * as views from './views/index.js';

/**
 * Every listener, behind the access gate: it is global middleware, registered first, so no command, form,
 * button or event reaches its handler before the gate has decided who may act.
 */
export function registerListeners(app: App, deps: ListenerDeps): void {
  app.use(authorize(deps.access, deps.flow.audit));
  commands.register(app, deps);
  views.register(app, deps);
  actions.register(app, deps);
  events.register(app, deps);
}
