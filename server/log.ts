// Structured logs: one pino JSON line per message (pretty in `npm run dev`), at LOG_LEVEL. Every server part takes a
// `Log` — a message and optional fields (runId, workerId, userId, …) that become keys of the line — so call sites stay
// one-liners and a log shipper can filter by run or worker. Secrets never reach a line: the code does not pass them,
// and keys that would hold one are redacted anyway (server/log-secrets.test.ts greps a whole session's output).
import pino, { type DestinationStream, type Logger } from 'pino';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

export interface LogFields {
  runId?: string;
  workerId?: string;
  userId?: string | null;
  /** Severity of this line; default info. */
  level?: LogLevel;
  [key: string]: unknown;
}

export type Log = (message: string, fields?: LogFields) => void;

/** Keys whose values are secrets wherever they appear in a line's fields (one level deep, and request headers). */
const SECRET_KEYS = ['password', 'newPassword', 'currentPassword', 'token', 'shareToken', 'cookie', 'authorization', 'secret'];
const REDACT = [...SECRET_KEYS, ...SECRET_KEYS.map((k) => `*.${k}`), 'headers.cookie', 'headers.authorization', 'req.headers.cookie', 'req.headers.authorization'];

export interface LoggerOptions {
  level: LogLevel;
  /** Human-readable lines (npm run dev); needs the pino-pretty dev dependency. */
  pretty?: boolean;
  /** Bound to every line: which process wrote it (`server`, `worker`, `worker-host`). */
  name: string;
  base?: Record<string, unknown>;
  /** Default stdout; tests pass their own. */
  destination?: DestinationStream;
}

export function createLogger(o: LoggerOptions): Logger {
  const options = { level: o.level, name: o.name, base: { pid: process.pid, ...o.base }, redact: { paths: REDACT, censor: '[redacted]' } };
  if (o.pretty && !o.destination) return pino({ ...options, transport: { target: 'pino-pretty', options: { colorize: true, ignore: 'pid,hostname' } } });
  return o.destination ? pino(options, o.destination) : pino(options);
}

/** The `Log` of a pino logger. */
export function logTo(logger: Logger): Log {
  return (message, fields) => {
    if (!fields) return logger.info(message);
    const { level = 'info', ...rest } = fields;
    logger[level](rest, message);
  };
}

/** LOG_LEVEL from the environment for processes that do not load the server's env (forked workers). */
export function envLogLevel(value: string | undefined): LogLevel {
  return value === 'error' || value === 'warn' || value === 'debug' ? value : 'info';
}
