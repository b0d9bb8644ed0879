import type { AuditTarget } from '../audit/event.js';
import { recordIn } from '../audit/scope.js';
import type { AuditSink } from '../audit/sink.js';
import type { ImApp } from '../im/app.js';
import type { ImApps } from '../im/apps.js';
import type { AppAccess } from './access/app-access.js';
import { type SlackRequestContext, scopeOf } from './context.js';
import type { SlackFlowBase, SlackFlowDeps } from './flows/single.js';

/** The IM app a request acts on, or why it may not act at all (nothing is called either way until it is known). */
export type AppChoice =
  | { ok: true; app: ImApp }
  | { ok: false; problem: string; status: 'unknown-app' | 'not-allowed' };

/**
 * The app a request names (`--app`, the form's selector), or the default app when it names none; refused when no
 * app has that name (the message lists them, with "did you mean") or the requester may not act on it.
 */
export async function chooseApp(
  apps: ImApps,
  access: Pick<AppAccess, 'onApp'>,
  requester: string,
  name: string | undefined,
): Promise<AppChoice> {
  const found = name === undefined ? { ok: true as const, app: apps.default } : apps.appNamed(name);
  if (!found.ok) return { ok: false, problem: found.problem, status: 'unknown-app' };
  const verdict = await access.onApp(requester, found.app);
  return verdict.allowed ? found : { ok: false, problem: verdict.reason, status: 'not-allowed' };
}

/** A request refused over its app, on record with what it asked for. */
export function recordAppRefusal(
  sink: AuditSink,
  ctx: SlackRequestContext,
  refusal: Extract<AppChoice, { ok: false }>,
  target?: AuditTarget,
): void {
  recordIn(scopeOf(sink, ctx), {
    kind: 'refused',
    ...(target ? { target } : {}),
    outcome: { status: refusal.status, detail: refusal.problem },
  });
}

/**
 * The flow deps for work on the app its context names, chosen as it was acked. Undefined when that app is no
 * longer configured (markread restarted with other apps): the work must not fall back to another app.
 */
export function flowOn(flow: SlackFlowBase, ctx: Pick<SlackRequestContext, 'app'>): SlackFlowDeps | undefined {
  const app = runApp(flow.apps, { origin: ctx });
  return app && { ...flow, app };
}

/** The app a stored run acts on; undefined when markread no longer serves it. */
export function runApp(apps: ImApps, run: { origin: Pick<SlackRequestContext, 'app'> }): ImApp | undefined {
  return run.origin.app === undefined ? apps.default : apps.get(run.origin.app);
}

/** Said when work names an app markread no longer serves. */
export function goneApp(name: string | undefined, apps: ImApps): string {
  return `:x: *Nothing was sent*: this was for IM app ${name ?? 'default'}, which markread no longer serves (its apps are now ${apps.names.join(', ')}). Ask for it again, naming the app.`;
}
