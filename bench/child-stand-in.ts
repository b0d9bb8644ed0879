import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const SERVE_IM = fileURLToPath(new URL('../stand-ins/serve-im.js', import.meta.url));

/** The IM stand-in in a child process, with its arrival log one message away. */
export class ChildImStandIn {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {}

  static async start(env: Record<string, string>): Promise<ChildImStandIn> {
    const child = fork(SERVE_IM, { env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const [message] = (await once(child, 'message')) as [{ url: string }];
    return new ChildImStandIn(child, message.url);
  }

  async arrivals(): Promise<{ times: number[]; rejected: number }> {
    this.child.send({ type: 'arrivals' });
    const [message] = (await once(this.child, 'message')) as [{ times: number[]; rejected: number }];
    return message;
  }

  async stop(): Promise<void> {
    this.child.send({ type: 'stop' });
    await once(this.child, 'exit');
  }
}
