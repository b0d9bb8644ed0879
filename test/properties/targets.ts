import fc from 'fast-check';
import { parseCliArgs } from '../../src/cli/args.js';
import { parsePairsFile } from '../../src/cli/pairs-file.js';
import type { BadgeReport } from '../../src/domain/badge-check.js';
import { type MarkTarget, markCommandWords } from '../../src/domain/command-grammar.js';
import type { MarkReadOutcome } from '../../src/domain/mark-read.js';
import { checkReason } from '../../src/domain/reason.js';
import { checkUserId, userIdSchema } from '../../src/domain/user-id.js';
import { explainError } from '../../src/im/error-catalogue.js';
import { Redactor } from '../../src/log/redactor.js';
import { checkMessage, marksLine } from '../../src/slack/blocks/check.js';
import { confirmAllMessage } from '../../src/slack/blocks/confirm.js';
import { outcomeMessage, parentMessage } from '../../src/slack/blocks/mark.js';
import { section } from '../../src/slack/blocks/message.js';
import { clip, escapeMrkdwn } from '../../src/slack/blocks/mrkdwn.js';
import { bulkParentMessage, summaryMessage } from '../../src/slack/blocks/run.js';
import { usageMessage } from '../../src/slack/blocks/usage.js';
import { parseCommandText } from '../../src/slack/command-text.js';
import { untrusted } from '../../src/text/untrusted.js';
import { visible } from '../../src/text/visible.js';

/** One fuzz target: a name and a fast-check property. */
export interface Target {
  name: string;
  property: fc.IPropertyWithHooks<never> | fc.IProperty<never> | fc.IRawProperty<unknown>;
}

// ── Arbitraries: what an attacker or an unlucky operator types ────────────────────────────────────
const HOSTILE = [
  '<!channel>',
  '&lt;!here&gt;',
  '<@U0BOB|bob>',
  '<#C0X|x>',
  '<https://evil.example|click>',
  '&amp;',
  '&',
  '<',
  '>',
  '`',
  '\u202e',
  '\u200b',
  '\u0000',
  '\n',
  '\ud800',
  '\udfff',
  '😀',
  '--all',
  '--check',
  '--clear-marks',
  'doctor',
  '--read-time',
  '--read-time=1',
  '--reason',
  '--reason=ticket-123-stuck',
  '--app',
  '--app=staging',
  'staging',
  'prod',
  'ticket-123:stuck',
  '"ticket 123: stuck',
  '“curly',
  'quotes”',
  '--json',
  '--dry-run',
  '--from-file',
  '-y',
  'help',
  '1767225600',
  '99999999999999',
  'xoxb-1-2-abc',
  'usersig=eJxAAAA',
];
const anyChar = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) }),
);
const token = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE) },
  { weight: 3, arbitrary: fc.stringMatching(/^[a-z0-9_.@-]{1,12}$/) },
  { weight: 2, arbitrary: anyChar },
);
const words = fc.array(token, { maxLength: 8 });
const text = fc.array(token, { maxLength: 8 }).map((t) => t.join(''));

/** A UserSig-shaped secret and a secret key, as the redactor would know them. */
const userSig = fc.stringMatching(/^eJ[0-9A-Za-z*_-]{80,140}$/);
const secretKey = fc.stringMatching(/^[0-9a-f]{64}$/);

const ALLOWED_MARKUP = [/^<@[A-Z0-9]+>$/, /^<#C[A-Z0-9]+>$/, /^<!date\^\d+\^\{date_short_pretty\} \{time\}\|[^<>]*>$/];

/** Why `mrkdwn` is not safe to send to Slack, or undefined: live markup, bare &, invisible characters, broken UTF-16. */
export function unsafeMrkdwn(mrkdwn: string): string | undefined {
  for (const m of mrkdwn.matchAll(/<[^<>]*>?/g))
    if (!ALLOWED_MARKUP.some((re) => re.test(m[0]))) return `live markup ${JSON.stringify(m[0])}`;
  if (/>/.test(mrkdwn.replace(/<[^<>]*>/g, ''))) return 'a bare >';
  if (/&(?!amp;|lt;|gt;)/.test(mrkdwn)) return 'a bare & or a cut entity';
  if (visible(mrkdwn.replace(/\n/g, ' ')) !== mrkdwn.replace(/\n/g, ' ')) return 'an invisible or control character';
  if (/\p{Cs}/u.test(mrkdwn)) return 'a lone surrogate';
  return undefined;
}

/** Every string field of a message (text, blocks, nested), for checking. */
function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) strings(v, out);
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value))
      if (k !== 'action_id' && k !== 'value' && k !== 'type' && k !== 'style') strings(v, out);
  return out;
}

function assertSafeMessage(message: unknown): void {
  for (const s of strings(message)) {
    const why = unsafeMrkdwn(s);
    if (why) throw new Error(`${why} in ${JSON.stringify(s.slice(0, 200))}`);
  }
}

const validId = (id: string) => userIdSchema.safeParse(id).success;

function outcomeWith(errorInfo: string, meaning: string): MarkReadOutcome {
  return {
    request: { user: 'alice', peer: 'bob' },
    status: 'failed',
    actionStatus: 'FAIL',
    errorCode: 99999,
    errorInfo,
    meaning,
    action: 'x',
    attempts: 1,
    durationMs: 1,
    requestId: 1,
  };
}

export const TARGETS: Target[] = [
  {
    name: 'slash-command grammar: never throws, accepts only valid UserIDs, answers in safe mrkdwn',
    property: fc.property(words, (w) => {
      const parsed = parseCommandText(w.join(' '));
      if (parsed.kind === 'mark' && !(validId(parsed.request.user) && validId(parsed.request.peer)))
        throw new Error('invalid pair accepted');
      if (parsed.kind === 'mark-many' && ![parsed.user, ...parsed.peers].every(validId))
        throw new Error('invalid peer accepted');
      if (parsed.kind === 'mark-all' && !validId(parsed.user)) throw new Error('invalid user accepted');
      if (parsed.kind === 'invalid') assertSafeMessage(usageMessage(parsed.problems));
    }),
  },
  {
    name: 'CLI arguments: never throw, accept only valid UserIDs, errors show no invisible characters',
    property: fc.property(words, (w) => {
      const parsed = parseCliArgs(w);
      if (parsed.kind === 'mark' && !(validId(parsed.request.user) && validId(parsed.request.peer)))
        throw new Error('invalid pair accepted');
      if (parsed.kind === 'mark-many' && ![parsed.user, ...parsed.peers].every(validId))
        throw new Error('invalid peer accepted');
      if (parsed.kind === 'usage-error')
        for (const p of parsed.problems)
          if (visible(p) !== p) throw new Error(`invisible character echoed: ${JSON.stringify(p)}`);
    }),
  },
  {
    name: 'UserID rules: exactly 1–32 bytes of printable ASCII without < > & `',
    property: fc.property(fc.oneof(anyChar, fc.stringMatching(/^[!-~]{0,40}$/)), (id) => {
      const expected = id.length >= 1 && id.length <= 32 && /^[!-~]+$/.test(id) && !/[<>&`]/.test(id);
      const checked = checkUserId(id, 'user');
      if (checked.ok !== expected)
        throw new Error(`checkUserId(${JSON.stringify(id)}) = ${checked.ok}, expected ${expected}`);
      if (!checked.ok && (visible(checked.message) !== checked.message || checked.message.length > 200))
        throw new Error('error message echoes raw or unbounded input');
    }),
  },
  {
    name: 'pairs file: never throws, accepts only valid pairs',
    property: fc.property(
      fc.array(
        fc.array(token, { maxLength: 4 }).map((f) => f.join(',')),
        { maxLength: 6 },
      ),
      (lines) => {
        const parsed = parsePairsFile(lines.join('\n'));
        if (parsed.ok)
          for (const p of parsed.pairs)
            if (!validId(p.user) || !validId(p.peer) || p.user === p.peer) throw new Error('invalid pair accepted');
      },
    ),
  },
  {
    name: 'escaping and clipping: no live markup, entities and surrogate pairs kept whole, within the limit',
    property: fc.property(text, fc.integer({ min: 1, max: 80 }), (t, max) => {
      const out = clip(escapeMrkdwn(t), max);
      if (out.length > max) throw new Error(`clipped to ${out.length} > ${max}`);
      const why = unsafeMrkdwn(out);
      if (why) throw new Error(`${why}: ${JSON.stringify(out)}`);
    }),
  },
  {
    name: 'redaction boundary: no known secret, UserSig or token shape survives, wherever it is embedded',
    property: fc.property(
      text,
      text,
      userSig,
      secretKey,
      fc.constantFrom('', 'usersig=', '&usersig=', 'usersig%3D', ' sig '),
      (a, b, sig, key, prefix) => {
        const redactor = new Redactor();
        redactor.addSecret(key);
        redactor.addUserSig(sig);
        const out = redactor.scrub(`${a}${prefix}${sig}${b}${key} xoxb-123-abc ${a}`);
        if (out.includes(sig) || out.includes(key) || out.includes('xoxb-123-abc'))
          throw new Error(`secret survived: ${JSON.stringify(out)}`);
        // Untrusted server text loses secret shapes even with no redactor at all.
        const shown = untrusted(`${a} ${prefix}${sig} ${b}`, 10_000);
        if (shown.includes(sig)) throw new Error(`UserSig shape survived untrusted(): ${JSON.stringify(shown)}`);
      },
    ),
  },
  {
    name: 'a reason of any content is checked without throwing and shown as safe mrkdwn wherever it is echoed',
    property: fc.property(text, (raw) => {
      const checked = checkReason(raw, { required: true, min: 1 });
      if (!checked.ok) return assertSafeMessage(usageMessage([checked.problem]));
      const reason = checked.reason as string;
      if (visible(reason) !== reason) throw new Error('an invisible character kept in a reason');
      assertSafeMessage(parentMessage('U1', { user: 'alice', peer: 'bob' }, 'working', reason));
      assertSafeMessage(bulkParentMessage('U1', 'scope', 'ok', reason));
      assertSafeMessage(confirmAllMessage('run', 'alice', 3, reason));
    }),
  },
  {
    name: 'IM answers in Slack: an ErrorInfo of any content becomes safe mrkdwn in every message field',
    property: fc.property(text, userSig, (info, sig) => {
      const errorInfo = untrusted(`${info} /v4/openim/admin_set_msg_read?usersig=${sig}&random=1 ${info}`);
      if (errorInfo.includes(sig)) throw new Error('UserSig reached the outcome');
      const meaning = explainError(99999, `${info} ${sig}`).meaning;
      if (meaning.includes(sig)) throw new Error('UserSig reached the meaning');
      const before = { known: false as const, reason: meaning };
      assertSafeMessage(outcomeMessage({ outcome: outcomeWith(errorInfo, meaning), before, after: before }));
      const group = { key: 'ErrorCode 99999', meaning, action: meaning, count: 1, examples: ['alice ↔ bob'] };
      assertSafeMessage(
        summaryMessage(
          {
            done: 1,
            ok: 0,
            failed: 1,
            stopped: true,
            failures: [group],
            unreadBefore: null,
            unreadAfter: null,
            countsUnknown: 1,
            durationMs: 1,
            sourceError: meaning,
          },
          2,
          '/markread alice --all',
        ),
      );
    }),
  },
  {
    name: 'a check in Slack: conversation and group names from the IM list, of any content, become safe mrkdwn',
    property: fc.property(fc.array(text, { minLength: 1, maxLength: 25 }), text, (names, reason) => {
      const conversations = names.map((peer, i) => ({
        peer,
        unread: i % 3 ? ({ known: true, count: i } as const) : ({ known: false, reason } as const),
        markedUnread: i % 2 === 0,
      }));
      const report: BadgeReport = {
        user: names[0] as string,
        userExists: true,
        missingPeers: names.slice(0, 3),
        totalUnread: 7,
        conversations,
        withUnread: names.length,
        withoutUnread: 0,
        marks: { readable: false, reason, unsupported: false },
        groups: { count: names.length, first: names.slice(0, 5) },
        listError: reason,
        plan: { mark: names, unread: 9, clearMarks: names.slice(1) },
      };
      assertSafeMessage(checkMessage(report, '00000000-0000-4000-8000-000000000000'));
      assertSafeMessage({
        text: '',
        blocks: [
          section(
            marksLine({
              ok: true,
              cleared: 1,
              notCleared: names.length,
              proofs: names.map((peer) => ({ peer, outcome: 'could not clear', detail: reason })),
            }),
          ),
        ],
      });
    }),
  },
];

/** The target a parsed command (Slack's or the CLI's) means, to compare the two surfaces. */
type Parsed = ReturnType<typeof parseCommandText> | ReturnType<typeof parseCliArgs>;
function targetOf(p: Parsed): MarkTarget | undefined {
  const target = bareTargetOf(p);
  const reason = 'reason' in p ? p.reason : undefined;
  const app = 'app' in p ? p.app : undefined;
  return target && { ...target, ...(reason !== undefined ? { reason } : {}), ...(app !== undefined ? { app } : {}) };
}

function bareTargetOf(p: Parsed): MarkTarget | undefined {
  if (p.kind === 'mark')
    return {
      kind: 'pairs',
      user: p.request.user,
      peers: [p.request.peer],
      readTime: p.request.readTime,
      clearMarks: p.clearMarks,
    };
  if (p.kind === 'mark-many')
    return { kind: 'pairs', user: p.user, peers: p.peers, readTime: p.readTime, clearMarks: p.clearMarks };
  if (p.kind === 'mark-all') return { kind: 'all', user: p.user, readTime: p.readTime, clearMarks: p.clearMarks };
  if (p.kind === 'check') return { kind: 'check', user: p.user, peers: p.peers };
  return undefined;
}

TARGETS.push({
  name: 'one grammar: Slack and the CLI read the same words the same way, and "run it again" parses back to the same target',
  property: fc.property(words, (w) => {
    // Words both surfaces see alike: Slack splits on whitespace (outside quotes) and answers `help` alone; the
    // CLI gets argv as given and has flags of its own.
    const plain = w.filter(
      (t) =>
        t !== '' &&
        !/\s/.test(t) &&
        t !== '-' &&
        !/^-[^-]/.test(t) &&
        !/[<>&]/.test(t) &&
        // Slack reads quotes as typed text does (a quoted part is one word); a shell has taken them off already.
        !/(^|=)["“”„'‘’]/.test(t) &&
        !/^--(json|dry-run|yes|from-file|help|version)/.test(t),
    );
    if (plain.length === 1 && /^(help|\?)$/i.test(plain[0] as string)) return;
    const slack = parseCommandText(plain.join(' '));
    const cli = parseCliArgs(plain.length === 0 ? ['--help'] : plain);
    const slackTarget = targetOf(slack);
    const cliTarget = targetOf(cli);
    // Slack caps peers at 100; below that both surfaces must agree exactly.
    if (plain.length <= 100 && JSON.stringify(slackTarget) !== JSON.stringify(cliTarget))
      throw new Error(
        `Slack ${JSON.stringify(slackTarget)} ≠ CLI ${JSON.stringify(cliTarget)} for ${JSON.stringify(plain)}`,
      );
    if (cliTarget) {
      // The rerun words are typed text (a quoted reason is one word), so they are read back as Slack reads text.
      const again = targetOf(parseCommandText(markCommandWords(cliTarget).join(' ')));
      if (JSON.stringify(again) !== JSON.stringify(cliTarget))
        throw new Error(`rerun words do not parse back: ${JSON.stringify(markCommandWords(cliTarget))}`);
    }
  }),
});
