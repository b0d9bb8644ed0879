import { parse, stringify } from 'node:querystring';
import type { App } from '@slack/bolt';
import type { Redactor } from '../../log/redactor.js';
import { lightFetch } from './light-fetch.js';

type Fetch = typeof globalThis.fetch;

/**
 * The Slack side of the redaction boundary: every Web API request body (chat.postMessage, chat.update,
 * views.open, …) and every ack passes through the one Redactor before it leaves, whichever listener built it.
 * Message builders still escape what they echo; this is what guarantees no secret leaves even if one forgets.
 */
export function scrubbingFetch(redactor: Redactor, base: Fetch = lightFetch()): Fetch {
  return (input, init) => {
    if (init && typeof init.body === 'string') {
      const type = new Headers(init.headers).get('content-type') ?? '';
      init = { ...init, body: scrubBody(redactor, init.body, type) };
    }
    return base(input, init);
  };
}

function scrubBody(redactor: Redactor, body: string, contentType: string): string {
  if (contentType.includes('application/json')) return JSON.stringify(redactor.scrubDeep(JSON.parse(body) as unknown));
  // Form bodies: values are scrubbed decoded (a secret could be percent-encoded), never the token field itself.
  const fields = parse(body);
  for (const [key, value] of Object.entries(fields)) {
    if (key === 'token' || value === undefined) continue;
    fields[key] = Array.isArray(value) ? value.map((v) => redactor.scrub(v)) : redactor.scrub(value);
  }
  return stringify(fields);
}

/**
 * Acks are written by Bolt's receivers (an HTTP response, or a Socket Mode envelope reply), out of our reach;
 * App.processEvent is the one door every event and its ack pass through in both modes, so the ack is wrapped
 * there.
 */
export function scrubAcks(app: App, redactor: Redactor): void {
  const processEvent = app.processEvent.bind(app);
  app.processEvent = (event) =>
    processEvent({
      ...event,
      ack: (response?: unknown) => event.ack(response === undefined ? undefined : redactor.scrubDeep(response)),
    });
}
