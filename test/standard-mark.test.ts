import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MARKED_UNREAD, readStandardMark } from '../src/domain/standard-mark.js';
import { ImStandIn } from '../stand-ins/im-stand-in.js';

describe('reading StandardMark (position n is bit n − 1; which end holds bit 0 is undocumented)', () => {
  it('puts "marked unread" at position 2, as the docs number the standard marks (1 starred … 4 hidden)', () => {
    assert.equal(MARKED_UNREAD, 2);
  });

  it('finds "marked unread" at bit 1 whichever end of the string holds bit 0', () => {
    assert.equal(readStandardMark('000000010', MARKED_UNREAD), 'set', 'mask 0x2 written as a binary number');
    assert.equal(readStandardMark('010000000', MARKED_UNREAD), 'set', 'mask 0x2 written bit 0 first');
    assert.equal(readStandardMark('011111110', MARKED_UNREAD), 'set', 'the docs’ example');
    assert.equal(readStandardMark('010', MARKED_UNREAD), 'set', 'both readings agree: certain');
    assert.equal(readStandardMark('11', MARKED_UNREAD), 'set');
  });

  it('never takes starred (0x1), folded (0x4) or hidden (0x8) for "marked unread"', () => {
    for (const marks of [[1], [3], [4], [1, 3, 4]])
      for (const order of ['msb-first', 'lsb-first'] as const)
        assert.equal(
          readStandardMark(ImStandIn.standardMark(marks, order), MARKED_UNREAD),
          'clear',
          `${marks} written ${order}`,
        );
  });

  it('says "ambiguous", never a silent guess, where both readings are plausible and disagree', () => {
    assert.equal(readStandardMark('0100', MARKED_UNREAD), 'ambiguous', 'folded (3) one way, marked unread the other');
    assert.equal(readStandardMark('0010', 3), 'ambiguous');
  });

  it('drops a reading that sets a position the docs assign to nobody (5–32)', () => {
    assert.equal(readStandardMark('000000010', 8), 'clear', 'position 8 only if read bit 0 first: implausible');
    assert.equal(
      readStandardMark('000010000', 1),
      'clear',
      'bit 4 either way: neither reading is plausible, both agree',
    );
  });

  it('treats an absent or empty mark as clear, and a string that is not bits as unknown', () => {
    assert.equal(readStandardMark(undefined, MARKED_UNREAD), 'clear');
    assert.equal(readStandardMark('', MARKED_UNREAD), 'clear');
    assert.equal(readStandardMark('0x04', MARKED_UNREAD), undefined);
  });

  it('agrees with the stand-in, which renders marks with its own code, in both bit orders', () => {
    for (const order of ['msb-first', 'lsb-first'] as const)
      for (const marks of [[2], [1], [1, 2, 4], [3], []])
        for (const p of [1, 2, 3, 4])
          assert.equal(
            readStandardMark(ImStandIn.standardMark(marks, order), p),
            marks.includes(p) ? 'set' : 'clear',
            `${marks} at ${p}, ${order}`,
          );
  });
});
