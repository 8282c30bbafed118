import { str } from './fields.js';
import type { TurnSink } from '../../chat/turn-sink.js';
import { nowIso } from '../../lib/time.js';
import { loadSkills, skillRoots, skillSummaries, type Skill } from '../../skills/catalog.js';
import { skillPrompt } from '../../skills/prompt.js';
import { wsTurnSink } from '../chat-sink.js';
import type { WsHub } from '../hub.js';
import { action, type WsActionContext, type WsActions } from './types.js';

/**
 * The chat frames of spec §4.2 for this socket, rendered by the same code as a chat turn: the
 * socket stands in for the hub's "socket of this chat", system events go to every socket.
 */
function socketSink(conn: WsActionContext): TurnSink {
  const hubForThisSocket = { sendToChat: (_chatId: string, frame: Parameters<WsHub['broadcast']>[0]) => conn.send(frame), broadcast: conn.broadcast };
  return wsTurnSink(hubForThisSocket as unknown as WsHub, () => conn.chatId);
}

async function runSkill(skill: Skill, args: string, conn: WsActionContext): Promise<void> {
  conn.send({ type: 'notification', content: `🎯 Running skill: ${skill.name}` });
  conn.send({ type: 'stream_start' });
  conn.send({ type: 'skill_started', skill_name: skill.name, args, timestamp: nowIso() });
  const inner = socketSink(conn);
  let error = '';
  const sink: TurnSink = {
    ...inner,
    event(e, sessionKey) {
      if (e.type === 'error') error = e.message;
      inner.event(e, sessionKey);
    },
    end(info) {
      if (info.failed || error) conn.send({ type: 'skill_error', skill_name: skill.name, error: error || 'The skill run failed', timestamp: nowIso() });
      else conn.send({ type: 'skill_completed', skill_name: skill.name, timestamp: nowIso() });
      inner.end(info);
    },
  };
  await conn.ctx.chat.runTurn({
    baseKey: `websocket:${conn.chatId}`, text: skillPrompt(skill, args), metadata: { action: 'run_skill', name: skill.name, args },
  }, sink);
}

/** Skills over the socket (spec §4.3): read from the skill directories on every request. */
export const skillActions: WsActions = {
  get_skills: action(['chat'], (_frame, conn) => {
    conn.send({ type: 'skills', skills: skillSummaries(loadSkills(skillRoots(conn.ctx.home))) });
  }),

  /** A known skill runs as an agent turn in this chat; an unknown one is sent as the chat text `/<name> <args>` (spec §10 item 9). */
  run_skill: action(['chat'], async (frame, conn) => {
    const name = str(frame.name).trim();
    const args = str(frame.args).trim();
    const skill = loadSkills(skillRoots(conn.ctx.home)).find((s) => s.name === name && s.userInvocable);
    if (skill) return runSkill(skill, args, conn);
    const text = `/${name}${args ? ` ${args}` : ''}`;
    conn.send({ type: 'stream_start' });
    await conn.ctx.chat.runTurn({ baseKey: `websocket:${conn.chatId}`, text, metadata: { action: 'chat', message: text } }, socketSink(conn));
  }),
};
