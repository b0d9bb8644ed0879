import { createHmac, timingSafeEqual } from 'node:crypto';
import { inflateSync } from 'node:zlib';

export type UserSigVerdict =
  | { ok: true; time: number; expire: number }
  | { ok: false; errorCode: number; reason: string };

/**
 * Verifies a UserSig the way Tencent documents it, written from the algorithm (not from tls-sig-api-v2), so a
 * test fails if the client's signing is wrong:
 * usersig = base64(deflate(JSON doc)) with + → *, / → -, = → _ ;
 * doc["TLS.sig"] = base64(HMAC-SHA256(key, "TLS.identifier:…\nTLS.sdkappid:…\nTLS.time:…\nTLS.expire:…\n")).
 */
export function verifyUserSig(
  userSig: string,
  expected: { sdkAppId: number; identifier: string; secretKey: string; nowMs: number },
): UserSigVerdict {
  if (!userSig) return { ok: false, errorCode: 70002, reason: 'UserSig is empty' };
  let doc: Record<string, unknown>;
  try {
    const base64 = userSig.replace(/\*/g, '+').replace(/-/g, '/').replace(/_/g, '=');
    doc = JSON.parse(inflateSync(Buffer.from(base64, 'base64')).toString('utf8')) as Record<string, unknown>;
  } catch {
    return { ok: false, errorCode: 70003, reason: 'UserSig does not decode' };
  }
  if (doc['TLS.ver'] !== '2.0') return { ok: false, errorCode: 70003, reason: 'TLS.ver is not 2.0' };
  const identifier = doc['TLS.identifier'];
  const sdkAppId = doc['TLS.sdkappid'];
  const time = doc['TLS.time'];
  const expire = doc['TLS.expire'];
  const sig = doc['TLS.sig'];
  if (
    typeof identifier !== 'string' ||
    typeof sdkAppId !== 'number' ||
    typeof time !== 'number' ||
    typeof expire !== 'number' ||
    typeof sig !== 'string'
  ) {
    return { ok: false, errorCode: 70003, reason: 'UserSig fields missing or of the wrong type' };
  }
  if (identifier !== expected.identifier)
    return { ok: false, errorCode: 70013, reason: 'identifier differs from the UserSig' };
  if (sdkAppId !== expected.sdkAppId)
    return { ok: false, errorCode: 70014, reason: 'SDKAppID differs from the UserSig' };
  const content = `TLS.identifier:${identifier}\nTLS.sdkappid:${sdkAppId}\nTLS.time:${time}\nTLS.expire:${expire}\n`;
  const want = createHmac('sha256', expected.secretKey).update(content).digest();
  const got = Buffer.from(sig, 'base64');
  if (got.length !== want.length || !timingSafeEqual(got, want))
    return { ok: false, errorCode: 70009, reason: 'HMAC does not match the secret key' };
  if ((time + expire) * 1000 < expected.nowMs) return { ok: false, errorCode: 70001, reason: 'UserSig expired' };
  return { ok: true, time, expire };
}
