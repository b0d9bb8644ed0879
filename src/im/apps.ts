import { unknownApp } from '../config/im-apps.js';
import type { ImApp } from './app.js';

/** An app by its name, or why there is none: the names there are, and the nearest as "did you mean". */
export type AppLookup = { ok: true; app: ImApp } | { ok: false; problem: string };

/**
 * Every IM app markread serves, by name, and the default one (used when a request names none). Each app has a
 * client of its own (UserSig, hosts, breakers, send budget), so acting on one never touches another.
 */
export class ImApps {
  private readonly byName: ReadonlyMap<string, ImApp>;
  readonly default: ImApp;

  /**
   * @param single today's one app of the TIM_* variables (no TIM_APPS): its variables keep their single-app names.
   */
  constructor(
    readonly all: readonly ImApp[],
    defaultName: string,
    readonly single = false,
  ) {
    this.byName = new Map(all.map((app) => [app.name, app]));
    const found = this.byName.get(defaultName);
    if (!found) throw new Error(`the default IM app ${defaultName} is not among ${this.names.join(', ')}`);
    this.default = found;
  }

  /** Whether there is more than one app, so that every message must say which one it acted on. */
  get several(): boolean {
    return this.all.length > 1;
  }

  get names(): string[] {
    return this.all.map((app) => app.name);
  }

  get(name: string): ImApp | undefined {
    return this.byName.get(name);
  }

  /** The app a person named, or a problem to show them. */
  appNamed(name: string): AppLookup {
    const app = this.byName.get(name);
    return app ? { ok: true, app } : { ok: false, problem: unknownApp(name, this.names) };
  }

  /** Closes every app's client: calls waiting or in flight end at once. */
  async close(): Promise<void> {
    await Promise.all(this.all.map((app) => app.client.close()));
  }
}

/** An app as people are shown it where they decide: `staging (SDKAppID 1400000002)`, a protected one flagged. */
export function appLabel(app: Pick<ImApp, 'name' | 'sdkAppId' | 'protected'>): string {
  return `${app.name} (SDKAppID ${app.sdkAppId}${app.protected ? ', PROTECTED' : ''})`;
}

/**
 * Whether a person must be shown which app: always when there are several apps or the app is protected; never
 * for the one ordinary app (so a single-app deployment reads as it always did). Every surface asks this.
 */
export function namesApp(app: Pick<ImApp, 'protected'>, several: boolean): boolean {
  return several || app.protected === true;
}

/** " in IM app staging (SDKAppID …)" where a person should see which app (`namesApp`), else nothing. */
export function onAppText(app: Pick<ImApp, 'name' | 'sdkAppId' | 'protected'>, several: boolean): string {
  return namesApp(app, several) ? ` in IM app ${appLabel(app)}` : '';
}
