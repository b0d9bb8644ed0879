import type { ReasonPolicy } from '../config/reason-config.js';
import { type MarkCommand, markCommandOf, markCommandWords, parseMarkCommand } from '../domain/command-grammar.js';
import { splitWords } from '../domain/command-words.js';
import { DEFAULT_APP } from '../im/app.js';
import { quote } from '../text/visible.js';
import { unescapeSlackText } from './blocks/mrkdwn.js';

export type ParsedCommand =
  | { kind: 'modal' }
  | { kind: 'help' }
  | MarkCommand
  | { kind: 'invalid'; problems: string[] };

export const SLASH_COMMAND = '/markread';

/**
 * The command that repeats a run (marking read is idempotent, so it finishes the job), in the shared grammar,
 * its reason quoted so that it reads back the same, and its app named (but not the single app of the TIM_*
 * variables, which has no name to type).
 */
export function rerunCommand(
  user: string,
  target: string[] | 'all',
  readTime: number | undefined,
  clearMarks = false,
  reason?: string,
  app?: string,
): string {
  const named = app !== undefined && app !== DEFAULT_APP;
  const why = { ...(reason === undefined ? {} : { reason }), ...(named ? { app } : {}) };
  const words = markCommandWords(
    target === 'all'
      ? { kind: 'all', user, readTime, clearMarks, ...why }
      : { kind: 'pairs', user, peers: target, readTime, clearMarks, ...why },
  );
  return `${SLASH_COMMAND} ${words.join(' ')}`;
}

/** Peers one command may name (one thread reply covers them all). */
export const MAX_PEERS = 100;

/** A Slack mention, channel or special mention as it arrives in raw command text: <@U…>, <#C…|name>, <!channel>. */
const SLACK_REFERENCE = /^<[@#!][^>]*>$/;

/**
 * Reads `/markread` text: nothing (the modal), `help`, or a mark command in the one grammar every surface
 * shares (domain/command-grammar.ts). Only Slack's own syntax is handled here: words split at whitespace except
 * inside quotes (straight or curly, for `--reason "…"`), Slack escapes &, <, > in the text, and mentions are
 * recognised before unescaping (their angle brackets are raw) and refused as UserIDs; in a reason they are text.
 */
export function parseCommandText(
  text: string,
  options: { nowMs?: number; reasonPolicy?: ReasonPolicy } = {},
): ParsedCommand {
  const split = splitWords(text);
  if (!split.ok) return { kind: 'invalid', problems: [split.problem] };
  const tokens = split.words;
  if (tokens.length === 0) return { kind: 'modal' };
  if (tokens.length === 1 && /^(help|-h|--help|\?)$/i.test(tokens[0] as string)) return { kind: 'help' };

  const reasons = new Set(tokens.flatMap((t, i) => (t === '--reason' ? [i + 1] : [])));
  const mentions = tokens.filter((t, i) => !reasons.has(i) && !t.startsWith('--reason=') && SLACK_REFERENCE.test(t));
  if (mentions.length > 0) {
    return {
      kind: 'invalid',
      problems: [
        `${mentions
          .slice(0, 3)
          .map((m) => quote(m.replace(/^<([@#!][^|>]*).*$/, '$1'), 32))
          .join(', ')} is a Slack mention, not a Tencent IM UserID; type the IM UserIDs (e.g. alice bob)`,
      ],
    };
  }
  const parsed = parseMarkCommand(tokens.map(unescapeSlackText), { ...options, maxPeers: MAX_PEERS });
  if (!parsed.ok) return { kind: 'invalid', problems: parsed.problems };
  return markCommandOf(parsed.target);
}
