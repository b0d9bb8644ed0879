/**
 * What each Tencent Cloud Chat error code means, what a responder can do about it, and whether the client may
 * retry. Sources: the admin_set_msg_read reference and Tencent's public error-code list (see
 * shared/reference/tencent-im.md). Codes not listed here are reported as unknown with the raw ErrorInfo.
 */

/**
 * - `never`: retrying cannot help (bad input, bad configuration, a refusal).
 * - `transient`: a passing server or network fault; retry with backoff.
 * - `slow-down`: the frequency limit was hit; slow the whole client and retry.
 * - `new-usersig`: the signature was refused; make a new UserSig and retry once.
 * - `once-more`: might be passing, might be our request; retry once.
 */
import { untrusted } from '../text/untrusted.js';

export type RetryClass = 'never' | 'transient' | 'slow-down' | 'new-usersig' | 'once-more';

export interface ErrorExplanation {
  code: number;
  /** What happened, in plain words. */
  meaning: string;
  /** What the responder can do next. */
  action: string;
  retry: RetryClass;
  known: boolean;
}

type Entry = Omit<ErrorExplanation, 'code' | 'known'>;

const CONTACT_ADMIN = 'Ask whoever runs the markread deployment to check its configuration.';

const entries: Array<[number[], Entry]> = [
  [
    [90001],
    {
      meaning: 'The IM server could not parse the request JSON.',
      action: 'This is a markread bug; report it with the request id.',
      retry: 'never',
    },
  ],
  [
    [90003],
    {
      meaning: 'The peer account (Peer_Account) is missing or does not exist in this IM app.',
      action: 'Check the peer UserID: UserIDs are case-sensitive and must be imported into this SDKAppID.',
      retry: 'never',
    },
  ],
  [
    [90008],
    {
      meaning: 'The user account (Report_Account) is missing or does not exist in this IM app.',
      action: 'Check the user UserID: UserIDs are case-sensitive and must be imported into this SDKAppID.',
      retry: 'never',
    },
  ],
  [
    [60002],
    {
      meaning: 'The IM server could not parse the HTTP request.',
      action: 'This is a markread bug; report it with the request id.',
      retry: 'never',
    },
  ],
  [
    [60003],
    {
      meaning: 'The IM server could not parse the request JSON.',
      action: 'This is a markread bug; report it with the request id.',
      retry: 'never',
    },
  ],
  [
    [60004, 60005],
    {
      meaning: 'The admin identifier or its UserSig was refused.',
      action: `Check TIM_ADMIN_IDENTIFIER and TIM_SECRET_KEY belong to this SDKAppID. ${CONTACT_ADMIN}`,
      retry: 'new-usersig',
    },
  ],
  [
    [60006],
    {
      meaning: 'The SDKAppID is not valid.',
      action: `Check TIM_SDKAPPID against the IM console. ${CONTACT_ADMIN}`,
      retry: 'never',
    },
  ],
  [
    [60007, 60011, 60018, 60019],
    {
      meaning: 'The IM API call-frequency limit was exceeded.',
      action:
        'markread slowed down and retried; if this persists, lower TIM_MAX_RPS or wait a minute and run it again.',
      retry: 'slow-down',
    },
  ],
  [
    [60008],
    {
      meaning: 'The IM service timed out, or the request format was wrong.',
      action: 'Run it again; if it keeps failing, report it with the request id.',
      retry: 'once-more',
    },
  ],
  [
    [60010, 70403],
    {
      meaning: 'The identifier that signs requests is not an App admin.',
      action: `Set TIM_ADMIN_IDENTIFIER to an App admin account (IM console → Account Management). ${CONTACT_ADMIN}`,
      retry: 'never',
    },
  ],
  [
    [60012],
    {
      meaning: 'The request did not carry an SDKAppID.',
      action: `Check TIM_SDKAPPID. ${CONTACT_ADMIN}`,
      retry: 'never',
    },
  ],
  [
    [60013],
    {
      meaning: 'The IM server had an internal parse error.',
      action: 'Passing server fault: run it again.',
      retry: 'transient',
    },
  ],
  [
    [60014],
    {
      meaning: 'The IM server timed out exchanging the account.',
      action: 'Passing server fault: run it again.',
      retry: 'transient',
    },
  ],
  [
    [60015],
    {
      meaning: 'An account field was not a string.',
      action: 'This is a markread bug; report it with the request id.',
      retry: 'never',
    },
  ],
  [
    [60016],
    { meaning: 'This SDKAppID has been disabled.', action: 'Check the app status in the IM console.', retry: 'never' },
  ],
  [
    [60017],
    {
      meaning: 'This request has been disabled for the app.',
      action: 'Check the app status and REST API permissions in the IM console.',
      retry: 'never',
    },
  ],
  [
    [60020],
    {
      meaning: 'The Pro edition has expired or was never bought; this API needs it.',
      action: 'Renew or buy the Pro edition in the IM console.',
      retry: 'never',
    },
  ],
  [
    [60021],
    {
      meaning: "The calling IP address is not on the app's REST API allowlist.",
      action: "Add this server's outbound IP to the IM console's REST API IP allowlist.",
      retry: 'never',
    },
  ],
  [
    [70001],
    {
      meaning: 'The admin UserSig has expired.',
      action: "markread made a new one and retried; if it persists, check this server's clock.",
      retry: 'new-usersig',
    },
  ],
  [
    [70002, 70003, 70005, 70052],
    {
      meaning: 'The admin UserSig is empty or not valid.',
      action: `Check TIM_SECRET_KEY is the key of this SDKAppID. ${CONTACT_ADMIN}`,
      retry: 'new-usersig',
    },
  ],
  [
    [70009],
    {
      meaning: "The UserSig was made with another app's secret key.",
      action: `Check TIM_SECRET_KEY matches TIM_SDKAPPID. ${CONTACT_ADMIN}`,
      retry: 'never',
    },
  ],
  [
    [70013, 70014],
    {
      meaning: "The identifier or SDKAppID in the request differs from the UserSig's.",
      action: `Check TIM_ADMIN_IDENTIFIER and TIM_SDKAPPID. ${CONTACT_ADMIN}`,
      retry: 'never',
    },
  ],
  [
    [70016, 70020],
    {
      meaning: 'The IM server does not know this SDKAppID or its key: usually the wrong region host.',
      action: `Set TIM_REGION to the region the app was created in (IM console → app overview). ${CONTACT_ADMIN}`,
      retry: 'never',
    },
  ],
  [
    [70050],
    {
      meaning: 'The admin account is locked after too many bad UserSigs.',
      action: 'Wait 60 seconds before trying again, and fix TIM_SECRET_KEY first or it will lock again.',
      retry: 'never',
    },
  ],
  [
    [70051],
    {
      meaning: 'The account is on the blocklist.',
      action: 'Check the account status in the IM console.',
      retry: 'never',
    },
  ],
  [
    [70107],
    {
      meaning: 'The user has not been imported into this IM app or does not exist.',
      action: 'Check both UserIDs (case-sensitive) and that they belong to this SDKAppID.',
      retry: 'never',
    },
  ],
  [
    [70114],
    {
      meaning: 'The request was restricted for security reasons.',
      action: 'Contact Tencent Cloud support with the request id.',
      retry: 'never',
    },
  ],
  [
    [70169],
    {
      meaning: 'The IM server timed out internally.',
      action: 'Passing server fault: run it again.',
      retry: 'transient',
    },
  ],
  [
    [70500],
    {
      meaning: 'The IM server had an internal error.',
      action: 'Passing server fault: run it again.',
      retry: 'transient',
    },
  ],
  [
    [70398],
    {
      meaning: 'The account count is over the free-edition limit.',
      action: 'Upgrade the IM edition or remove unused accounts.',
      retry: 'never',
    },
  ],
  [
    [70402],
    {
      meaning: 'A request parameter was not valid.',
      action: 'Check both UserIDs; if they look right, report it with the request id.',
      retry: 'never',
    },
  ],
  [
    [20004, 20005, 90992, 90994, 90995, 91000, 50004, 50005, 10002],
    {
      meaning: 'The IM service had an internal or network error.',
      action: 'Passing server fault: run it again.',
      retry: 'transient',
    },
  ],
];

const catalogue = new Map<number, Entry>();
for (const [codes, entry] of entries) for (const code of codes) catalogue.set(code, entry);

/** All codes the catalogue knows, for tests and docs. */
export const KNOWN_ERROR_CODES: readonly number[] = [...catalogue.keys()];

export function explainError(code: number, errorInfo = ''): ErrorExplanation {
  const entry = catalogue.get(code);
  if (entry) return { code, known: true, ...entry };
  return {
    code,
    known: false,
    // ErrorInfo of an unknown code is the only server text in a meaning: scrubbed and clipped like any untrusted text.
    meaning: `Unknown error code ${code}${errorInfo ? `: ${untrusted(errorInfo, 200)}` : ''}.`,
    action: "Look the code up in Tencent Cloud Chat's error code list; markread did not retry it.",
    retry: 'never',
  };
}
