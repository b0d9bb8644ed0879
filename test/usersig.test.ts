import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Secret } from '../src/config/secret.js';
import { UserSigCache } from '../src/im/usersig.js';
import { verifyUserSig } from '../stand-ins/usersig-check.js';
import { SDK_APP_ID, SECRET_KEY } from './support/im-fixture.js';

/** The cache markread keeps of its admin UserSig, valid for an hour. */
const cacheOf = (onNewUserSig?: (sig: string) => void) =>
  new UserSigCache({
    sdkAppId: SDK_APP_ID,
    secretKey: new Secret(SECRET_KEY),
    identifier: 'administrator',
    ttlSeconds: 3_600,
    onNewUserSig,
  });

describe('admin UserSig', () => {
  it('is valid by the documented algorithm, cached, and renewed well before it expires (controllable clock)', (t) => {
    const start = Date.UTC(2026, 10, 26, 3, 0, 0);
    t.mock.timers.enable({ apis: ['Date'], now: start });
    const made: string[] = [];
    const cache = cacheOf((s) => made.push(s));
    const expected = { sdkAppId: SDK_APP_ID, identifier: 'administrator', secretKey: SECRET_KEY };
    const first = cache.get();
    const verdict = verifyUserSig(first, { ...expected, nowMs: Date.now() });
    assert.deepEqual(verdict, { ok: true, time: start / 1000, expire: 3_600 });

    t.mock.timers.tick(3_000_000); // 50 minutes: still cached
    assert.equal(cache.get(), first);
    assert.equal(made.length, 1);

    t.mock.timers.tick(240_000); // 54 minutes: inside the last tenth of its life, so renewed before it expires
    const second = cache.get();
    assert.notEqual(second, first);
    assert.equal(made.length, 2);
    assert.equal(
      (verifyUserSig(second, { ...expected, nowMs: Date.now() }) as { time: number }).time,
      start / 1000 + 3_240,
    );

    t.mock.timers.tick(3_600_000 - 240_000 + 1_000); // past the first one's expiry
    assert.equal(verifyUserSig(first, { ...expected, nowMs: Date.now() }).ok, false);
  });

  it('invalidate drops only the sig that was refused', () => {
    const cache = cacheOf();
    const sig = cache.get();
    cache.invalidate('some older sig');
    assert.equal(cache.get(), sig);
  });

  it('the stand-in check rejects tampered and foreign sigs', () => {
    const cache = cacheOf();
    const sig = cache.get();
    const base = { sdkAppId: SDK_APP_ID, identifier: 'administrator', secretKey: SECRET_KEY, nowMs: Date.now() };
    assert.equal((verifyUserSig(sig, { ...base, secretKey: 'other' }) as { errorCode: number }).errorCode, 70009);
    assert.equal((verifyUserSig(sig, { ...base, identifier: 'bob' }) as { errorCode: number }).errorCode, 70013);
    assert.equal((verifyUserSig('garbage', base) as { errorCode: number }).errorCode, 70003);
    assert.equal((verifyUserSig('', base) as { errorCode: number }).errorCode, 70002);
  });
});
