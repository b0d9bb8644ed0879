import { MODAL_ACTION, MODAL_CALLBACK_ID, MODAL_FIELDS } from './ids.js';
import { section } from './message.js';

/** The /markread form; `privateMetadata` is the sealed channel and response_url (see sealed-metadata.ts). */
export function markReadModal(privateMetadata: string) {
  const input = (blockId: string, label: string, placeholder: string, hint: string, optional = false) => ({
    type: 'input' as const,
    block_id: blockId,
    optional,
    label: { type: 'plain_text' as const, text: label },
    hint: { type: 'plain_text' as const, text: hint },
    element: {
      type: 'plain_text_input' as const,
      action_id: MODAL_ACTION,
      placeholder: { type: 'plain_text' as const, text: placeholder },
      max_length: 64,
    },
  });
  return {
    type: 'modal' as const,
    callback_id: MODAL_CALLBACK_ID,
    private_metadata: privateMetadata,
    title: { type: 'plain_text' as const, text: 'Mark conversation read' },
    submit: { type: 'plain_text' as const, text: 'Mark read' },
    close: { type: 'plain_text' as const, text: 'Cancel' },
    blocks: [
      section(
        'Marks every message of the user’s one-to-one conversation with the peer read, as the IM app admin. Use Tencent Cloud Chat UserIDs, not Slack names.',
      ),
      input(
        MODAL_FIELDS.user,
        'User (whose badge is stuck)',
        'e.g. alice',
        'The IM UserID whose conversation becomes read.',
      ),
      input(
        MODAL_FIELDS.peer,
        'Peer (the other side)',
        'e.g. bob',
        'The IM UserID on the other side of the one-to-one conversation.',
      ),
      input(
        MODAL_FIELDS.readTime,
        'Read up to (optional)',
        'Unix seconds, e.g. 1767225600',
        'Only messages sent before this time become read. Empty means now.',
        true,
      ),
    ],
  };
}
