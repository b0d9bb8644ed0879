import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ACTORS,
  barredByDeadline,
  decisionOf,
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
    const reached = new Set<RunState>(['approval', 'awaiting', 'running']);
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

  it('never lets the requester approve or deny their own run: that takes another person', () => {
    assert.equal(judge('approve', 'requester', 'approval'), 'own-run');
    assert.equal(judge('deny', 'requester', 'approval'), 'own-run');
    assert.equal(judge('approve', 'someone-else', 'approval'), undefined);
    assert.equal(judge('deny', 'someone-else', 'approval'), undefined);
    assert.equal(judge('approve', 'markread', 'approval'), 'not-a-person');
  });

  it('lets only the requester withdraw a run or break the glass on it', () => {
    assert.equal(judge('withdraw', 'requester', 'approval'), undefined);
    assert.equal(judge('self-approve', 'requester', 'approval'), undefined);
    assert.equal(judge('withdraw', 'someone-else', 'approval'), 'not-requester');
    assert.equal(judge('self-approve', 'someone-else', 'approval'), 'not-requester');
  });

  it('lets only markread itself expire a run waiting for approval; a person cannot', () => {
    assert.equal(judge('expire', 'markread', 'approval'), undefined);
    assert.equal(judge('expire', 'requester', 'approval'), 'not-markread');
    assert.equal(judge('expire', 'someone-else', 'approval'), 'not-markread');
  });

  it('settles an approval only once: every approval transition leaves `approval` and nothing goes back to it', () => {
    for (const name of ['approve', 'self-approve', 'deny', 'withdraw', 'expire'] as const) {
      const [opening, ...more] = openings(name);
      assert.deepEqual([opening?.state, more], ['approval', []], name);
      // The one actor who may make it is refused on a run already decided (here: approved, so running).
      if (opening) assert.equal(judge(name, opening.actor, 'running'), 'wrong-state', name);
    }
    for (const rule of Object.values(RUN_TRANSITIONS) as TransitionRule[]) assert.notEqual(rule.to, 'approval');
    assert.equal(judge('confirm', 'requester', 'approval'), 'wrong-state', 'approval is not a Confirm');
    assert.equal(judge('stop', 'requester', 'approval'), 'wrong-state', 'nothing is running to stop');
  });

  it('says which decision each approval transition records, and that no other transition records one', () => {
    assert.equal(decisionOf('approve'), 'approved');
    assert.equal(decisionOf('self-approve'), 'self-approved');
    assert.equal(decisionOf('deny'), 'denied');
    assert.equal(decisionOf('withdraw'), 'withdrawn');
    assert.equal(decisionOf('expire'), 'expired');
    for (const name of ['confirm', 'cancel', 'stop', 'shut-down', 'finish', 'abandon'] as const)
      assert.equal(decisionOf(name), undefined, name);
  });

  it('bars by the deadline exactly the approval answers a person gives, not markread’s expiry nor anything else', () => {
    assert.deepEqual(names.filter(barredByDeadline).sort(), ['approve', 'deny', 'self-approve', 'withdraw']);
    assert.equal(barredByDeadline('expire'), false, 'the expiry is what the deadline is for');
    assert.ok(RUN_REFUSALS.includes('expired'), 'a store says so with a declared refusal');
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
    assert.deepEqual(openings('approve'), [{ state: 'approval', actor: 'someone-else' }]);
    assert.deepEqual(openings('self-approve'), [{ state: 'approval', actor: 'requester' }]);
    assert.deepEqual(openings('deny'), [{ state: 'approval', actor: 'someone-else' }]);
    assert.deepEqual(openings('withdraw'), [{ state: 'approval', actor: 'requester' }]);
    assert.deepEqual(openings('expire'), [{ state: 'approval', actor: 'markread' }]);
  });

  it('asks for the allowlist before a Confirm (it starts work), not before a Cancel or a Stop', () => {
    assert.equal(needsAllowlist('confirm'), true);
    assert.equal(needsAllowlist('cancel'), false);
    assert.equal(needsAllowlist('stop'), false);
    assert.equal(needsAllowlist('finish'), false);
  });

  it('asks for the allowlist before anything starts an approved run, not before a withdrawal or an expiry', () => {
    assert.equal(needsAllowlist('approve'), true);
    assert.equal(needsAllowlist('self-approve'), true);
    assert.equal(needsAllowlist('deny'), true, 'a second person is someone allowed');
    assert.equal(needsAllowlist('withdraw'), false);
    assert.equal(needsAllowlist('expire'), false);
  });
});
