import { forApp } from '../config/im-apps.js';
import { accountCheck } from '../im/apis/account-check.js';
import type { ImApp } from '../im/app.js';
import type { ImApps } from '../im/apps.js';
import { explainError } from '../im/error-catalogue.js';
import type { DoctorItem } from './checklist.js';

/** What a refusal of the admin's own account_check says about the configuration, by ErrorCode. */
const DIAGNOSES: Array<{ codes: number[]; what: string; fix: string }> = [
  {
    codes: [70016, 70020],
    what: 'the IM server does not know this SDKAppID: the region is wrong',
    fix: "set TIM_REGION to the region the app was created in (IM console → the app's Basic Information)",
  },
  {
    codes: [70009, 70003, 60004, 60005, 70050],
    what: 'the admin UserSig was refused: TIM_SECRET_KEY is not the key of TIM_SDKAPPID',
    fix: 'copy the secret key of this SDKAppID (IM console → Basic Configuration → Basic Information); after 70050 wait 60 s',
  },
  {
    codes: [60010, 70403],
    what: 'TIM_ADMIN_IDENTIFIER is not an App admin of this app',
    fix: 'set TIM_ADMIN_IDENTIFIER to an App admin account (IM console → Account Management → App admins)',
  },
  {
    codes: [60021],
    what: "this machine's IP is not on the app's REST API IP allowlist",
    fix: 'add this host’s egress IP to the REST API allowlist in the IM console, or remove the allowlist',
  },
  {
    codes: [60020],
    what: "the app's paid edition has expired or was never bought",
    fix: 'renew the edition in the IM console',
  },
];

/**
 * The IM half of the doctor: which host and region, whether it answers, and whether the admin UserSig is
 * accepted. One harmless account_check of the admin account proves the key, the SDKAppID, the region, the admin's
 * rights and the IP allowlist at once.
 */
export async function imChecks(app: ImApp, signal?: AbortSignal): Promise<DoctorItem[]> {
  const host = app.client.endpoint.primary.host;
  const where = `${host}${app.region ? ` (region ${app.region})` : ' (TIM_BASE_URL)'}`;
  const items: DoctorItem[] = [
    {
      name: 'configuration',
      ok: true,
      detail: `SDKAppID ${app.sdkAppId}, admin ${app.adminIdentifier}, ${app.maxRps} calls/s at most`,
    },
  ];
  const result = await accountCheck(app.client, [app.adminIdentifier], signal);
  if (result.status === 'unreachable') {
    items.push({
      name: 'IM host reachable',
      ok: false,
      detail: `no answer from ${where}: ${result.failure.detail}`,
      fix: 'check DNS and egress to that host; TIM_REGION (or TIM_BASE_URL) must be where the app lives',
    });
    items.push({ name: 'admin UserSig accepted', ok: false, detail: 'not checked: the host did not answer' });
    return items;
  }
  items.push({ name: 'IM host reachable', ok: true, detail: `${where} answered` });
  if (result.status === 'ok') {
    items.push({
      name: 'admin UserSig accepted',
      ok: true,
      detail: `account_check of ${app.adminIdentifier} succeeded: key, SDKAppID, region, admin rights and IP allowlist are right`,
    });
    return items;
  }
  const code = result.error.code;
  const known = DIAGNOSES.find((d) => d.codes.includes(code));
  const explained = explainError(code);
  items.push({
    name: 'admin UserSig accepted',
    ok: false,
    detail: `ErrorCode ${code}: ${known?.what ?? explained.meaning}`,
    fix: known?.fix ?? explained.action ?? 'see the troubleshooting table in the README',
  });
  return items;
}

/**
 * The IM checks of every app, at once. With several apps (TIM_APPS) each line names its app and the variables
 * to fix are that app's own (TIM_STAGING_REGION); one app of the TIM_* variables reads as it always has.
 */
export async function everyAppChecks(apps: ImApps, signal?: AbortSignal): Promise<DoctorItem[]> {
  const results = await Promise.all(apps.all.map((app) => imChecks(app, signal)));
  if (apps.single) return results.flat();
  return results.flatMap((items, i) => {
    const app = (apps.all[i] as ImApp).name;
    return ofApp(items, app).map((item) => ({ ...item, name: `${app}: ${item.name}` }));
  });
}

/** Checks of one app of TIM_APPS: marked with its name, the variables in details and fixes renamed to its own. */
export function ofApp(items: DoctorItem[], app: string): DoctorItem[] {
  return items.map((item) => ({
    ...item,
    app,
    detail: forApp(item.detail, app),
    ...(item.fix === undefined ? {} : { fix: forApp(item.fix, app) }),
  }));
}
