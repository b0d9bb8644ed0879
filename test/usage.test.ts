import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CLI_FLAGS, parseCliArgs, SHORT_FLAGS } from '../src/cli/args.js';
import { USAGE } from '../src/cli/usage.js';
import { GRAMMAR_FLAGS } from '../src/domain/command-grammar.js';
import { splitWords } from '../src/domain/command-words.js';
import { type Surface, USAGE_EXAMPLES, USAGE_FLAGS } from '../src/domain/usage.js';
import { escapeMrkdwn } from '../src/slack/blocks/mrkdwn.js';
import { USAGE_TEXT } from '../src/slack/blocks/usage.js';
import { MAX_PEERS, parseCommandText } from '../src/slack/command-text.js';

/** The flags each surface's parser accepts, name → 'boolean' | 'string'. */
const ACCEPTED: Record<Surface, Record<string, 'boolean' | 'string'>> = {
  cli: { ...GRAMMAR_FLAGS, ...CLI_FLAGS },
  slack: GRAMMAR_FLAGS,
};
const documented = (surface: Surface) => USAGE_FLAGS.filter((f) => f.on.includes(surface));

describe('usage, written once (domain/usage.ts)', () => {
  it('the CLI help names every flag the CLI parser accepts, with its value and short form', () => {
    for (const [name, kind] of Object.entries(ACCEPTED.cli)) {
      assert.ok(USAGE.includes(`--${name}`), `--${name} is missing from markread --help`);
      const flag = documented('cli').find((f) => f.name === name);
      assert.ok(flag, `--${name} has no entry for the CLI`);
      assert.equal(flag.value !== undefined, kind === 'string', `--${name}: a value in the usage iff it takes one`);
    }
    for (const [short, long] of SHORT_FLAGS) assert.ok(USAGE.includes(`${short}, ${long}`), `${short} is missing`);
  });

  it('the Slack usage names every flag the Slack grammar accepts, with its value', () => {
    for (const [name, kind] of Object.entries(ACCEPTED.slack)) {
      const flag = documented('slack').find((f) => f.name === name);
      assert.ok(flag, `--${name} has no entry for Slack`);
      const shown = `--${name}${kind === 'string' ? ` ${flag.value?.synopsis}` : ''}`;
      assert.ok(USAGE_TEXT.includes(escapeMrkdwn(shown)), `${shown} is missing from /markread help`);
    }
  });

  it('documents no flag a surface would refuse', () => {
    for (const surface of ['cli', 'slack'] as const)
      for (const flag of documented(surface))
        assert.ok(Object.hasOwn(ACCEPTED[surface], flag.name), `--${flag.name} is documented for ${surface}`);
  });

  it('every example parses on its surface', () => {
    for (const example of USAGE_EXAMPLES) {
      // As a shell hands them over: quoted words whole, without their quotes.
      const split = splitWords(example.args);
      assert.ok(split.ok, example.args);
      const { words } = split;
      if (example.on.includes('cli'))
        assert.notEqual(parseCliArgs(words).kind, 'usage-error', `markread ${example.args}`);
      if (example.on.includes('slack'))
        assert.notEqual(parseCommandText(example.args).kind, 'invalid', `/markread ${example.args}`);
    }
  });

  it('renders for each surface: plain text on the terminal, mrkdwn in Slack with its peer limit', () => {
    assert.match(USAGE, /^markread: mark a Tencent Cloud Chat one-to-one conversation read/);
    assert.doesNotMatch(USAGE, /`/, 'no mrkdwn code marks on the terminal');
    assert.match(USAGE_TEXT, /^\*Usage\*/);
    assert.ok(USAGE_TEXT.includes(`up to ${MAX_PEERS}`));
    assert.ok(USAGE_TEXT.includes('`/markread &lt;user&gt; --all`'), 'escaped for Slack');
    assert.ok(USAGE_TEXT.length < 3000, "within a section's 3,000 characters");
  });
});
