import { redact } from '../security/redact.js';
import type { SecretValues } from '../security/secret-values.js';
import type { AgentEvent } from './agent-events.js';

/** An agent event as it may leave the server: tool parameters and results and errors redacted. */
export function redactEvent(e: AgentEvent, secrets: SecretValues): AgentEvent {
  switch (e.type) {
    case 'tool_result': return { ...e, result: redact(e.result, secrets) };
    case 'tool_start': {
      const json = redact(JSON.stringify(e.params ?? {}), secrets);
      try {
        return { ...e, params: JSON.parse(json) as unknown };
      } catch {
        return { ...e, params: json }; // redaction cut through JSON syntax: show it as text
      }
    }
    case 'error': return { ...e, message: redact(e.message, secrets) };
    default: return e;
  }
}
