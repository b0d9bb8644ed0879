import { type MarkReadRequest, markReadRequest, parseMarkReadRequest } from '../domain/mark-read-request.js';
import { checkReadTime, checkUserId } from '../domain/user-id.js';
import { quote } from '../text/visible.js';
import { unescapeSlackText } from './mrkdwn.js';

export type ParsedCommand =
  | { kind: 'modal' }
  | { kind: 'help' }
  | { kind: 'mark'; request: MarkReadRequest }
  | { kind: 'mark-many'; user: string; peers: string[]; readTime: number | undefined }
  | { kind: 'mark-all'; user: string; readTime: number | undefined }
  | { kind: 'invalid'; problems: string[] };

/** Peers one command may name (one thread reply covers them all). */
export const MAX_PEERS = 100;

/** A Slack mention, channel or special mention as it arrives in raw command text: <@U…>, <#C…|name>, <!channel>. */
const SLACK_REFERENCE = /^<[@#!][^>]*>$/;

/**
 * Reads `/markread` text: nothing (modal), `help`, `<user> <peer> [<peer> …]` or `<user> --all`, each with an
 * optional `--read-time <unix seconds>`. Slack escapes
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
      problems: [
        `${mentions
          .slice(0, 3)
          .map((m) => quote(m.replace(/^<([@#!][^|>]*).*$/, '$1'), 32))
          .join(', ')} is a Slack mention, not a Tencent IM UserID; type the IM UserIDs (e.g. alice bob)`,
      ],
    };
  }
  const words = tokens.map(unescapeSlackText);
  let readTime: string | undefined;
  let all = false;
  const positionals: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    if (word === '--read-time') {
      readTime = words[++i] ?? '';
    } else if (word.startsWith('--read-time=')) {
      readTime = word.slice('--read-time='.length);
    } else if (word === '--all') {
      all = true;
    } else if (word.startsWith('--')) {
      return {
        kind: 'invalid',
        problems: [`unknown option ${quote(word, 32)}; the options are --all and --read-time <unix seconds>`],
      };
    } else {
      positionals.push(word);
    }
  }
  let readSeconds: number | undefined;
  if (readTime !== undefined) {
    const checked = checkReadTime(readTime, nowMs);
    if (!checked.ok) return { kind: 'invalid', problems: [checked.message] };
    readSeconds = checked.value;
  }
  if (all) {
    if (positionals.length !== 1)
      return {
        kind: 'invalid',
        problems: [
          `--all takes exactly one IM UserID, the user whose conversations become read; got ${positionals.length}`,
        ],
      };
    const user = checkUserId(positionals[0] as string, 'user');
    return user.ok
      ? { kind: 'mark-all', user: user.value, readTime: readSeconds }
      : { kind: 'invalid', problems: [user.message] };
  }
  if (positionals.length < 2) {
    return { kind: 'invalid', problems: [`expected two IM UserIDs, <user> and <peer>, got ${positionals.length}`] };
  }
  const [user, ...rawPeers] = positionals as [string, ...string[]];
  const peers = [...new Set(rawPeers)];
  if (peers.length > MAX_PEERS)
    return {
      kind: 'invalid',
      problems: [`${peers.length} peers is more than ${MAX_PEERS}; use --all or the CLI's --from-file for more`],
    };
  // Every pair is checked before anything is called: one bad UserID rejects the whole command.
  const problems: string[] = [];
  for (const [i, peer] of peers.entries()) {
    const checked = parseMarkReadRequest({ user, peer }, nowMs);
    if (!checked.ok)
      problems.push(...checked.problems.filter((p) => p.field !== 'user' || i === 0).map((p) => p.message));
  }
  if (problems.length > 0) return { kind: 'invalid', problems };
  if (peers.length === 1) return { kind: 'mark', request: markReadRequest(user, peers[0] as string, readSeconds) };
  return { kind: 'mark-many', user, peers, readTime: readSeconds };
}
