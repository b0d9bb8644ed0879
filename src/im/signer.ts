import type { Secret } from '../config/secret.js';
import { randomU32 } from './random-u32.js';
import { UserSigCache } from './usersig.js';

export interface SignerSettings {
  sdkAppId: number;
  secretKey: Secret;
  adminIdentifier: string;
  userSigTtlSeconds: number;
}

/** One attempt's request as signed: `random` is fresh per attempt, which is how Tencent support finds it. */
export interface SignedRequest {
  url: URL;
  random: number;
  userSig: string;
}

/** Signs requests as the app's admin: the cached UserSig and a fresh `random` in each request's query. */
export class RequestSigner {
  private readonly sigs: UserSigCache;

  constructor(
    private readonly settings: SignerSettings,
    options: { now?: () => number; onNewUserSig?: (userSig: string) => void } = {},
  ) {
    this.sigs = new UserSigCache({
      sdkAppId: settings.sdkAppId,
      secretKey: settings.secretKey,
      identifier: settings.adminIdentifier,
      ttlSeconds: settings.userSigTtlSeconds,
      now: options.now,
      onNewUserSig: options.onNewUserSig,
    });
  }

  sign(base: URL, command: string): SignedRequest {
    const random = randomU32();
    const userSig = this.sigs.get();
    return { url: this.url(base, command, userSig, random), random, userSig };
  }

  /** The server refused this request's UserSig: the next request is signed with a new one. */
  refused(request: SignedRequest): void {
    this.sigs.invalidate(request.userSig);
  }

  url(base: URL, command: string, userSig: string, random: number): URL {
    const url = new URL(command, base);
    url.search = new URLSearchParams({
      sdkappid: String(this.settings.sdkAppId),
      identifier: this.settings.adminIdentifier,
      usersig: userSig,
      random: String(random),
      contenttype: 'json',
    }).toString();
    return url;
  }
}
