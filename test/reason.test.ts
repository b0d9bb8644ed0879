import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCliArgs } from '../src/cli/args.js';
import { ConfigError } from '../src/config/config-error.js';
import { loadReasonConfig } from '../src/config/reason-config.js';
import { loadSlackConfig } from '../src/config/slack-config.js';
import { type MarkTarget, markCommandWords, parseMarkCommand } from '../src/domain/command-grammar.js';
import { quoteWord, splitWords } from '../src/domain/command-words.js';
import { checkReason, REASON_MAX } from '../src/domain/reason.js';
import { parentMessage } from '../src/slack/blocks/mark.js';
import { parseCommandText, rerunCommand, SLASH_COMMAND } from '../src/slack/command-text.js';

const OPTIONAL = { required: false, min: 10 };
const REQUIRED = { required: true, min: 10 };

describe('splitWords: typed command text, quote-aware', () => {
  it('splits at whitespace and keeps a quoted part whole, without its quotes', () => {
    assert.deepEqual(splitWords('  alice   bob --reason "ticket 123: badge stuck" '), {
      ok: true,
      words: ['alice', 'bob', '--reason', 'ticket 123: badge stuck'],
    });
  });

  it('reads the curly quotes phones and some keyboards type: “…”, ‘…’, „…“ and ”…”', () => {
    for (const typed of ['“ticket 123 stuck”', '‘ticket 123 stuck’', '„ticket 123 stuck“', '”ticket 123 stuck”'])
      assert.deepEqual(splitWords(`--reason ${typed}`), { ok: true, words: ['--reason', 'ticket 123 stuck'] }, typed);
  });

  it('opens a quote only at the start of a word or after =, so an apostrophe is a letter', () => {
    assert.deepEqual(splitWords(`--reason="alice's badge" bob's`), {
      ok: true,
      words: ["--reason=alice's badge", "bob's"],
    });
    assert.deepEqual(splitWords('--reason “he said "stuck" twice”'), {
      ok: true,
      words: ['--reason', 'he said "stuck" twice'],
    });
  });

  it('an empty quoted word is a word', () => {
    assert.deepEqual(splitWords('--reason ""'), { ok: true, words: ['--reason', ''] });
  });

  it('an unclosed quote is a problem that names the quote and how to close it', () => {
    const split = splitWords('alice bob --reason “ticket 123 stuck');
    assert.equal(split.ok, false);
    assert.match(split.ok ? '' : split.problem, /the quote “ in "“ticket 123 stuck" is never closed: end it with ”/);
  });

  it('quoteWord gives text that splits back to the same word, whatever quotes it holds', () => {
    for (const word of [
      'plain',
      'two words',
      'say "hi" now',
      'say “hi” and "yo"',
      `it's "x" and “y”`,
      `all ' " “ ” ‘ ’ of them`,
      '--all',
      'a=b',
      '',
    ]) {
      const split = splitWords(`--reason ${quoteWord(word)}`);
      assert.ok(split.ok, word);
      const back = split.words[1];
      // With every kind of quote in it, straight double quotes come back curly: the one lossy case.
      const everyQuote = word.includes('"') && /[“”]/.test(word) && word.includes("'") && /[‘’]/.test(word);
      assert.equal(back, everyQuote ? word.replace(/"/g, '”') : word);
    }
  });
});

describe('checkReason: the clean reason or a problem', () => {
  it('no reason is fine unless the policy requires one for a change; a check never needs one', () => {
    assert.deepEqual(checkReason(undefined, OPTIONAL), { ok: true, reason: undefined });
    assert.deepEqual(checkReason(undefined, REQUIRED, false), { ok: true, reason: undefined });
    const missing = checkReason(undefined, REQUIRED);
    assert.equal(missing.ok, false);
    assert.match(missing.ok ? '' : missing.problem, /required .*MARKREAD_REQUIRE_REASON.*e\.g\. --reason "ticket 123/);
  });

  it('refuses a reason shorter than the minimum, counting what a reader sees', () => {
    for (const raw of ['.', '', '   fix it  ', '\u200b'.repeat(20), 'ab\u202ecdefg'])
      assert.equal(checkReason(raw, OPTIONAL).ok, false, JSON.stringify(raw));
    const short = checkReason('.', OPTIONAL);
    assert.match(short.ok ? '' : short.problem, /the reason "\." is too short: say why in at least 10 characters/);
    assert.equal(checkReason('INC-42 ok', { required: false, min: 9 }).ok, true);
  });

  it('collapses whitespace and keeps invisible and bidi characters only as visible \\u escapes', () => {
    assert.deepEqual(checkReason('  ticket\n123:\tbadge\u00a0stuck ', OPTIONAL), {
      ok: true,
      reason: 'ticket 123: badge stuck',
    });
    assert.deepEqual(checkReason('ticket 123 \u202estuck\u200b', OPTIONAL), {
      ok: true,
      reason: 'ticket 123 \\u202Estuck\\u200B',
    });
  });

  it(`refuses a reason over ${REASON_MAX} characters`, () => {
    const long = checkReason('x'.repeat(REASON_MAX + 1), OPTIONAL);
    assert.equal(long.ok, false);
    assert.match(long.ok ? '' : long.problem, /keep it to 1,000/);
  });
});

describe('the reason in the one grammar', () => {
  it('a reason given in Slack text, in straight or curly quotes, reaches the command', () => {
    for (const text of [
      'alice bob --reason "ticket 123: badge stuck"',
      'alice bob --reason “ticket 123: badge stuck”',
      'alice --reason=‘ticket 123: badge stuck’ bob',
    ]) {
      const parsed = parseCommandText(text);
      assert.equal(parsed.kind, 'mark', text);
      assert.equal(parsed.kind === 'mark' ? parsed.reason : undefined, 'ticket 123: badge stuck', text);
    }
  });

  it('a mention in a reason is text; as a UserID it is refused', () => {
    const parsed = parseCommandText('alice bob --reason "<!channel> is *bold* here"');
    assert.equal(parsed.kind === 'mark' ? parsed.reason : parsed.kind, '<!channel> is *bold* here');
    assert.equal(parseCommandText('alice <!channel> --reason "ticket 123 stuck"').kind, 'invalid');
  });

  it('an unclosed quote in Slack text is a usage error', () => {
    const parsed = parseCommandText('alice bob --reason "ticket 123');
    assert.equal(parsed.kind, 'invalid');
    assert.match(parsed.kind === 'invalid' ? parsed.problems.join() : '', /never closed/);
  });

  it('with the reason required, a change without one is refused and a check is not', () => {
    const change = parseCommandText('alice bob', { reasonPolicy: REQUIRED });
    assert.equal(change.kind, 'invalid');
    assert.equal(parseCommandText('alice --check', { reasonPolicy: REQUIRED }).kind, 'check');
    const cli = parseCliArgs(['--from-file', 'pairs.csv'], { reasonPolicy: REQUIRED });
    assert.equal(cli.kind, 'usage-error');
    const withReason = parseCliArgs(['--from-file', 'pairs.csv', '--reason', 'ticket 123: stuck'], {
      reasonPolicy: REQUIRED,
    });
    assert.equal(withReason.kind === 'from-file' ? withReason.reason : withReason.kind, 'ticket 123: stuck');
  });

  it('"run it again" parses back to the same target, reason included, however it is quoted', () => {
    for (const reason of ['ticket 123: badge stuck', 'he said "stuck" — INC-9', `it's “odd” and "odd"`]) {
      for (const target of [
        { kind: 'pairs', user: 'alice', peers: ['bob', 'carol'], readTime: 1767225600, clearMarks: true, reason },
        { kind: 'all', user: 'alice', readTime: undefined, clearMarks: false, reason },
      ] satisfies MarkTarget[]) {
        const again = parseMarkCommand(splitOrThrow(markCommandWords(target).join(' ')));
        assert.ok(again.ok, JSON.stringify(again));
        assert.deepEqual(again.target, target);
      }
      const rerun = rerunCommand('alice', ['bob'], undefined, false, reason);
      const parsed = parseCommandText(rerun.slice(SLASH_COMMAND.length + 1));
      assert.equal(parsed.kind === 'mark' ? parsed.reason : parsed.kind, reason);
    }
  });
});

describe('the reason policy from the environment', () => {
  it('defaults to optional, at least 10 characters; reads true/false and a minimum', () => {
    assert.deepEqual(loadReasonConfig({}), { required: false, min: 10 });
    assert.deepEqual(loadReasonConfig({ MARKREAD_REQUIRE_REASON: 'TRUE', MARKREAD_REASON_MIN: '4' }), {
      required: true,
      min: 4,
    });
  });

  it('a wrong value stops start-up with a line naming the variable', () => {
    assert.throws(
      () => loadReasonConfig({ MARKREAD_REQUIRE_REASON: 'yes please', MARKREAD_REASON_MIN: '0' }),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.problems.some((p) => p.startsWith('MARKREAD_REQUIRE_REASON: expected true or false')) &&
        error.problems.some((p) => p.startsWith('MARKREAD_REASON_MIN: must be at least 1')),
    );
    assert.throws(
      () =>
        loadSlackConfig({
          SLACK_BOT_TOKEN: 'xoxb-1',
          SLACK_APP_TOKEN: 'xapp-1',
          MARKREAD_ALLOWED_USERS: 'U0ONCALL',
          MARKREAD_REASON_MIN: 'ten',
        }),
      /MARKREAD_REASON_MIN: expected a whole number/,
    );
  });
});

describe('the reason as Slack shows it', () => {
  it('in code, escaped, so mentions and markup stay inert; clipped past 300 characters, saying so', () => {
    const text = parentMessage('U1', { user: 'alice', peer: 'bob' }, 'working', '<!channel> *bold* & more').text;
    assert.match(text, /\n\*Reason\*: `&lt;!channel&gt; \*bold\* &amp; more`$/);
    const long = parentMessage('U1', { user: 'alice', peer: 'bob' }, 'ok', 'y'.repeat(400)).text;
    assert.match(long, /`y{299}…` _\(clipped to 300 characters; the audit trail has it whole\)_$/);
  });
});

function splitOrThrow(text: string): string[] {
  const split = splitWords(text);
  if (!split.ok) throw new Error(split.problem);
  return split.words;
}
