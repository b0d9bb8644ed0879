import { Counter, Histogram, type Registry } from 'prom-client';
import type { BreakerState } from '../im/circuit-breaker.js';
import type { ImCallObserver } from '../im/observer.js';

/** From a quick answer to a deadline's worth of retries (TIM_DEADLINE_MS is at most a minute). */
const CALL_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/** Most slots are granted at once; a backlog at the ceiling waits seconds. */
const WAIT_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** The IM clients' series, labelled by app name and API command; one observer per app. */
export class ImMetrics {
  private readonly calls: Histogram<'app' | 'api' | 'outcome'>;
  private readonly retries: Counter<'app' | 'api'>;
  private readonly waits: Histogram<'app' | 'api'>;
  private readonly refused: Counter<'app' | 'api'>;
  private readonly limited: Counter<'app' | 'api'>;
  /** Each host's breaker state as last told, by app; a host not told of yet is closed. */
  readonly breakers = new Map<string, Map<string, BreakerState>>();

  constructor(registry: Registry) {
    const registers = [registry];
    const labelNames = ['app', 'api'] as const;
    this.calls = new Histogram({
      name: 'markread_im_call_duration_seconds',
      help: 'IM API calls, from the first wait for a send slot to the result (all attempts), by outcome',
      labelNames: ['app', 'api', 'outcome'],
      buckets: CALL_BUCKETS,
      registers,
    });
    const counter = (name: string, help: string) => new Counter({ name, help, labelNames, registers });
    this.retries = counter('markread_im_retries_total', 'IM API attempts sent again by the retry policy');
    this.waits = new Histogram({
      name: 'markread_im_budget_wait_seconds',
      help: 'Time waiting for a send slot of the IM send budget (TIM_MAX_RPS)',
      labelNames,
      buckets: WAIT_BUCKETS,
      registers,
    });
    this.refused = counter(
      'markread_im_budget_refused_total',
      'IM API calls that got no send slot in time (skipped, or out of time before an attempt)',
    );
    this.limited = counter(
      'markread_im_frequency_limited_total',
      'Frequency-limit answers from the IM API (each halves the send rate)',
    );
  }

  observer(app: string): ImCallObserver {
    const hosts = new Map<string, BreakerState>();
    this.breakers.set(app, hosts);
    return {
      onCall: (api, seconds, outcome) => this.calls.observe({ app, api, outcome }, seconds),
      onRetry: (api) => this.retries.inc({ app, api }),
      onBudgetWait: (api, seconds) => this.waits.observe({ app, api }, seconds),
      onBudgetRefused: (api) => this.refused.inc({ app, api }),
      onFrequencyLimit: (api) => this.limited.inc({ app, api }),
      onBreakerChange: (host, state) => void hosts.set(host, state),
    };
  }
}
