import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadApprovalConfig, needsApproval } from '../src/config/approval-config.js';
import { byVariable, configProblems } from './support/config-problems.js';

const problemsOf = (env: Record<string, string>) => configProblems(() => loadApprovalConfig(env));

describe('approval configuration', () => {
  it('asks for no approval by default: no threshold, no approvers, 30 minutes to decide, no break glass', () => {
    assert.deepEqual(loadApprovalConfig({}), {
      over: undefined,
      approvers: undefined,
      ttlMs: 1_800_000,
      breakGlass: false,
    });
    assert.equal(loadApprovalConfig({ MARKREAD_APPROVAL_OVER: '  ', MARKREAD_BREAK_GLASS: '' }).over, undefined);
  });

  it('reads a threshold, approvers written like the allowlist (people and groups apart), a TTL and break glass', () => {
    const config = loadApprovalConfig({
      MARKREAD_APPROVAL_OVER: '200',
      MARKREAD_APPROVERS: 'U012ABC, W034DEF S056GHI,,U012ABC',
      MARKREAD_APPROVAL_TTL_MS: '600000',
      MARKREAD_BREAK_GLASS: 'TRUE',
    });
    assert.equal(config.over, 200);
    assert.deepEqual(config.approvers, { users: new Set(['U012ABC', 'W034DEF']), groups: new Set(['S056GHI']) });
    assert.equal(config.ttlMs, 600_000);
    assert.equal(config.breakGlass, true);
  });

  it('needs approval only for a run over the threshold, and for none without one', () => {
    assert.equal(needsApproval({ over: 200 }, 200), false);
    assert.equal(needsApproval({ over: 200 }, 201), true);
    assert.equal(needsApproval({ over: undefined }, 1_000_000), false);
  });

  it('names each bad value and what it expects', () => {
    const cases: [Record<string, string>, string, RegExp][] = [
      [{ MARKREAD_APPROVAL_OVER: '0' }, 'MARKREAD_APPROVAL_OVER', /at least 1/],
      [{ MARKREAD_APPROVAL_OVER: 'lots' }, 'MARKREAD_APPROVAL_OVER', /whole number/],
      [{ MARKREAD_APPROVAL_OVER: '5', MARKREAD_APPROVERS: 'alice' }, 'MARKREAD_APPROVERS', /"alice".*user ID/],
      [{ MARKREAD_APPROVAL_OVER: '5', MARKREAD_APPROVERS: ', ,' }, 'MARKREAD_APPROVERS', /lists no IDs/],
      [{ MARKREAD_APPROVAL_TTL_MS: '59999' }, 'MARKREAD_APPROVAL_TTL_MS', /at least 60000/],
      [{ MARKREAD_APPROVAL_TTL_MS: '86400001' }, 'MARKREAD_APPROVAL_TTL_MS', /at most 86400000/],
      [{ MARKREAD_BREAK_GLASS: 'yes' }, 'MARKREAD_BREAK_GLASS', /true or false/],
    ];
    for (const [env, variable, expects] of cases) {
      const problems = problemsOf(env);
      assert.deepEqual(Object.keys(byVariable(problems)), [variable], JSON.stringify(env));
      assert.match(problems[0] ?? '', expects, JSON.stringify(env));
    }
  });

  it('refuses approvers without a threshold, which would look like four eyes while no run waits for them', () => {
    const [problem, ...more] = problemsOf({ MARKREAD_APPROVERS: 'U012ABC' });
    assert.deepEqual(more, []);
    assert.match(problem ?? '', /^MARKREAD_APPROVERS: .*set MARKREAD_APPROVAL_OVER/);
  });

  it('reports every problem at once, and never quotes a pasted token', () => {
    const token = `xoxb-${'1'.repeat(12)}-${'2'.repeat(12)}-abcdefghijklmnopqrstuvwx`;
    const problems = problemsOf({
      MARKREAD_APPROVAL_OVER: '-3',
      MARKREAD_APPROVERS: `U012ABC,${token}`,
      MARKREAD_APPROVAL_TTL_MS: 'forever',
      MARKREAD_BREAK_GLASS: 'maybe',
    });
    assert.deepEqual(Object.keys(byVariable(problems)).sort(), [
      'MARKREAD_APPROVAL_OVER',
      'MARKREAD_APPROVAL_TTL_MS',
      'MARKREAD_APPROVERS',
      'MARKREAD_BREAK_GLASS',
    ]);
    assert.equal(problems.length, 4);
    assert.ok(!problems.join('\n').includes('xoxb-'), 'the token is not shown');
    assert.match(byVariable(problems).MARKREAD_APPROVERS ?? '', /looks like a token/);
  });
});
