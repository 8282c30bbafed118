import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startChatServer, type ChatTestEnv } from '../helpers/chat-server.js';
import { textReply, toolCallReply } from '../helpers/fake-llm/index.js';
import { connectChat, type ChatSocket } from '../helpers/ws-client.js';
import { chatTurn, toolResultEvents, toolResults } from '../memory/helpers.js';

let env: ChatTestEnv;
beforeAll(async () => {
  env = await startChatServer('openai');
});
afterAll(() => env.close());
beforeEach(() => env.fake.reset());

const history = async (id: string) => ((await env.s.get(`/api/v1/sessions/${id}/history`)).body as { role: string; content: string }[]).map(({ role, content }) => ({ role, content }));
const titleOf = async (id: string) => ((await env.s.get('/api/sessions?limit=500')).body.sessions as { id: string; title: string }[]).find((x) => x.id === id)?.title;

/** One turn in which the model calls `name` with `args`, then answers `answer`; returns the tool result it was sent. */
async function toolTurn(sock: ChatSocket, message: string, name: string, args: unknown, answer = 'Done.') {
  env.fake.reset();
  env.fake.enqueue(toolCallReply(name, args), textReply(answer));
  const frames = await chatTurn(sock, message);
  return { result: toolResults(env.fake.requests[1]!)[0]!, event: toolResultEvents(frames)[0]! };
}

describe('session tools act on the calling chat (same semantics as the slash commands)', () => {
  it('rename, new, list, switch, clear and delete', async () => {
    const sock = await connectChat(env.s.url);
    const other = await connectChat(env.s.url);
    const base = sock.sessionId;
    await chatTurn(other, 'A different chat');
    await chatTurn(sock, 'Planning a trip to Porto');

    // rename_session renames the current session.
    const renamed = await toolTurn(sock, 'call this "Porto trip"', 'rename_session', { title: 'Porto trip' });
    expect(renamed.result).toBe('Session renamed to "Porto trip".');
    expect(await titleOf(base)).toBe('Porto trip');

    // new_session: the next message goes to websocket_<chat>_<8 hex>; the old session is kept.
    const created = await toolTurn(sock, 'start over please', 'new_session', {});
    expect(created.result).toContain('Started a new conversation session');
    expect((await history(base)).at(-1)).toMatchObject({ role: 'assistant', content: 'Done.' });
    await chatTurn(sock, 'Now about my tax return');
    const sessions = (await env.s.get('/api/sessions?limit=500')).body.sessions as { id: string; title: string }[];
    const fresh = sessions.find((x) => x.id.startsWith(`${base}_`))!;
    expect(fresh.id).toMatch(new RegExp(`^${base}_[0-9a-f]{8}$`));
    expect(fresh.title).toBe('Now about my tax return');

    // list_sessions: this chat's sessions only, newest first, the active one marked.
    const listed = await toolTurn(sock, 'which sessions do I have?', 'list_sessions', { session_key: other.sessionId });
    expect(listed.result).toBe('1. Now about my tax return (3 msgs) (active)\n2. Porto trip (6 msgs)');

    // switch_session by title text; the next message continues that session.
    const switched = await toolTurn(sock, 'back to Porto', 'switch_session', { target: 'porto' });
    expect(switched.result).toBe('Switched to session: Porto trip (from the next message on).');
    await chatTurn(sock, 'Which wine cellars?');
    expect((await history(base)).slice(-2)).toMatchObject([{ role: 'user', content: 'Which wine cellars?' }, { role: 'assistant', content: 'Hello from the fake model.' }]);
    const unknown = await toolTurn(sock, 'go to the cooking one', 'switch_session', { target: 'cooking' });
    expect(unknown.result).toContain('No sessions matching "cooking"');
    const byNumber = await toolTurn(sock, 'go to the first one', 'switch_session', { target: '1' });
    expect(byNumber.result).toBe('Switched to session: Porto trip (from the next message on).');

    // clear_session and delete_session remove the current session (here: Porto trip); the answer
    // of the turn that asked for it does not bring the session back.
    const cleared = await toolTurn(sock, 'clear this one', 'clear_session', {}, 'Cleared.');
    expect(cleared.result).toBe('Cleared the current session.');
    expect(await history(base)).toEqual([]);
    await chatTurn(sock, 'Start again');
    expect((await history(base)).map((m: { role: string }) => m.role)).toEqual(['user', 'assistant']);
    const deleted = await toolTurn(sock, 'delete it', 'delete_session', { session_key: other.sessionId }, 'Deleted.');
    expect(deleted.result).toBe('Session deleted. Your next message will start a fresh conversation.');
    expect(await history(base)).toEqual([]);

    // The other chat was never touched, whatever session_key the model passed.
    expect(await history(other.sessionId)).toEqual([{ role: 'user', content: 'A different chat' }, { role: 'assistant', content: 'Hello from the fake model.' }]);
    expect((await history(fresh.id)).length).toBe(6); // its two turns, plus the one that switched away
    sock.close();
    other.close();
  });

  it('rename_session rejects titles over 200 characters as a tool error; the slash command still works', async () => {
    const sock = await connectChat(env.s.url);
    await chatTurn(sock, 'hello');
    const long = await toolTurn(sock, 'rename', 'rename_session', { title: 'x'.repeat(201) });
    expect(long.event.status).toBe('error');
    expect(long.result).toContain('Title must be at most 200 characters.');
    const from = sock.frames.length;
    sock.send({ action: 'chat', message: '/rename Slash title' });
    const frames = await sock.turn(from);
    expect(frames.find((f) => f.type === 'message')?.content).toBe('Renamed to "Slash title".');
    expect(await titleOf(sock.sessionId)).toBe('Slash title');
    sock.close();
  });
});
