import { Api } from 'tls-sig-api-v2';
import type { Secret } from '../config/secret.js';

export interface UserSigCacheOptions {
  sdkAppId: number;
  secretKey: Secret;
  identifier: string;
  ttlSeconds: number;
  /** Wall clock in ms; tests move it. */
  now?: () => number;
  /** Told about each new UserSig, so log redaction knows it. */
  onNewUserSig?: (userSig: string) => void;
}

/**
 * Tencent lets one admin UserSig serve every REST call while it is valid, and generating one costs an HMAC and a
 * deflate: keep one and renew it well before it expires (a tenth of its life early, at least 100 s, like
 * Tencent's Java SDK after users hit expiry at the boundary).
 */
export class UserSigCache {
  private readonly api: Api;
  private readonly now: () => number;
  private current: { userSig: string; renewAt: number } | undefined;
  private readonly renewMarginMs: number;

  constructor(private readonly options: UserSigCacheOptions) {
    this.api = new Api(options.sdkAppId, options.secretKey.reveal());
    this.now = options.now ?? Date.now;
    this.renewMarginMs = Math.min(Math.max(100, options.ttlSeconds * 0.1), options.ttlSeconds / 2) * 1000;
  }

  get(): string {
    const now = this.now();
    if (!this.current || now >= this.current.renewAt) {
      const userSig = this.api.genUserSig(this.options.identifier, this.options.ttlSeconds);
      this.current = { userSig, renewAt: now + this.options.ttlSeconds * 1000 - this.renewMarginMs };
      this.options.onNewUserSig?.(userSig);
    }
    return this.current.userSig;
  }

  /** The server refused `userSig`: the next get() makes a new one (unless another caller already did). */
  invalidate(userSig: string): void {
    if (this.current?.userSig === userSig) this.current = undefined;
  }
}
