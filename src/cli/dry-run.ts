import type { MarkReadRequest } from '../domain/mark-read-request.js';
import { ADMIN_SET_MSG_READ, adminSetMsgReadBody } from '../im/apis/admin-set-msg-read.js';
import { EXIT } from './exit-codes.js';
import type { ImSession } from './im-session.js';
import type { Terminal } from './terminal.js';

/** The plan of a dry run of pairs: how many pairs, whose, and the first request exactly as it would be sent. */
export function dryRun(
  term: Terminal,
  { app, sdkAppIdMissing }: ImSession,
  pairs: MarkReadRequest[],
  json: boolean,
): number {
  const first = pairs[0] as MarkReadRequest;
  const described = app.client.describeRequest(
    ADMIN_SET_MSG_READ.command,
    adminSetMsgReadBody({ reportAccount: first.user, peerAccount: first.peer, msgReadTime: first.readTime }),
  );
  if (sdkAppIdMissing) described.query.sdkappid = `<${sdkAppIdMissing}>`;
  const users = [...new Set(pairs.map((p) => p.user))];
  if (json) {
    term.out(
      `${JSON.stringify({ dryRun: true, pairs: pairs.length, users: users.slice(0, 20), usersTotal: users.length, first: described })}\n`,
    );
    return EXIT.ok;
  }
  // The usersig= value is shown redacted, as every usersig= value is anywhere markread prints (none is minted here).
  const query = Object.entries(described.query)
    .map(([k, v]) => `${k}=${k === 'usersig' ? '[redacted]' : v}`)
    .join('&');
  const whose = `${users.length} user${users.length === 1 ? '' : 's'} (${users.slice(0, 5).join(', ')}${users.length > 5 ? ', …' : ''})`;
  term.out(
    `Dry run: nothing was sent. ${pairs.length} pair${pairs.length === 1 ? '' : 's'} for ${whose}; each is one admin_set_msg_read, with unread counts read before and after.\n` +
      `First request (no UserSig is minted in a dry run):\n  ${described.method} ${described.origin}${described.path}?${query}\n  body ${JSON.stringify(described.body)}\n`,
  );
  return EXIT.ok;
}
