import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeTelegram } from './fake-telegram.js';
import { adapterFor, type AdapterUnderTest } from './harness.js';

/** The Telegram adapter against a fake Bot API: messages, edits and files, both ways. */

let fake: FakeTelegram;
let t: AdapterUnderTest;

beforeAll(async () => {
  fake = await FakeTelegram.start();
});
afterAll(() => fake.close());
afterEach(() => t?.adapter.stop());

async function started(opts: Parameters<typeof adapterFor>[1] = {}): Promise<AdapterUnderTest> {
  t = adapterFor(fake, opts);
  await t.adapter.start(t.inbox.push);
  return t;
}

describe('text both ways', () => {
  it('a user message arrives with chat, sender and name; send() posts sendMessage and returns its id', async () => {
    const from = fake.calls.length;
    const { adapter, inbox } = await started();
    await fake.waitFor('getUpdates', undefined, { from });
    // Connected the way the Bot API expects: who am I, no webhook, then long polling.
    const methods = fake.calls.slice(from).map((c) => c.method);
    expect(methods.slice(0, 2)).toEqual(['getMe', 'deleteWebhook']);
    // The "/" menu lists the commands a chat user has, not those that change settings.
    const menu = await fake.waitFor('setMyCommands', undefined, { from });
    const commands = (menu.params.commands as { command: string }[]).map((c) => c.command);
    expect(commands).toEqual(expect.arrayContaining(['new', 'sessions', 'resume', 'help']));
    expect(commands).not.toContain('model');
    expect(commands).not.toContain('tools');

    fake.pushMessage({ chatId: 4242, fromId: 4242, text: 'hello paw', username: 'ada' });
    fake.pushMessage({ chatId: -100777, fromId: 4343, text: 'from a group', firstName: 'Grace' });
    const [first, second] = await inbox.waitForCount(2);
    expect(first).toEqual({ chatId: '4242', senderId: '4242', senderName: 'ada', text: 'hello paw' });
    // No username: the first name is shown instead; a group's chat is the group.
    expect(second).toEqual({ chatId: '-100777', senderId: '4343', senderName: 'Grace', text: 'from a group' });

    const sent = await adapter.send('4242', 'hi there');
    const call = await fake.waitFor('sendMessage', (c) => c.params.text === 'hi there');
    expect(call.params.chat_id).toBe(4242);
    expect(fake.sent.get(`4242:${sent.messageId}`)?.text).toBe('hi there');
    expect(sent.chatId).toBe('4242');
  });

  it('limits: 4096 characters, editable, at most one edit a second', async () => {
    const { adapter } = adapterFor(fake);
    expect(adapter.limits).toEqual({ maxChars: 4096, canEdit: true, editIntervalMs: 1000 });
  });

  it('typing shows the chat action "typing"', async () => {
    const { adapter } = await started();
    await adapter.typing!('4242');
    const call = await fake.waitFor('sendChatAction');
    expect(call.params).toMatchObject({ chat_id: 4242, action: 'typing' });
  });

  it('bots, edited messages and stickers never reach the agent; /start passes through as text', async () => {
    const { inbox } = await started();
    const poll = await fake.waitFor('getUpdates', (c) => Array.isArray(c.params.allowed_updates));
    expect(poll.params.allowed_updates).toEqual(['message']);
    fake.pushMessage({ chatId: 5, fromId: 9001, text: 'I am a bot', isBot: true });
    fake.pushMessage({ chatId: 5, fromId: 5, text: 'edited text', edited: true });
    fake.pushMessage({ chatId: 5, fromId: 5 });
    fake.pushMessage({ chatId: 5, fromId: 5, text: '/start' });
    const got = await inbox.waitForCount(1);
    // Updates are handled in order, so the ignored ones came before and are gone for good.
    expect(got).toEqual([{ chatId: '5', senderId: '5', senderName: 'Ada', text: '/start' }]);
  });
});

describe('edits', () => {
  it('edit() changes the sent message; an edit that changes nothing is not an error; a missing message is', async () => {
    const { adapter } = await started();
    const sent = await adapter.send('77', 'Thinking');
    await adapter.edit(sent, 'Thinking about it');
    await adapter.edit(sent, 'Thinking about it');
    const record = fake.sent.get(`77:${sent.messageId}`)!;
    expect(record.versions).toEqual(['Thinking', 'Thinking about it']);
    // Telegram did answer 400 "not modified" to the second edit: the adapter swallowed it.
    expect(fake.callsOf('editMessageText', true).filter((c) => c.failed === 400)).toHaveLength(1);
    await expect(adapter.edit({ chatId: '77', messageId: '999999' }, 'x')).rejects.toThrow(/message to edit not found/);
  });
});

describe('files', () => {
  it('a photo with a caption: the largest size is downloaded, the caption is the text', async () => {
    const { inbox } = await started();
    const photo = Buffer.from(Array.from({ length: 3000 }, (_, i) => i % 251));
    fake.pushMessage({ chatId: 11, fromId: 11, caption: 'what is this?', photo });
    const [m] = await inbox.waitForCount(1);
    expect(m!.text).toBe('what is this?');
    expect(m!.files).toHaveLength(1);
    expect(m!.files![0]!.mime).toBe('image/jpeg');
    expect(m!.files![0]!.name).toMatch(/\.jpg$/);
    expect(Buffer.from(m!.files![0]!.data).equals(photo)).toBe(true);
  });

  it('a document keeps its name and type', async () => {
    const { inbox } = await started();
    fake.pushMessage({ chatId: 12, fromId: 12, text: '', document: { name: 'notes.txt', data: Buffer.from('line one\nline two\n') } });
    const [m] = await inbox.waitForCount(1);
    expect(m).toMatchObject({ text: '', files: [{ name: 'notes.txt', mime: 'text/plain' }] });
    expect(Buffer.from(m!.files![0]!.data).toString()).toBe('line one\nline two\n');
  });

  it('a file over the size limit is not downloaded, but its caption still arrives (size known or not)', async () => {
    const { inbox, logs } = await started({ maxFileBytes: 1000 });
    const from = fake.calls.length;
    fake.pushMessage({ chatId: 13, fromId: 13, caption: 'big one', document: { name: 'big.pdf', data: Buffer.alloc(5000, 1) } });
    fake.pushMessage({ chatId: 13, fromId: 13, caption: 'big, size unknown', document: { name: 'big2.pdf', data: Buffer.alloc(5000, 2) }, hideFileSize: true });
    fake.pushMessage({ chatId: 13, fromId: 13, caption: 'small', document: { name: 'small.pdf', data: Buffer.alloc(500, 3) } });
    const got = await inbox.waitForCount(3);
    expect(got.map((m) => [m.text, m.files?.length ?? 0])).toEqual([['big one', 0], ['big, size unknown', 0], ['small', 1]]);
    // The first was refused from its declared size, before asking Telegram for it.
    expect(fake.calls.slice(from).filter((c) => c.method === 'getFile')).toHaveLength(2);
    expect(logs.filter((l) => /over the 1000-byte file limit/.test(l))).toHaveLength(2);
  });

  it('a download Telegram refuses is logged (without the token) and the text still arrives', async () => {
    const { inbox, logs } = await started();
    fake.failNext('getFile', { error_code: 400, description: 'Bad Request: file is too big' });
    fake.pushMessage({ chatId: 14, fromId: 14, caption: 'see attached', document: { name: 'scan.pdf', data: Buffer.alloc(100, 4) } });
    const [m] = await inbox.waitForCount(1);
    expect(m).toEqual({ chatId: '14', senderId: '14', senderName: 'Ada', text: 'see attached' });
    expect(logs.some((l) => l.includes('scan.pdf download failed') && l.includes('file is too big'))).toBe(true);
    expect(logs.join('\n')).not.toContain(fake.token.split(':')[1]);
  });

  it('sendFile uploads an image with sendPhoto and anything else with sendDocument, bytes intact', async () => {
    const { adapter } = await started();
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(70_000, 7)]);
    const photoMsg = await adapter.sendFile('21', { name: 'chart.png', mime: 'image/png', data: new Uint8Array(png) });
    const docMsg = await adapter.sendFile('21', { name: 'report 2024.pdf', mime: 'application/pdf', data: new Uint8Array(pdf) });
    const photoCall = await fake.waitFor('sendPhoto');
    const docCall = await fake.waitFor('sendDocument');
    expect(photoCall.files[0]!.data.equals(png)).toBe(true);
    expect(docCall.files[0]!.data.equals(pdf)).toBe(true);
    expect(docCall.files[0]!.filename).toBe('report 2024.pdf');
    expect(fake.sent.get(`21:${photoMsg.messageId}`)?.file?.kind).toBe('photo');
    expect(fake.sent.get(`21:${docMsg.messageId}`)?.file).toMatchObject({ kind: 'document', name: 'report 2024.pdf' });
  });

  it('an image Telegram refuses as a photo is sent as a document', async () => {
    const { adapter } = await started();
    fake.failNext('sendPhoto', { error_code: 400, description: 'Bad Request: PHOTO_INVALID_DIMENSIONS' });
    const from = fake.calls.length;
    const msg = await adapter.sendFile('22', { name: 'strip.jpg', mime: 'image/jpeg', data: new Uint8Array([1, 2, 3]) });
    expect(fake.calls.slice(from).map((c) => c.method)).toEqual(expect.arrayContaining(['sendPhoto', 'sendDocument']));
    expect(fake.sent.get(`22:${msg.messageId}`)?.file?.kind).toBe('document');
  });
});
