import { appAllowlistVariable } from '../../config/im-apps.js';
import type { ImApp } from '../../im/app.js';
import type { ImApps } from '../../im/apps.js';
import type { AllowVerdict } from './allowlist.js';

/** What access needs of the allowlist: its verdict on a person. */
export interface AllowlistCheck {
  check(userId: string, budgetMs?: number): Promise<AllowVerdict>;
}

/**
 * Who may act on which IM app. An app with its own list (MARKREAD_<NAME>_ALLOWED_USERS) is for the people on it
 * only, whoever else the allowlist names; any other app is for the allowlist. So the production app can be kept
 * to a few people while everyone on call works on staging.
 */
export class AppAccess {
  constructor(
    private readonly allowlist: AllowlistCheck,
    private readonly apps: ImApps,
  ) {}

  /**
   * The gate's question, before anything is parsed: may this person act on at least one app? Someone on an app's
   * own list only is let through; what they ask for is then checked against that app (`onApp`).
   */
  async check(userId: string, budgetMs?: number): Promise<AllowVerdict> {
    if (this.apps.all.some((app) => app.allowedUsers?.has(userId))) return { allowed: true, via: 'user' };
    return this.allowlist.check(userId, budgetMs);
  }

  /**
   * The apps whose history this person may see: every app for someone on the allowlist; for someone on apps' own
   * lists only, those apps.
   */
  async visibleApps(userId: string): Promise<ReadonlySet<string> | 'all'> {
    if ((await this.allowlist.check(userId)).allowed) return 'all';
    return new Set(this.apps.all.filter((app) => app.allowedUsers?.has(userId)).map((app) => app.name));
  }

  /** May this person act on `app`? */
  async onApp(userId: string, app: Pick<ImApp, 'name' | 'allowedUsers'>): Promise<AllowVerdict> {
    if (!app.allowedUsers) return this.allowlist.check(userId);
    return app.allowedUsers.has(userId)
      ? { allowed: true, via: 'user' }
      : {
          allowed: false,
          reason: `IM app ${app.name} is for the people named in ${appAllowlistVariable(app.name)}, and you are not among them`,
        };
  }
}
