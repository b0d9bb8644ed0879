import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ImStandIn } from '../stand-ins/im-stand-in.js';
import { ADMIN, imEnv, SDK_APP_ID, SECRET_KEY } from './support/im-fixture.js';
import { waitFor } from './support/wait-for.js';

const CLI = resolve('dist/src/cli/main.js');
const hasTmux = (() => {
  try {
    execFileSync('tmux', ['-V']);
    return true;
  } catch {
    return false;
  }
})();
// A tmux server of this run's own, on a socket in a fresh directory: its sessions cannot clash with another run's.
const socketDir = mkdtempSync(join(tmpdir(), 'markread-tmux-'));
const tmux = (...args: string[]) =>
  execFileSync('tmux', ['-S', join(socketDir, 'socket'), ...args], { encoding: 'utf8' });
const screenOf = (session: string) => tmux('capture-pane', '-p', '-t', session);
/** Waits until the screen of `session` shows `pattern`; resolves with that screen. */
const screenShowing = (session: string, pattern: RegExp, what: string) =>
  waitFor(
    () => {
      const screen = screenOf(session);
      return pattern.test(screen) && screen;
    },
    { what, timeoutMs: 30_000, intervalMs: 100 },
  );

/** Runs the real CLI in a tmux pane `columns` wide, as a person at a terminal would. */
function startInPane(name: string, columns: number, env: Record<string, string>, args: string[]): void {
  const vars = Object.entries(env)
    .map(([k, v]) => `${k}='${v}'`)
    .join(' ');
  const cwd = mkdtempSync(join(tmpdir(), 'markread-tty-'));
  tmux(
    'new-session',
    '-d',
    '-s',
    name,
    '-x',
    String(columns),
    '-y',
    '30',
    `cd ${cwd} && env ${vars} ${process.execPath} ${CLI} ${args.join(' ')}; echo EXIT=$?; sleep 60`,
  );
}

describe('the CLI on a terminal (tmux)', { skip: hasTmux ? false : 'tmux is not installed' }, () => {
  const im = new ImStandIn({
    sdkAppId: SDK_APP_ID,
    identifier: ADMIN,
    secretKey: SECRET_KEY,
    accounts: new Set(['tess', ...Array.from({ length: 300 }, (_, i) => `t${i}`)]),
  });
  let env: Record<string, string>;
  before(async () => {
    const url = await im.start();
    env = {
      PATH: process.env.PATH ?? '',
      ...imEnv(url),
      TIM_MAX_RPS: '60',
    };
  });
  after(async () => {
    try {
      tmux('kill-server');
    } catch {}
    rmSync(socketDir, { recursive: true, force: true });
    await im.stop();
  });

  it('keeps the progress bar on screen, one line within a 50-column terminal, with only failures printed above it', async () => {
    const peers = [...Array.from({ length: 200 }, (_, i) => `t${i}`), 'ghost'];
    startInPane('bar', 50, env, ['tess', ...peers]);
    // Looked at every 150 ms while it runs (201 pairs at 60/s take over 3 s): what is on screen at each look.
    const looks: string[] = [];
    const screen = await waitFor(
      () => {
        const now = screenOf('bar');
        if (/EXIT=/.test(now)) return now;
        looks.push(now);
        return undefined;
      },
      { what: 'the run to end', timeoutMs: 60_000, intervalMs: 150 },
    );
    const barLines = (text: string) => text.split('\n').filter((l) => /done, \d+ OK, \d+ failed/.test(l));
    assert.ok(
      looks.some((look) => barLines(look).length === 1),
      'the bar was on screen while it ran',
    );
    for (const look of looks) {
      assert.ok(barLines(look).length <= 1, `more than one bar line:\n${look}`);
      for (const line of look.split('\n')) assert.ok(line.length <= 50, `a line wider than the terminal: ${line}`);
    }
    assert.match(screen, /FAILED +tess ↔ ghost/);
    assert.doesNotMatch(screen, /^OK +tess ↔ t\d/m, 'OK pairs are not printed over the bar');
    assert.match(screen, /EXIT=1/);
  });

  it('answers Ctrl-C at the --all prompt with exit 130 and nothing changed', async () => {
    im.seed('tess', { t1: 1, t2: 2 });
    const before = im.accepted().length;
    startInPane('prompt', 80, env, ['tess', '--all']);
    const prompt = await screenShowing('prompt', /\[y\/N\]/, 'the --all prompt');
    assert.match(prompt, /Mark all 2 one-to-one conversations of tess read\? \[y\/N\]/);
    tmux('send-keys', '-t', 'prompt', 'C-c');
    const screen = await screenShowing('prompt', /EXIT=/, 'the CLI to exit');
    assert.match(screen, /Cancelled with Ctrl-C; nothing was changed\./);
    assert.match(screen, /EXIT=130/);
    assert.doesNotMatch(screen, /unexpected error/);
    assert.equal(im.accepted().length, before);
  });
});
