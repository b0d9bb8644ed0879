/**
 * `npm run bench`: prints the figures the README quotes. Run on an otherwise idle machine; each section says what
 * it measures and the target it is held to. `npm run bench -- slack` (or im, bulk, replicas, metrics, apps) runs only the sections
 * named.
 */
const MAX_RPS = 190;
const CALLS = 2_000;

const SECTIONS = {
  im: async () => {
    const { benchPacing } = await import('./im-client-bench.js');
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
  },
  bulk: async () => {
    const { benchAll, benchPaging } = await import('./bulk-bench.js');
    console.log(
      `# markread <user> --all over 2,000 one-to-one conversations, TIM_MAX_RPS=${MAX_RPS}: get_list paged as it goes,`,
    );
    console.log('# unread counts before and after (10 peers a call), one admin_set_msg_read per conversation');
    console.log('# targets: >= 95 % of TIM_MAX_RPS, 0 arrivals over the ceiling in any sliding second');
    console.table([await benchAll(2_000, MAX_RPS)]);
    console.log('# Paging alone: 50,000 conversations (500 pages of 100) counted without keeping them');
    console.table([await benchPaging(50_000)]);
  },
  slack: async () => (await import('./slack-bench.js')).benchSlack(),
  replicas: async () => (await import('./replicas-bench.js')).benchReplicas(),
  metrics: async () => (await import('./metrics-bench.js')).benchMetrics(),
  apps: async () => (await import('./apps-bench.js')).benchApps(),
};

const asked = process.argv.slice(2);
const unknown = asked.filter((name) => !(name in SECTIONS));
if (unknown.length > 0) {
  console.error(`npm run bench -- [${Object.keys(SECTIONS).join(' | ')}]…: no section ${unknown.join(', ')}`);
  process.exit(2);
}
for (const [name, run] of Object.entries(SECTIONS)) if (asked.length === 0 || asked.includes(name)) await run();
