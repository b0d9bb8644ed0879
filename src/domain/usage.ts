/**
 * How to use markread, written once: the forms of the command, its flags and examples, as data, with a renderer
 * for each surface (the CLI's `--help`, Slack's `/markread help`). A flag added to a parser is added here, and
 * test/usage.test.ts fails until it is. Text marks code with backticks: Slack shows them, the terminal drops them.
 */

export type Surface = 'cli' | 'slack';
const BOTH: readonly Surface[] = ['cli', 'slack'];

export interface UsageFlag {
  name: string;
  /** The one-letter alias (`-y`), CLI only. */
  short?: string;
  /** The value it takes: as the synopsis names it, and shorter in the option list. */
  value?: { synopsis: string; listed: string };
  on: readonly Surface[];
  /** What it does, for every surface; `cli` and `slack` add what is true of one surface only. */
  does: string;
  cli?: string;
  slack?: string;
}

/** One way to call markread: words, an optional flag that names the form (`--all`), and the flags it takes. */
export interface UsageForm {
  words: string;
  flag?: string;
  /** Optional flags the CLI synopsis lists (Slack lists its few in sentences). */
  options?: string[];
  on: readonly Surface[];
  /** What the form does, where its flag does not say it. */
  does?: string;
  cli?: string;
  slack?: string;
}

const MARKING = ['app', 'read-time', 'clear-marks', 'reason', 'json', 'dry-run'];

export const USAGE_FLAGS: readonly UsageFlag[] = [
  {
    name: 'check',
    on: BOTH,
    does: "changes nothing: it shows why the badge is stuck (whether the accounts exist, the unread total, each conversation's unread count, conversations the user marked unread by hand, group conversations) and what markread would fix",
    cli: ' (it looks at the peers named, or every conversation and lists the top 20)',
    slack: ', with a button to fix it',
  },
  {
    name: 'clear-marks',
    on: BOTH,
    does: 'after marking read, also clear the "marked unread" mark the user set by hand (its badge stays with 0 unread messages), and read the marks again as proof',
    cli: ': "unread mark: set → cleared", or "could not clear" (mark_contact)',
  },
  {
    name: 'read-time',
    value: { synopsis: '<unix seconds>', listed: '<s>' },
    on: BOTH,
    does: 'only messages sent before this Unix time (seconds) become read; default: now',
  },
  {
    name: 'reason',
    value: { synopsis: '"<why>"', listed: '"<why>"' },
    on: BOTH,
    does: 'why, in your words (quoted): shown with the run and kept in every audit event of it. At least MARKREAD_REASON_MIN characters (default 10); with MARKREAD_REQUIRE_REASON=true every change needs one (a --check does not)',
    slack: '; the form has a field for it',
  },
  {
    name: 'app',
    value: { synopsis: '<name>', listed: '<name>' },
    on: BOTH,
    does: 'which IM app, by its name in TIM_APPS (e.g. staging); without it, the default app. An unknown name is refused, listing the apps',
    slack: '; the form has a selector when there are several',
  },
  {
    name: 'all',
    on: BOTH,
    does: 'marks every one-to-one conversation of `<user>` read, after showing the count to confirm',
    cli: ' (the list: v4/recentcontact/get_list)',
  },
  {
    name: 'yes',
    short: 'y',
    on: ['cli'],
    does: 'with --all: do not ask (needed when stdin is not a terminal)',
  },
  {
    name: 'from-file',
    value: { synopsis: '<pairs.csv | ->', listed: '<f>' },
    on: ['cli'],
    does: 'CSV of user,peer[,read_time] (quotes allowed); - reads stdin; # comments and blank lines are skipped; a header row (user,peer,read_time or Report_Account,Peer_Account,MsgReadTime, any case, any order) names the columns',
  },
  {
    name: 'json',
    on: ['cli'],
    does: 'one JSON object per pair on stdout (and a final {"summary":…} line for several pairs)',
  },
  {
    name: 'dry-run',
    on: ['cli'],
    does: 'call nothing: check every pair and print the plan and the first request (UserSig [not minted]); needs no TIM_SECRET_KEY. With --all it pages the list read-only and prints the count and the first peers (that needs the key)',
  },
  { name: 'version', short: 'v', on: ['cli'], does: 'the version' },
  { name: 'help', short: 'h', on: ['cli'], does: 'this text' },
];

export const USAGE_FORMS: readonly UsageForm[] = [
  { words: '<user> [<peer> …]', flag: 'check', options: ['app', 'reason', 'json'], on: BOTH },
  {
    words: '<user> <peer>',
    options: MARKING,
    on: BOTH,
    does: "marks every message of `<user>`'s one-to-one conversation with `<peer>` read and shows the unread count before → after",
    cli: ' (v4/openim/admin_set_msg_read; the counts: v4/openim/get_c2c_unread_msg_num)',
    slack: ' (Tencent Cloud Chat UserIDs, not Slack names)',
  },
  {
    words: '<user> <peer> <peer> …',
    options: MARKING,
    on: BOTH,
    does: 'does the same for several peers',
    slack: ', up to {maxPeers}, with one thread reply for the whole run',
  },
  { words: '<user>', flag: 'all', options: ['yes', ...MARKING], on: BOTH },
  { words: '', flag: 'from-file', options: ['app', 'clear-marks', 'reason', 'json', 'dry-run'], on: ['cli'] },
  {
    words: 'doctor',
    options: ['json'],
    on: ['cli'],
    does: "checks markread's own setup: configuration, the IM host and region, the admin UserSig (one account_check), and with SLACK_BOT_TOKEN the bot token, its scopes and the Socket Mode token; exit 0 only when every check passes",
  },
  { words: '--help | --version', on: ['cli'] },
  { words: '', on: ['slack'], does: 'opens a form' },
  { words: 'help', on: ['slack'], does: 'shows this' },
];

/** Arguments after the command's name; `env` is set before it, on the CLI. */
export const USAGE_EXAMPLES: ReadonlyArray<{ args: string; on: readonly Surface[]; env?: string }> = [
  { args: 'alice --check', on: BOTH },
  { args: 'alice bob', on: BOTH },
  { args: 'alice bob --clear-marks', on: BOTH },
  { args: 'alice bob --reason "ticket 123: badge stuck"', on: BOTH },
  { args: '--app staging alice bob', on: BOTH },
  { args: 'doctor', on: ['cli'] },
  { args: 'alice bob carol dave', on: BOTH },
  { args: 'alice --all --clear-marks', on: ['slack'] },
  { args: 'alice --all --yes', on: ['cli'] },
  { args: 'alice bob --read-time 1767225600', on: BOTH },
  { args: 'alice bob --json', on: ['cli'] },
  { args: '--from-file stuck-badges.csv', on: ['cli'] },
  { args: 'alice bob --dry-run', on: ['cli'], env: 'TIM_REGION=singapore' },
];

const TITLE = 'markread: mark a Tencent Cloud Chat one-to-one conversation read, as the app admin.';
const on = (surface: Surface) => (item: { on: readonly Surface[] }) => item.on.includes(surface);
const flagNamed = (name: string) => USAGE_FLAGS.find((f) => f.name === name) as UsageFlag;
const withValue = (flag: UsageFlag, value = flag.value?.synopsis) => `--${flag.name}${value ? ` ${value}` : ''}`;
const plain = (text: string) => text.replace(/`/g, '');
const sentence = (text: string) => `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;

function synopsis(form: UsageForm): string {
  return [form.words, form.flag ? withValue(flagNamed(form.flag)) : ''].filter(Boolean).join(' ');
}

/** `  markread <words> [--option …]…`, its options carried onto indented lines where they would pass WIDTH. */
function cliSynopsis(form: UsageForm): string {
  const lines: string[] = [];
  let line = `  markread ${synopsis(form)}`.trimEnd();
  for (const option of (form.options ?? []).map((name) => `[${withValue(flagNamed(name))}]`)) {
    if (line.length + 1 + option.length <= WIDTH) line = `${line} ${option}`;
    else {
      lines.push(line);
      line = `${' '.repeat(11)}${option}`;
    }
  }
  return [...lines, line].join('\n');
}

/** `text` cut into lines of at most `width` characters, at spaces. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line];
}

/** The CLI's help is at most this wide; option texts start in this column. */
const WIDTH = 114;
const COLUMN = 22;

function optionRow(label: string, text: string): string {
  const [first, ...rest] = wrap(plain(text), WIDTH - COLUMN);
  return [`  ${label}`.padEnd(COLUMN) + first, ...rest.map((l) => ' '.repeat(COLUMN) + l)].join('\n');
}

/**
 * `markread --help`: the title, every form's synopsis, what a mark does, every option, the CLI's own sections
 * (exit codes, configuration: `sections`, each a title line and its body), and the examples.
 */
export function cliUsage(sections: string[]): string {
  const forms = USAGE_FORMS.filter(on('cli'));
  const mark = forms.find((f) => f.words === '<user> <peer>') as UsageForm;
  const flags = USAGE_FLAGS.filter(on('cli')).map((f) => {
    const label = `${f.short ? `-${f.short}, ` : ''}${withValue(f, f.value?.listed)}`;
    return optionRow(label, `${f.does}${f.cli ?? ''}`);
  });
  const words = forms.filter((f) => !f.flag && f.does && !f.words.startsWith('<'));
  const commands = words.map((f) => optionRow(f.words, `${f.does}${f.cli ?? ''}`));
  const examples = USAGE_EXAMPLES.filter(on('cli')).map((e) => `  ${e.env ? `${e.env} ` : ''}markread ${e.args}`);
  return [
    TITLE,
    ['Usage:', ...forms.map(cliSynopsis)].join('\n'),
    wrap(plain(sentence(`${mark.does}${mark.cli ?? ''}`)), WIDTH).join('\n'),
    ['Options:', ...flags, ...commands].join('\n'),
    ...sections,
    ['Examples:', ...examples].join('\n'),
  ].join('\n\n');
}

/** `/markread help`: one line per form, one per flag that adds to them, the examples; mrkdwn not yet escaped. */
export function slackUsageLines(limits: { maxPeers: number }): string[] {
  const fill = (text: string) => text.replace('{maxPeers}', String(limits.maxPeers));
  const line = (form: UsageForm) => {
    const about = form.flag ? flagNamed(form.flag) : form;
    const words = synopsis(form);
    return `\`/markread${words ? ` ${words}` : ''}\` ${fill(`${about.does}${about.slack ?? ''}`)}.`;
  };
  const forms = USAGE_FORMS.filter(on('slack'));
  // The forms that mark or check, the flags that adjust them, then the form and help.
  const marks = forms.filter((f) => f.words.startsWith('<')).map(line);
  const named = new Set(forms.map((f) => f.flag));
  const adds = USAGE_FLAGS.filter((f) => on('slack')(f) && !named.has(f.name)).map(
    (f) => `Add \`${withValue(f)}\`: ${f.does}${f.slack ?? ''}.`,
  );
  const others = forms.filter((f) => !f.words.startsWith('<')).map(line);
  const examples = USAGE_EXAMPLES.filter(on('slack')).map((e) => `\`/markread ${e.args}\``);
  return ['*Usage*', ...marks, ...adds, ...others, `*Examples*: ${examples.join(' · ')}`];
}
