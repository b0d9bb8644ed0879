/**
 * `npm run bench`: prints the figures the README quotes. Run on an otherwise idle machine; each section says what
 * it measures and the target it is held to.
 */
import { benchPacing } from './im-client-bench.js';

const MAX_RPS = 190;
const CALLS = 2_000;

console.log(
  `# IM client pacing: ${CALLS} admin_set_msg_read calls at once, TIM_MAX_RPS=${MAX_RPS}, stand-in in its own process`,
);
console.log('# targets: >= 95 % of TIM_MAX_RPS, 0 arrivals over the ceiling in any sliding second');
const rows = [];
for (const [scenario, delay] of [
  ['answers at once', 0],
  ['answers after 50 ms', 50],
] as const) {
  rows.push(await benchPacing(scenario, CALLS, MAX_RPS, delay));
}
console.table(rows);

const { benchAll, benchPaging } = await import('./bulk-bench.js');
console.log(
  `# markread <user> --all over 2,000 one-to-one conversations, TIM_MAX_RPS=${MAX_RPS}: get_list paged as it goes,`,
);
console.log('# unread counts before and after (10 peers a call), one admin_set_msg_read per conversation');
console.log('# targets: >= 95 % of TIM_MAX_RPS, 0 arrivals over the ceiling in any sliding second');
console.table([await benchAll(2_000, MAX_RPS)]);
console.log('# Paging alone: 50,000 conversations (500 pages of 100) counted without keeping them');
console.table([await benchPaging(50_000)]);

const { benchSlack } = await import('./slack-bench.js');
await benchSlack();

const { benchReplicas } = await import('./replicas-bench.js');
await benchReplicas();

const { benchSplit } = await import('./split-bench.js');
await benchSplit();
