import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs on stderr (stdout is kept for the summary), written synchronously so the
 * last lines survive a crash. `STREAMTUNE_LOG_LEVEL` sets the level (default info).
 */
export function createLogger(level = process.env.STREAMTUNE_LOG_LEVEL ?? 'info'): Logger {
  return pino(
    { name: 'streamtune', level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime },
    pino.destination({ dest: 2, sync: true }),
  );
}
