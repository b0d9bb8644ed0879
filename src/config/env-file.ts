import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * Loads `.env` from the working directory into process.env, if there is one. Variables already set in the
 * environment win, so a one-off `TIM_REGION=seoul markread …` overrides the file.
 */
export function loadEnvFile(path = resolve(process.cwd(), '.env')): boolean {
  if (!existsSync(path)) return false;
  process.loadEnvFile(path);
  return true;
}
