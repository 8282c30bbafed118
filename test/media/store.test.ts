import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidInputError, NotFoundError } from '../../src/lib/errors.js';
import { mimeTypeOf, sniffImage } from '../../src/media/mime.js';
import { attachedHint, copyToWorkspace, MAX_FILES_PER_MESSAGE, MediaStore, sanitizeName } from '../../src/media/store.js';
import { prepareUserMessage, withImages, withWorkspaceCopies } from '../../src/media/turn.js';
import { acceptsImages, imageParts } from '../../src/media/vision.js';
import { tempDir } from '../helpers/pocketpaw-fixture.js';
import { PNG } from './fixtures.js';

const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46]);
const GIF = Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1');
const WEBP = Buffer.concat([Buffer.from('RIFF'), Buffer.from([4, 0, 0, 0]), Buffer.from('WEBPVP8 ')]);
const SVG = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script></svg>');

let home: string;
let workspace: string;
let limitMb: number;
let store: MediaStore;

beforeEach(() => {
  home = tempDir();
  workspace = `${home}-workspace`;
  fs.mkdirSync(workspace);
  limitMb = 20;
  store = new MediaStore(home, () => ({ media_max_file_size_mb: limitMb, workspace_dir: workspace }));
});
afterEach(() => {
  fs.rmSync(home, { recursive: true, force: true });
  fs.rmSync(workspace, { recursive: true, force: true });
});

describe('naming (PocketPaw: <ms hex>_<6 hex>_<sanitized name>)', () => {
  it('sanitizes as PocketPaw does', () => {
    expect(sanitizeName('my photo (1).png')).toBe('my_photo_1_.png');
    expect(sanitizeName('___a   b___')).toBe('a_b');
    expect(sanitizeName('ünïcødé')).toBe('n_c_d');
    expect(sanitizeName('')).toBe('file');
    expect(sanitizeName('***')).toBe('file');
  });

  it('never yields a dot-dot name or a hidden file', () => {
    expect(sanitizeName('..')).toBe('file');
    expect(sanitizeName('../../etc/passwd')).not.toContain('..');
    expect(sanitizeName('.bashrc')).toBe('bashrc');
    expect(sanitizeName('a..b.txt')).toBe('a.b.txt');
  });

  it('cuts long names and keeps the extension', () => {
    const long = sanitizeName(`${'x'.repeat(500)}.pdf`);
    expect(long.length).toBeLessThanOrEqual(120);
    expect(long.endsWith('.pdf')).toBe(true);
  });

  it('stores under the media folder with the id as the file name', () => {
    const before = Date.now();
    const a = store.save(Buffer.from('hello'), 'notes 1.txt');
    const [ms, six, name] = [a.id.split('_')[0]!, a.id.split('_')[1]!, a.id.split('_').slice(2).join('_')];
    expect(parseInt(ms, 16)).toBeGreaterThanOrEqual(before);
    expect(six).toMatch(/^[0-9a-f]{6}$/);
    expect(name).toBe('notes_1.txt');
    expect(a).toMatchObject({ name: 'notes_1.txt', mime_type: 'text/plain', size: 5, path: path.join(home, 'media', a.id) });
    expect(fs.readFileSync(a.path, 'utf8')).toBe('hello');
    expect(store.get(a.id)).toEqual(a);
  });

  it('a name without an extension gets one from the bytes, or from the client type', () => {
    expect(store.save(PNG, 'pasted').name).toBe('pasted.png');
    expect(store.save(Buffer.from('%PDF-1.4'), 'doc', 'application/pdf').name).toBe('doc.pdf');
    // A client's image type is not enough to make it an image.
    expect(store.save(Buffer.from('<html>'), 'x', 'image/png').name).toBe('x');
  });

  it('keeps only the last part of a path-like name', () => {
    const a = store.save(Buffer.from('x'), '../../../etc/passwd');
    expect(a.name).toBe('passwd');
    expect(path.dirname(a.path)).toBe(path.join(home, 'media'));
  });
});

describe('types from the bytes', () => {
  it('sniffs the raster images', () => {
    expect(sniffImage(PNG)).toBe('image/png');
    expect(sniffImage(JPEG)).toBe('image/jpeg');
    expect(sniffImage(GIF)).toBe('image/gif');
    expect(sniffImage(WEBP)).toBe('image/webp');
    expect(sniffImage(SVG)).toBeNull();
  });

  it('an image name on other bytes is not an image; an SVG is never a raster image', () => {
    expect(mimeTypeOf('evil.png', Buffer.from('<script>alert(1)</script>'))).toBe('application/octet-stream');
    expect(mimeTypeOf('x.svg', SVG)).toBe('image/svg+xml');
    expect(mimeTypeOf('photo.txt', PNG)).toBe('image/png');
    expect(store.save(SVG, 'logo.svg', 'image/svg+xml').mime_type).toBe('image/svg+xml');
    expect(store.save(SVG, 'logo.png', 'image/png').mime_type).toBe('application/octet-stream');
  });
});

describe('limits', () => {
  it('refuses a file over media_max_file_size_mb in plain words', () => {
    limitMb = 1;
    expect(() => store.save(Buffer.alloc(3 * 1024 * 1024), 'photo.png')).toThrow(
      new InvalidInputError('photo.png is 3 MB; the limit is 1 MB (setting media_max_file_size_mb).'),
    );
    expect(fs.existsSync(store.dir) ? fs.readdirSync(store.dir) : []).toEqual([]);
  });

  it('the limit message for 31 MB against 20', () => {
    expect(() => store.checkSize('photo.png', 31 * 1024 * 1024)).toThrow('photo.png is 31 MB; the limit is 20 MB (setting media_max_file_size_mb).');
  });

  it(`at most ${MAX_FILES_PER_MESSAGE} files per message`, () => {
    const items = Array.from({ length: 11 }, (_, i) => ({ data: 'aGk=', name: `f${i}.txt` }));
    expect(() => store.resolveWs(items)).toThrow(/At most 10 files/);
    expect(fs.existsSync(store.dir)).toBe(false);
    expect(() => store.resolveRest(Array(11).fill('x'), workspace)).toThrow(/At most 10 files/);
  });
});

describe('get(id): ids are never paths', () => {
  it.each([
    '../access_token', '..', '.', '/etc/passwd', 'a/b', 'a\\b', '18c_abcdef_x\0y', '18c_abcdef_..', '18c_abcdef_a..b', '', 'access_token', '../media/x',
  ])('%j is not found', (id) => {
    expect(() => store.get(id)).toThrow(NotFoundError);
  });

  it('a symlink in the media folder is not served', () => {
    fs.mkdirSync(store.dir, { recursive: true });
    fs.writeFileSync(path.join(home, 'secret'), 'top secret');
    fs.symlinkSync(path.join(home, 'secret'), path.join(store.dir, '18c0_abcdef_link.txt'));
    expect(() => store.get('18c0_abcdef_link.txt')).toThrow(NotFoundError);
  });
});

describe('resolveWs', () => {
  it('base64 items are stored; id items are looked up; nothing is stored when one is refused', () => {
    const up = store.save(Buffer.from('uploaded'), 'up.txt');
    const got = store.resolveWs([{ data: PNG.toString('base64'), name: 'p.png', mime_type: 'image/png' }, { id: up.id }]);
    expect(got.map((a) => [a.name, a.mime_type])).toEqual([['p.png', 'image/png'], ['up.txt', 'text/plain']]);
    expect(fs.readFileSync(got[0]!.path)).toEqual(PNG);
    const before = fs.readdirSync(store.dir).length;
    expect(() => store.resolveWs([{ data: 'aGk=', name: 'ok.txt' }, { id: '../../access_token' }])).toThrow(/No uploaded file with id/);
    expect(() => store.resolveWs([{ data: 'aGk=', name: 'ok.txt' }, { data: '%%%not base64', name: 'b.bin' }])).toThrow(/not valid base64/);
    expect(() => store.resolveWs([{ name: 'nodata' }])).toThrow(/needs "data"/);
    expect(() => store.resolveWs('nope')).toThrow(/list/);
    expect(fs.readdirSync(store.dir).length).toBe(before);
    expect(store.resolveWs(undefined)).toEqual([]);
  });

  it('refuses an oversized base64 payload before decoding it', () => {
    limitMb = 1;
    const big = Buffer.alloc(1024 * 1024 + 10).toString('base64');
    expect(() => store.resolveWs([{ data: big, name: 'big.bin' }])).toThrow(/big.bin is .* the limit is 1 MB/);
  });
});

describe('resolveRest: ids, and paths only inside the media folder or the workspace', () => {
  it('an id, a media path and a workspace path are accepted (a workspace file is copied into media)', () => {
    const up = store.save(Buffer.from('uploaded'), 'up.txt');
    fs.writeFileSync(path.join(workspace, 'report.csv'), 'a,b');
    const got = store.resolveRest([up.id, up.path, path.join(workspace, 'report.csv'), 'report.csv'], workspace);
    expect(got.map((a) => a.id).slice(0, 2)).toEqual([up.id, up.id]);
    expect(got[2]!.name).toBe('report.csv');
    expect(path.dirname(got[2]!.path)).toBe(store.dir);
    expect(got[3]!.mime_type).toBe('text/csv');
  });

  it('refuses anything outside, naming the allowed folders', () => {
    const outside = path.join(home, 'access_token');
    fs.writeFileSync(outside, 'secret');
    for (const p of [outside, '/etc/passwd', '../access_token', path.join(workspace, '..', 'access_token')]) {
      expect(() => store.resolveRest([p], workspace)).toThrow(InvalidInputError);
      expect(() => store.resolveRest([p], workspace)).toThrow(/only files in the media folder .* or the agent's workspace/);
    }
    expect(() => store.resolveRest(['/no/such/file'], workspace)).toThrow(/only files in the media folder/);
    expect(() => store.resolveRest(['missing.txt'], workspace)).toThrow(/no such file/);
  });

  it('a symlink in the workspace pointing outside is refused', () => {
    fs.writeFileSync(path.join(home, 'access_token'), 'secret');
    fs.symlinkSync(path.join(home, 'access_token'), path.join(workspace, 'innocent.txt'));
    expect(() => store.resolveRest(['innocent.txt'], workspace)).toThrow(/only files in the media folder/);
  });

  it('a folder is not a file', () => {
    fs.mkdirSync(path.join(workspace, 'dir'));
    expect(() => store.resolveRest(['dir'], workspace)).toThrow(/not a file/);
  });
});

describe('into the workspace, and the hint', () => {
  it('copies into <workspace>/attachments with unique names', () => {
    const a = store.save(Buffer.from('one'), 'notes.txt');
    const b = store.save(Buffer.from('two'), 'notes.txt');
    const paths = copyToWorkspace([a, b], workspace);
    expect(paths.map((p) => path.relative(workspace, p))).toEqual(['attachments/notes.txt', 'attachments/notes-2.txt']);
    expect(fs.readFileSync(paths[1]!, 'utf8')).toBe('two');
    expect(withWorkspaceCopies([a], workspace)![0]!.name).toBe('notes-3.txt');
  });

  it('refuses an attachments folder that is a symlink out of the workspace', () => {
    const elsewhere = tempDir();
    fs.symlinkSync(elsewhere, path.join(workspace, 'attachments'));
    const a = store.save(Buffer.from('x'), 'x.txt');
    expect(() => copyToWorkspace([a], workspace)).toThrow(/not a folder of the workspace/);
    expect(fs.readdirSync(elsewhere)).toEqual([]);
    fs.rmSync(elsewhere, { recursive: true });
  });

  it("PocketPaw's hint, and prepareUserMessage's content and metadata", () => {
    expect(attachedHint(['a.png', 'b.pdf'])).toBe('\n[Attached: a.png, b.pdf]');
    expect(attachedHint([])).toBe('');
    const a = store.save(PNG, 'a.png');
    const out = prepareUserMessage('look', [a], workspace);
    expect(out.content).toBe('look\n[Attached: a.png]');
    expect(out.metadata.attachments).toEqual([{ id: a.id, name: 'a.png', mime_type: 'image/png', size: PNG.length }]);
    expect(fs.existsSync(path.join(workspace, 'attachments', 'a.png'))).toBe(true);
    expect(prepareUserMessage('plain', [], workspace)).toEqual({ content: 'plain', metadata: {} });
  });
});

describe('vision', () => {
  const s = { ollama_host: 'http://127.0.0.1:9' };
  it.each([
    ['anthropic', 'claude-sonnet-4-6', true], ['anthropic', 'claude-3-5-haiku-latest', true], ['anthropic', 'claude-2.1', false],
    ['openai', 'gpt-4o', true], ['openai', 'gpt-4o-mini', true], ['openai', 'gpt-4.1', true], ['openai', 'gpt-5.2', true],
    ['openai', 'o1', true], ['openai', 'o3', true], ['openai', 'o4-mini', true], ['openai', 'o3-mini', false],
    ['openai', 'gpt-3.5-turbo', false], ['openai', 'gpt-4', false],
    ['openai_compatible', 'qwen2.5-vl-7b', true], ['openai_compatible', 'llava-1.6', true], ['openai_compatible', 'openai/gpt-4o', true],
    ['openai_compatible', 'mistral-7b-instruct', false], ['openai_compatible', 'pixtral-12b', true],
    ['ollama', 'llava:13b', true], ['ollama', 'gemma3:4b', true], ['ollama', 'qwen2.5vl', true], ['ollama', 'minicpm-v', true], ['ollama', 'llama3.2', false],
  ] as const)('%s %s → %s', async (provider, model, want) => {
    expect(await acceptsImages(provider, model, s)).toBe(want);
  });

  it("Ollama: asks /api/show for the model's capabilities, once, and falls back to the name", async () => {
    const asked: string[] = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const model = (JSON.parse(body) as { model: string }).model;
        asked.push(`${req.url} ${model}`);
        if (model === 'unknown-llava') return void res.writeHead(404).end('{"error":"not found"}');
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ capabilities: model === 'mystery' ? ['completion', 'vision'] : ['completion', 'tools'] }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const host = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      expect(await acceptsImages('ollama', 'mystery', { ollama_host: host })).toBe(true);
      expect(await acceptsImages('ollama', 'mystery', { ollama_host: host })).toBe(true);
      // Ollama's word beats the name: a "vision"-sounding model without the capability is not one.
      expect(await acceptsImages('ollama', 'my-vision-finetune', { ollama_host: host })).toBe(false);
      expect(await acceptsImages('ollama', 'unknown-llava', { ollama_host: host })).toBe(true);
      expect(asked).toEqual(['/api/show mystery', '/api/show my-vision-finetune', '/api/show unknown-llava']);
    } finally {
      server.close();
    }
  });

  it('imageParts: raster images only, missing files skipped, total capped', () => {
    const a = store.save(PNG, 'a.png');
    const b = store.save(PNG, 'b.png');
    const txt = store.save(Buffer.from('x'), 'c.txt');
    const gone = store.save(PNG, 'gone.png');
    fs.rmSync(gone.path);
    const parts = imageParts([a, txt, gone, b]);
    expect(parts).toEqual([
      { type: 'image', image: PNG.toString('base64'), mediaType: 'image/png' },
      { type: 'image', image: PNG.toString('base64'), mediaType: 'image/png' },
    ]);
    expect(imageParts([a, b], PNG.length + 1)).toHaveLength(1);
  });

  it('withImages adds the parts to the last user message', () => {
    const part = { type: 'image' as const, image: 'aGk=', mediaType: 'image/png' };
    const out = withImages([{ role: 'user', content: 'a' }, { role: 'assistant', content: 'b' }, { role: 'user', content: 'c' }], [part]);
    expect(out[2]).toEqual({ role: 'user', content: [{ type: 'text', text: 'c' }, part] });
    expect(out[0]).toEqual({ role: 'user', content: 'a' });
  });
});
