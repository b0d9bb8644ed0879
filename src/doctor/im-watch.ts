import type { ImApp } from '../im/app.js';
import type { Logger } from '../log/logger.js';
import type { DoctorItem } from './checklist.js';
import { imChecks, ofApp } from './im-doctor.js';

/** While the IM checks fail they are repeated this often; while they pass, less often. */
const FAILING_EVERY_MS = 30_000;
const PASSING_EVERY_MS = 5 * 60_000;

/**
 * The doctor's IM checks inside the app: at start-up and then now and again, so a misconfiguration (wrong region,
 * key of another app, IP not allowlisted, admin not an App admin) is in the log and /healthz before a responder
 * finds it during an incident. The app never refuses to start over it: the API may just be down for a while.
 */
export class ImWatch {
  private items: DoctorItem[] | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private lastProblem: string | undefined;

  /** `named`: one of several apps (TIM_APPS), so its lines say which, and name its own TIM_<NAME>_* variables. */
  constructor(
    private readonly app: ImApp,
    private readonly logger: Logger,
    private readonly named = false,
  ) {}

  /** 'ok', 'checking' before the first result, or the first failed check and its fix. */
  status(): string {
    if (!this.items) return 'checking';
    const failed = this.items.find((i) => !i.ok);
    return failed ? `${failed.name}: ${failed.detail}${failed.fix ? ` (fix: ${failed.fix})` : ''}` : 'ok';
  }

  start(): void {
    void this.run();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private async run(): Promise<void> {
    try {
      const items = await imChecks(this.app);
      this.items = this.named ? ofApp(items, this.app.name) : items;
    } catch (error) {
      this.items = [{ name: 'IM checks', ok: false, detail: (error as Error).message }];
    }
    if (this.stopped) return;
    const failed = this.items.filter((i) => !i.ok);
    const problem = failed.map((i) => `${i.name}: ${i.detail}`).join('; ') || undefined;
    if (problem !== this.lastProblem) {
      const which = this.named ? ` of app ${this.app.name}` : '';
      if (problem)
        this.logger.error(
          { im: 'failing', checks: failed },
          `IM checks${which} fail, so /markread will fail too: ${failed.map((i) => `${i.name}: ${i.detail}${i.fix ? ` → ${i.fix}` : ''}`).join('; ')}`,
        );
      else
        this.logger.info(
          { im: 'ok' },
          `IM checks${which} pass: ${this.items.map((i) => `${i.name}: ${i.detail}`).join('; ')}`,
        );
      this.lastProblem = problem;
    }
    this.timer = setTimeout(() => void this.run(), problem ? FAILING_EVERY_MS : PASSING_EVERY_MS);
    this.timer.unref();
  }
}
