import { LogLevel, type Logger } from '@slack/bolt';

/**
 * Bolt's and the Socket Mode client's own logging, sent to the server log (the channel layer
 * prefixes the channel's name): warnings and errors only (a dropped socket, a failed listener),
 * never the chatty info/debug lines. Their messages name API methods and error codes, not tokens.
 */
export function boltLogger(log: (message: string) => void): Logger {
  let level: LogLevel = LogLevel.WARN;
  const line = (parts: unknown[]) => parts.map((p) => (p instanceof Error ? p.message : String(p))).join(' ');
  return {
    debug: () => {},
    info: () => {},
    warn: (...msg: unknown[]) => log(line(msg)),
    error: (...msg: unknown[]) => log(line(msg)),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => {},
  };
}
