import { parseMarkReadRequest, type MarkReadRequest } from '../domain/mark-read-request.js';
import { unescapeSlackText } from './mrkdwn.js';

export type ParsedCommand =
  | { kind: 'modal' }
  | { kind: 'help' }
  | { kind: 'mark'; request: MarkReadRequest }
  | { kind: 'invalid'; problems: string[] };

/** A Slack mention, channel or special mention as it arrives in raw command text: <@U…>, <#C…|name>, <!channel>. */
const SLACK_REFERENCE = /^<[@#!][^>]*>$/;

/**
 * Reads `/markread` text: nothing (modal), `help`, or `<user> <peer> [--read-time <unix seconds>]`. Slack escapes
 * &, <, > in the text; mentions are recognised before unescaping (their angle brackets are raw), then the
 * rest is unescaped and validated with the same rules as every entry point.
 */
export function parseCommandText(text: string, nowMs = Date.now()): ParsedCommand {
  const tokens = text.trim().split(/\s+/).filter(Boolean);
  if (tokens.length === 0) return { kind: 'modal' };
  if (tokens.length === 1 && /^(help|-h|--help|\?)$/i.test(tokens[0] as string)) return { kind: 'help' };

  const mentions = tokens.filter((t) => SLACK_REFERENCE.test(t));
  if (mentions.length > 0) {
    return {
      kind: 'invalid',
      problems: [`${mentions.map((m) => m.replace(/^<([@#!][^|>]*).*$/, '$1')).join(', ')} is a Slack mention, not a Tencent IM UserID; type the IM UserIDs (e.g. alice bob)`],
    };
  }
  const words = tokens.map(unescapeSlackText);
  let readTime: string | undefined;
  const positionals: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    if (word === '--read-time') {
      readTime = words[++i] ?? '';
    } else if (word.startsWith('--read-time=')) {
      readTime = word.slice('--read-time='.length);
    } else if (word.startsWith('--')) {
      return { kind: 'invalid', problems: [`unknown option ${word}; the only option is --read-time <unix seconds>`] };
    } else {
      positionals.push(word);
    }
  }
  if (positionals.length !== 2) {
    return { kind: 'invalid', problems: [`expected two IM UserIDs, <user> and <peer>, got ${positionals.length}`] };
  }
  const checked = parseMarkReadRequest({ user: positionals[0] as string, peer: positionals[1] as string, readTime }, nowMs);
  return checked.ok ? { kind: 'mark', request: checked.request } : { kind: 'invalid', problems: checked.problems.map((p) => p.message) };
}
