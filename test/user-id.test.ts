import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseMarkReadRequest } from '../src/domain/mark-read-request.js';
import { checkReadTime, checkUserId } from '../src/domain/user-id.js';

describe('UserID validation', () => {
  it('accepts printable ASCII up to 32 bytes', () => {
    for (const id of ['a', 'alice_01', 'user-42', 'x'.repeat(32), 'a.b@c!#$%^*()+=[]{}|;:,?/~"\'']) {
      assert.deepEqual(checkUserId(id, 'user'), { ok: true, value: id });
    }
  });

  const cases: Array<[string, RegExp]> = [
    ['', /is empty/],
    ['x'.repeat(33), /33 bytes long; UserIDs are at most 32 bytes/],
    ['bob smith', /whitespace.*position 4/],
    ['tab\there', /whitespace/],
    ['zoë', /"ë" at position 3; UserIDs are printable ASCII only/],
    ['<@U123>', /"<" at position 1/],
    ['a&b', /"&"/],
    ['a>b', /">"/],
    ['a`b', /"`"/],
  ];
  for (const [id, message] of cases) {
    it(`rejects ${JSON.stringify(id)} naming the rule`, () => {
      const result = checkUserId(id, 'peer');
      assert.equal(result.ok, false);
      if (!result.ok) {
        assert.match(result.message, /^peer /);
        assert.match(result.message, message);
      }
    });
  }

  it('requires user and peer to differ', () => {
    const result = parseMarkReadRequest({ user: 'alice', peer: 'alice' });
    assert.deepEqual(result.ok ? [] : result.problems.map((p) => p.field), ['peer']);
  });

  it('reports problems per field', () => {
    const result = parseMarkReadRequest({ user: '', peer: 'b b', readTime: 'yesterday' });
    assert.deepEqual(result.ok ? [] : result.problems.map((p) => p.field), ['user', 'peer', 'readTime']);
  });

  it('checks read-up-to times', () => {
    const now = Date.UTC(2026, 0, 1);
    assert.deepEqual(checkReadTime('1767225000', now), { ok: true, value: 1767225000 });
    assert.match((checkReadTime('1767225000000', now) as { message: string }).message, /milliseconds/);
    assert.match((checkReadTime('1867225000', now) as { message: string }).message, /in the future/);
    assert.match((checkReadTime('-5', now) as { message: string }).message, /whole number/);
    assert.match((checkReadTime('0', now) as { message: string }).message, /after 1970/);
  });
});
