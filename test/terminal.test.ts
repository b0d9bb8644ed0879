import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ImStandIn } from '../stand-ins/im-stand-in.js';
import { ADMIN, imEnv, SDK_APP_ID, SECRET_KEY } from './support/im-fixture.js';

const CLI = resolve('dist/src/cli/main.js');
const hasTmux = (() => {
  try {
    execFileSync('tmux', ['-V']);
    return true;
  } catch {
    return false;
  }
})();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const tmux = (...args: string[]) => execFileSync('tmux', args, { encoding: 'utf8' });

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
    for (const s of ['bar', 'prompt']) {
      try {
        tmux('kill-session', '-t', s);
      } catch {}
    }
    await im.stop();
  });

  it('keeps the progress bar on screen, one line within a 50-column terminal, with only failures printed above it', async () => {
    const peers = [...Array.from({ length: 200 }, (_, i) => `t${i}`), 'ghost'];
    startInPane('bar', 50, env, ['tess', ...peers]);
    let seen = 0;
    let samples = 0;
    let screen = '';
    for (let i = 0; i < 40; i++) {
      await sleep(150);
      screen = tmux('capture-pane', '-p', '-t', 'bar');
      if (/EXIT=/.test(screen)) break;
      samples++;
      const bars = screen.split('\n').filter((l) => /done, \d+ OK, \d+ failed/.test(l));
      assert.ok(bars.length <= 1, `more than one bar line:\n${screen}`);
      for (const line of screen.split('\n')) assert.ok(line.length <= 50, `a line wider than the terminal: ${line}`);
      if (bars.length === 1) seen++;
    }
    while (!/EXIT=/.test(screen)) {
      await sleep(200);
      screen = tmux('capture-pane', '-p', '-t', 'bar');
    }
    console.log(`# terminal: progress bar on screen in ${seen} of ${samples} samples of a 201-pair run, 50 columns`);
    assert.ok(samples > 0 && seen / samples >= 0.8, `bar visible in ${seen} of ${samples} samples`);
    assert.match(screen, /FAILED +tess ↔ ghost/);
    assert.doesNotMatch(screen, /^OK +tess ↔ t\d/m, 'OK pairs are not printed over the bar');
    assert.match(screen, /EXIT=1/);
  });

  it('answers Ctrl-C at the --all prompt with exit 130 and nothing changed', async () => {
    im.seed('tess', { t1: 1, t2: 2 });
    const before = im.accepted().length;
    startInPane('prompt', 80, env, ['tess', '--all']);
    let screen = '';
    for (let i = 0; i < 50 && !/\[y\/N\]/.test(screen); i++) {
      await sleep(100);
      screen = tmux('capture-pane', '-p', '-t', 'prompt');
    }
    assert.match(screen, /Mark all 2 one-to-one conversations of tess read\? \[y\/N\]/);
    tmux('send-keys', '-t', 'prompt', 'C-c');
    for (let i = 0; i < 50 && !/EXIT=/.test(screen); i++) {
      await sleep(100);
      screen = tmux('capture-pane', '-p', '-t', 'prompt');
    }
    assert.match(screen, /Cancelled with Ctrl-C; nothing was changed\./);
    assert.match(screen, /EXIT=130/);
    assert.doesNotMatch(screen, /unexpected error/);
    assert.equal(im.accepted().length, before);
  });
});
