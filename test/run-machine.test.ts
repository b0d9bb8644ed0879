import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ACTORS,
  judge,
  needsAllowlist,
  openings,
  RUN_REFUSALS,
  RUN_STATES,
  RUN_TRANSITIONS,
  type RunState,
  type RunTransition,
  type TransitionRule,
} from '../src/stores/run-machine.js';

const names = Object.keys(RUN_TRANSITIONS) as RunTransition[];

describe('the run machine', () => {
  it('ends in finished or cancelled, which nothing leaves, and reaches every state from where runs start', () => {
    for (const name of names) {
      const rule: TransitionRule = RUN_TRANSITIONS[name];
      assert.ok(!rule.from.includes('finished') && !rule.from.includes('cancelled'), `${name} leaves an ended run`);
    }
    const reached = new Set<RunState>(['awaiting', 'running']);
    for (let grew = true; grew; ) {
      grew = false;
      for (const rule of Object.values(RUN_TRANSITIONS) as TransitionRule[])
        if (rule.from.some((s) => reached.has(s)) && !reached.has(rule.to)) grew = Boolean(reached.add(rule.to));
    }
    assert.deepEqual([...reached].sort(), [...RUN_STATES].sort());
  });

  it('lets only the requester confirm, cancel or stop, and only markread itself finish, abandon or shut down', () => {
    assert.equal(judge('confirm', 'requester', 'awaiting'), undefined);
    assert.equal(judge('confirm', 'someone-else', 'awaiting'), 'not-requester');
    assert.equal(judge('confirm', 'markread', 'awaiting'), 'not-a-person');
    assert.equal(judge('cancel', 'someone-else', 'awaiting'), 'not-requester');
    assert.equal(judge('stop', 'requester', 'running'), undefined);
    assert.equal(judge('stop', 'someone-else', 'running'), 'not-requester');
    assert.equal(judge('finish', 'markread', 'stopping'), undefined);
    assert.equal(judge('finish', 'requester', 'running'), 'not-markread');
    assert.equal(judge('shut-down', 'markread', 'running'), undefined);
    assert.equal(judge('abandon', 'markread', 'running'), undefined);
  });

  it('checks who acts before the state: a stranger hears "not yours" even on a run that is over', () => {
    assert.equal(judge('confirm', 'someone-else', 'finished'), 'not-requester');
    assert.equal(judge('confirm', 'requester', 'finished'), 'wrong-state');
    assert.equal(judge('stop', 'requester', 'awaiting'), 'wrong-state');
    assert.equal(judge('stop', 'requester', 'stopping'), 'wrong-state', 'a second Stop does not stop twice');
    assert.equal(judge('finish', 'markread', 'awaiting'), 'wrong-state', 'an unconfirmed run cannot finish');
  });

  it('has the rules the next transitions need: any allowed person, and an allowed person other than the requester', () => {
    const anyAllowed: TransitionRule = { from: ['awaiting'], to: 'running', who: 'any-allowed' };
    const otherAllowed: TransitionRule = { from: ['awaiting'], to: 'running', who: 'other-allowed' };
    assert.equal(judge(anyAllowed, 'requester', 'awaiting'), undefined);
    assert.equal(judge(anyAllowed, 'someone-else', 'awaiting'), undefined);
    assert.equal(judge(anyAllowed, 'markread', 'awaiting'), 'not-a-person');
    assert.equal(judge(otherAllowed, 'requester', 'awaiting'), 'own-run');
    assert.equal(judge(otherAllowed, 'someone-else', 'awaiting'), undefined);
    assert.equal(judge(otherAllowed, 'someone-else', 'running'), 'wrong-state');
  });

  it('answers every (state, transition, actor) with nothing or a declared refusal', () => {
    for (const name of names)
      for (const state of RUN_STATES)
        for (const actor of ACTORS) {
          const refusal = judge(name, actor, state);
          assert.ok(refusal === undefined || RUN_REFUSALS.includes(refusal), `${name} ${state} ${actor}: ${refusal}`);
        }
  });

  it('lists, as data for a store, exactly the (state, actor) a transition goes ahead from', () => {
    assert.deepEqual(openings('confirm'), [{ state: 'awaiting', actor: 'requester' }]);
    assert.deepEqual(openings('finish'), [
      { state: 'running', actor: 'markread' },
      { state: 'stopping', actor: 'markread' },
    ]);
    assert.deepEqual(openings('cancel'), [{ state: 'awaiting', actor: 'requester' }]);
    assert.deepEqual(openings('stop'), [{ state: 'running', actor: 'requester' }]);
    assert.deepEqual(openings('shut-down'), [{ state: 'running', actor: 'markread' }]);
    assert.deepEqual(openings('abandon'), [
      { state: 'running', actor: 'markread' },
      { state: 'stopping', actor: 'markread' },
    ]);
  });

  it('asks for the allowlist before a Confirm (it starts work), not before a Cancel or a Stop', () => {
    assert.equal(needsAllowlist('confirm'), true);
    assert.equal(needsAllowlist('cancel'), false);
    assert.equal(needsAllowlist('stop'), false);
    assert.equal(needsAllowlist('finish'), false);
  });
});
