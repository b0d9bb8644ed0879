import { withoutEmpty } from './config-error.js';

/** Settings of the forked worker process, which is gone: one process with a bounded queue does its work. */
const RETIRED = ['MARKREAD_WORKER', 'MARKREAD_WORKER_TIMEOUT_MS'] as const;

/**
 * One start-up warning naming the retired settings that are still set, and what replaced them; undefined when
 * none is. Not a configuration error: an old .env must not stop markread from starting.
 */
export function retiredSettingsWarning(env: NodeJS.ProcessEnv): string | undefined {
  const raw = withoutEmpty(env);
  const set = RETIRED.filter((name) => raw[name] !== undefined);
  if (set.length === 0) return undefined;
  return `${set.join(' and ')} ${set.length > 1 ? 'are' : 'is'} no longer used and ignored: markread runs as one process, its follow-up work behind a bounded queue. To keep acking apart from the work, run replicas on Redis (REDIS_URL, with MARKREAD_ROLE=web and MARKREAD_ROLE=worker). Remove ${set.length > 1 ? 'them' : 'it'} from the environment or .env.`;
}
