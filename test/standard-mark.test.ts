import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hasStandardMark, MARKED_UNREAD, standardMarkOf } from '../src/domain/standard-mark.js';
import { ImStandIn } from '../stand-ins/im-stand-in.js';

describe('reading StandardMark (the documented positions, one reading of the unconfirmed bit order)', () => {
  it('puts "marked unread" at position 2, as the docs number the standard marks (1 starred … 4 hidden)', () => {
    assert.equal(MARKED_UNREAD, 2);
  });

  it('reads position p as bit p of a binary number written most significant bit first', () => {
    assert.equal(hasStandardMark('000000100', 2), true);
    assert.equal(hasStandardMark('000000010', 2), false, 'position 1 (starred) is not marked unread');
    assert.equal(hasStandardMark('100', 2), true);
    assert.equal(hasStandardMark('10', 2), false, 'a string too short for the position has it clear');
    assert.equal(hasStandardMark('011111110', 2), true, 'the docs’ example has positions 1–7 set');
    assert.equal(hasStandardMark('011111110', 0), false);
  });

  it('treats an absent or empty mark as clear, and a string that is not bits as unknown', () => {
    assert.equal(hasStandardMark(undefined, 2), false);
    assert.equal(hasStandardMark('', 2), false);
    assert.equal(hasStandardMark('0x04', 2), undefined);
  });

  it('agrees with the stand-in, which renders marks with its own code', () => {
    for (const marks of [[2], [1], [1, 2, 4], [3], []])
      for (const p of [1, 2, 3, 4])
        assert.equal(hasStandardMark(ImStandIn.standardMark(marks), p), marks.includes(p), `${marks} at ${p}`);
    assert.equal(standardMarkOf([2]), ImStandIn.standardMark([2]));
  });
});
