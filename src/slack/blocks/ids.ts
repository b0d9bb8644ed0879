/** The ids Slack sends back: the modal's callback and fields, and the bulk runs' buttons. */
export const MODAL_CALLBACK_ID = 'markread_modal';
export const MODAL_FIELDS = { user: 'user', peer: 'peer', readTime: 'read_time', reason: 'reason' } as const;
export const MODAL_ACTION = 'value';

export const BULK_ACTIONS = {
  confirm: 'markread_all_confirm',
  cancel: 'markread_all_cancel',
  stop: 'markread_stop',
} as const;

/** The form opened from App Home asks for the channel its thread goes to (a command's form has its channel). */
export const MODAL_CHANNEL_FIELD = 'channel';

/** The form's IM app selector (only when markread serves several apps). */
export const MODAL_APP_FIELD = 'im_app';

/** The App Home tab's button that opens the form. */
export const HOME_ACTIONS = { openForm: 'markread_home_open_form' } as const;

/** The approval request's buttons, in the channel: open to anyone, each press judged by its handler. */
export const APPROVAL_ACTIONS = {
  approve: 'markread_approve',
  deny: 'markread_deny',
  withdraw: 'markread_withdraw',
} as const;

/** The form that asks a denier why. */
export const DENY_CALLBACK_ID = 'markread_deny_reason';
export const DENY_FIELD = 'deny_reason';
