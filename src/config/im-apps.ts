import { z } from 'zod';
import { DEFAULT_APP } from '../im/app.js';
import { looksSecret } from '../log/redactor.js';
import { closest } from '../text/closest.js';
import { quote } from '../text/visible.js';
import { ConfigError, collectProblems, describeEnvIssues, withoutEmpty } from './config-error.js';
import { type ImConfig, type LogLevel, loadImConfig } from './im-config.js';
import { userIdList } from './slack-ids.js';

/** One IM app markread serves, as configured. */
export interface ImAppConfig {
  name: string;
  config: ImConfig;
  /** TIM_<NAME>_PROTECTED=true: acting on it needs more than the allowlist (enforced by a later change). */
  protected: boolean;
  /** MARKREAD_<NAME>_ALLOWED_USERS: who may act on it; undefined means the global allowlist (enforced later). */
  allowedUsers?: ReadonlySet<string>;
}

export interface LoadedImApps {
  apps: ImAppConfig[];
  /** The app used when none is named: the first of TIM_APPS unless TIM_DEFAULT_APP names another. */
  defaultApp: string;
  /** True when today's TIM_* variables define the one app (no TIM_APPS): its variables keep their names. */
  single: boolean;
  /** LOG_LEVEL, which is global like the other shared settings. */
  logLevel: LogLevel;
  /** Things that work but are probably not what was meant; log them at start-up. */
  warnings: string[];
}

/** The settings each app of TIM_APPS has of its own, as TIM_<NAME>_<SETTING>; the rest stay global. */
const APP_SETTINGS = ['SDKAPPID', 'SECRET_KEY', 'ADMIN_IDENTIFIER', 'REGION', 'BASE_URL', 'MAX_RPS'] as const;
const SHARED = ['TIM_TIMEOUT_MS', 'TIM_DEADLINE_MS', 'TIM_USERSIG_TTL_SECONDS', 'LOG_LEVEL'] as const;
const APP_NAME = /^[a-z0-9][a-z0-9-]{0,31}$/;
const APP_VARIABLE = /^TIM_([A-Z0-9_]+)_(SDKAPPID|SECRET_KEY|ADMIN_IDENTIFIER|REGION|BASE_URL|MAX_RPS|PROTECTED)$/;
const APP_ALLOWLIST = /^MARKREAD_([A-Z0-9_]+)_ALLOWED_USERS$/;

/** How an app's name appears in its variables: `staging-eu` → `STAGING_EU`. */
const envName = (app: string) => app.toUpperCase().replaceAll('-', '_');

/** The variable holding one setting of an app of TIM_APPS: `appVariable('staging', 'SECRET_KEY')`. */
export function appVariable(app: string, setting: (typeof APP_SETTINGS)[number] | 'PROTECTED'): string {
  return `TIM_${envName(app)}_${setting}`;
}

/** The variable naming who may act on one app: `MARKREAD_STAGING_ALLOWED_USERS`. */
export function appAllowlistVariable(app: string): string {
  return `MARKREAD_${envName(app)}_ALLOWED_USERS`;
}

/** `text` with each single-app variable (TIM_SECRET_KEY…) renamed to the app's own (TIM_STAGING_SECRET_KEY…). */
export function forApp(text: string, app: string): string {
  return text.replace(
    new RegExp(`\\bTIM_(${APP_SETTINGS.join('|')})\\b`, 'g'),
    (_, setting: (typeof APP_SETTINGS)[number]) => appVariable(app, setting),
  );
}

/**
 * Reads every IM app from an environment: the apps of TIM_APPS, each from its TIM_<NAME>_* variables, or without
 * TIM_APPS the one app of today's TIM_* variables, unchanged. Throws ConfigError listing every problem at once,
 * each naming its variable and never a value that is or looks like a key.
 */
export function loadImApps(env: NodeJS.ProcessEnv = process.env): LoadedImApps {
  const raw = withoutEmpty(env);
  return raw.TIM_APPS === undefined ? singleApp(raw) : severalApps(raw, raw.TIM_APPS);
}

function singleApp(raw: Record<string, string>): LoadedImApps {
  const problems: string[] = [];
  if (raw.TIM_DEFAULT_APP !== undefined)
    problems.push('TIM_DEFAULT_APP: picks one of the apps of TIM_APPS, which is not set: unset it, or set TIM_APPS');
  const loaded = collectProblems(problems, () => loadImConfig(raw));
  if (!loaded || problems.length > 0) throw new ConfigError(problems);
  return {
    apps: [{ name: DEFAULT_APP, config: loaded.config, protected: false }],
    defaultApp: DEFAULT_APP,
    single: true,
    logLevel: loaded.config.logLevel,
    warnings: [...loaded.warnings, ...strayVariables(raw, undefined)],
  };
}

function severalApps(raw: Record<string, string>, list: string): LoadedImApps {
  const problems: string[] = [];
  const names = appNames(list, problems);
  const firstName = names[0] ?? 'prod';
  for (const setting of APP_SETTINGS) {
    const single = `TIM_${setting}`;
    if (raw[single] !== undefined)
      problems.push(
        `${single}: TIM_APPS is set, so the single-app ${single} is not used: keep TIM_APPS and move it to ${appVariable(firstName, setting)} (or unset TIM_APPS to keep one app on the TIM_* variables)`,
      );
  }
  const defaultApp = raw.TIM_DEFAULT_APP ?? firstName;
  if (raw.TIM_DEFAULT_APP !== undefined && !names.includes(defaultApp))
    problems.push(`TIM_DEFAULT_APP: ${unknownApp(defaultApp, names)}`);
  const warnings: string[] = [];
  const apps = names.flatMap((name) => {
    const app = loadApp(raw, name, problems, warnings);
    return app ? [app] : [];
  });
  sameSdkAppIds(apps, problems);
  const [first] = apps;
  if (!first || problems.length > 0) throw new ConfigError(unique(problems));
  const logLevel = first.config.logLevel;
  return { apps, defaultApp, single: false, logLevel, warnings: unique([...warnings, ...strayVariables(raw, names)]) };
}

/** The names of TIM_APPS, each checked; problems with them are added to `problems`. */
function appNames(list: string, problems: string[]): string[] {
  const names: string[] = [];
  for (const name of list.split(/[\s,]+/).filter(Boolean)) {
    if (!APP_NAME.test(name))
      problems.push(
        `TIM_APPS: ${describeValue(name)} is not an app name: use up to 32 lower-case letters, digits and - (e.g. prod,staging)`,
      );
    else if (names.includes(name)) problems.push(`TIM_APPS: ${name} is named twice`);
    else names.push(name);
  }
  if (names.length === 0 && problems.length === 0)
    problems.push('TIM_APPS: names no app: list them, e.g. TIM_APPS=prod,staging');
  return names;
}

/** One app of TIM_APPS through the one IM schema, its variables renamed to TIM_<NAME>_* in every problem. */
function loadApp(
  raw: Record<string, string>,
  name: string,
  problems: string[],
  warnings: string[],
): ImAppConfig | undefined {
  const appEnv: Record<string, string> = {};
  for (const variable of SHARED) if (raw[variable] !== undefined) appEnv[variable] = raw[variable];
  for (const setting of APP_SETTINGS) {
    const value = raw[appVariable(name, setting)];
    if (value !== undefined) appEnv[`TIM_${setting}`] = value;
  }
  const own: string[] = [];
  const loaded = collectProblems(own, () => loadImConfig(appEnv));
  problems.push(...own.map((p) => forApp(p, name)));
  const isProtected = protectedFlag(raw, name, problems);
  const allowedUsers = appAllowlist(raw, name, problems);
  if (!loaded) return undefined;
  warnings.push(...loaded.warnings.map((w) => forApp(w, name)));
  return { name, config: loaded.config, protected: isProtected, ...(allowedUsers ? { allowedUsers } : {}) };
}

function protectedFlag(raw: Record<string, string>, name: string, problems: string[]): boolean {
  const variable = appVariable(name, 'PROTECTED');
  const value = raw[variable]?.toLowerCase();
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  problems.push(`${variable}: expected true or false`);
  return false;
}

function appAllowlist(raw: Record<string, string>, name: string, problems: string[]): Set<string> | undefined {
  const variable = appAllowlistVariable(name);
  if (raw[variable] === undefined) return undefined;
  const parsed = z.object({ [variable]: userIdList() }).safeParse({ [variable]: raw[variable] });
  if (!parsed.success) {
    problems.push(...describeEnvIssues(parsed.error));
    return undefined;
  }
  return new Set(parsed.data[variable]);
}

/** Two names for one SDKAppID would share its budget and blur which app was acted on: refused. */
function sameSdkAppIds(apps: ImAppConfig[], problems: string[]): void {
  const seen = new Map<number, string>();
  for (const app of apps) {
    const earlier = seen.get(app.config.sdkAppId);
    if (earlier === undefined) seen.set(app.config.sdkAppId, app.name);
    else
      problems.push(
        `${appVariable(app.name, 'SDKAPPID')}: ${app.config.sdkAppId} is also ${appVariable(earlier, 'SDKAPPID')}: each app of TIM_APPS must be a different IM app`,
      );
  }
}

/** Per-app variables that no app reads (a typo in the name, or TIM_APPS unset): said, never silently ignored. */
function strayVariables(raw: Record<string, string>, names: string[] | undefined): string[] {
  const known = new Set((names ?? []).map(envName));
  const warnings: string[] = [];
  for (const variable of Object.keys(raw).sort()) {
    const match = APP_VARIABLE.exec(variable) ?? APP_ALLOWLIST.exec(variable);
    const segment = match?.[1];
    if (segment === undefined || known.has(segment)) continue;
    const app = segment.toLowerCase().replaceAll('_', '-');
    warnings.push(
      names === undefined
        ? `${variable} is set but TIM_APPS is not, so it is not used: list the apps in TIM_APPS (e.g. TIM_APPS=${app})`
        : `${variable} is not used: ${unknownApp(app, names)}`,
    );
  }
  return warnings;
}

/** `no IM app named "stagin" (the apps are prod, staging); did you mean staging?` */
export function unknownApp(name: string, names: readonly string[]): string {
  const guess = closest(name, names);
  return `no IM app named ${describeValue(name)} (the apps are ${names.join(', ') || 'none'})${guess ? `; did you mean ${guess}?` : ''}`;
}

function describeValue(value: string): string {
  return looksSecret(value) ? '(a value that looks like a key, not shown)' : quote(value, 32);
}

/** The configuration of the default app (the one a request that names none acts on). */
export function defaultAppConfig(loaded: LoadedImApps): ImAppConfig {
  const found = loaded.apps.find((app) => app.name === loaded.defaultApp);
  if (!found) throw new Error(`the default IM app ${loaded.defaultApp} was not loaded`);
  return found;
}

const unique = (lines: string[]) => [...new Set(lines)];
