import { redisUrlSecrets } from '../config/redis-config.js';

/**
 * Secrets must never leave the process. Known values (the IM secret key, Slack tokens and signing secret, every
 * UserSig minted) are replaced wherever they appear, and so is anything shaped like a secret even if nobody
 * registered it: a `usersig=` query value, a Slack token, a UserSig (zlib-deflated JSON in Tencent's base64
 * variant always starts `eJ`). Every path out — log lines, Slack messages and acks, response_url bodies, CLI
 * stdout and stderr, error messages — passes through one Redactor (see src/safety/boundary.ts).
 */
const SHAPES: Array<[RegExp, string]> = [
  [/(usersig=)[^&\s"'\\<>]+/gi, '$1[redacted]'],
  [/(usersig%3D)[^&\s"'\\<>%]+/gi, '$1[redacted]'],
  [/\bxox[abposre]-[A-Za-z0-9-]+/g, '[redacted-slack-token]'],
  [/\bxapp-[A-Za-z0-9-]+/g, '[redacted-slack-token]'],
  [/\beJ[0-9A-Za-z*_\-+/]{60,}={0,2}/g, '[redacted-usersig]'],
];

/** Removes anything shaped like a secret; needs no knowledge of the actual secrets. */
export function scrubSecretShapes(text: string): string {
  let out = text;
  for (const [pattern, replacement] of SHAPES) out = out.replace(pattern, replacement);
  return out;
}

/** True if `value` is, or is shaped like, a credential: never echo such a value back. */
export function looksSecret(value: string): boolean {
  return scrubSecretShapes(value) !== value || /^[A-Za-z0-9+/=_*-]{24,}$/.test(value);
}

export class Redactor {
  private readonly known = new Set<string>();
  /** The newest few UserSigs only: they rotate, and old ones have expired anyway. */
  private readonly recentSigs: string[] = [];

  addSecret(value: string): void {
    // Very short values would redact ordinary words; config requires real keys anyway.
    if (value.length >= 6) this.known.add(value);
  }

  addUserSig(userSig: string): void {
    this.recentSigs.push(userSig);
    if (this.recentSigs.length > 8) this.recentSigs.shift();
  }

  scrub(text: string): string {
    let out = text;
    for (const value of this.known) if (out.includes(value)) out = out.split(value).join('[redacted]');
    for (const sig of this.recentSigs) if (out.includes(sig)) out = out.split(sig).join('[redacted]');
    return scrubSecretShapes(out);
  }

  /** Every string inside a JSON-like value scrubbed; other values kept. */
  scrubDeep<T>(value: T): T {
    if (typeof value === 'string') return this.scrub(value) as T;
    if (Array.isArray(value)) return value.map((v) => this.scrubDeep(v)) as T;
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = this.scrubDeep(v);
      return out as T;
    }
    return value;
  }
}

/** Secrets the environment holds, known to the redactor before anything is parsed or printed. */
const SECRET_VARIABLES = new Set(['TIM_SECRET_KEY', 'SLACK_BOT_TOKEN', 'SLACK_APP_TOKEN', 'SLACK_SIGNING_SECRET']);
/** Each IM app's own key under TIM_APPS (TIM_PROD_SECRET_KEY…), whichever apps are named. */
const APP_SECRET_KEY = /^TIM_[A-Z0-9_]+_SECRET_KEY$/;

export function addEnvSecrets(redactor: Redactor, env: NodeJS.ProcessEnv): Redactor {
  for (const [name, raw] of Object.entries(env)) {
    const value = raw?.trim();
    if (value && (SECRET_VARIABLES.has(name) || APP_SECRET_KEY.test(name))) redactor.addSecret(value);
  }
  for (const secret of redisUrlSecrets(env.REDIS_URL)) redactor.addSecret(secret);
  return redactor;
}
