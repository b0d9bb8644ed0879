import { HTTPReceiver } from '@slack/bolt';
import type { AuditSink } from '../../audit/sink.js';
import type { SlackConfig } from '../../config/slack-config.js';
import type { Logger } from '../../log/logger.js';
import type { ReplayGuard } from '../../stores/replay-guard.js';
import { boltLogger } from './bolt-logger.js';
import type { ConnectionState } from './socket/connection-state.js';
import { ResilientSocketModeReceiver } from './socket/receiver.js';

export const SLACK_API = 'https://slack.com/api/';

/** How Bolt receives: one of the two, as the configuration's mode says. */
export interface Receivers {
  http?: HTTPReceiver;
  socket?: ResilientSocketModeReceiver;
}

export interface ReceiverOptions {
  logger: Logger;
  replay: ReplayGuard;
  audit: AuditSink;
  connection: ConnectionState;
  startupWaitMs?: number;
  backoff?: { baseMs: number; capMs: number };
  /** Socket Mode: told each ack's duration (the metrics). */
  onAck?: (seconds: number) => void;
}

export function createReceivers(slack: SlackConfig, options: ReceiverOptions): Receivers {
  if (slack.mode === 'http')
    return {
      // The front door has verified the signature, the timestamp and replays already; Bolt need not do it twice.
      http: new HTTPReceiver({
        signingSecret: slack.signingSecret?.reveal() as string,
        signatureVerification: false,
        logger: boltLogger(options.logger),
        endpoints: ['/slack/events'],
      }),
    };
  return {
    socket: new ResilientSocketModeReceiver({
      appToken: slack.appToken?.reveal() as string,
      apiUrl: slack.apiUrl ?? SLACK_API,
      logger: options.logger,
      state: options.connection,
      startupWaitMs: options.startupWaitMs,
      backoff: options.backoff,
      replay: options.replay,
      audit: options.audit,
      onAck: options.onAck,
    }),
  };
}
