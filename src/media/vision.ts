import fs from 'node:fs';
import type { ImagePart } from 'ai';
import type { Settings } from '../config/settings.js';
import type { ProviderKind } from '../models/resolver.js';
import { isRasterImage } from './mime.js';
import type { StoredAttachment } from './types.js';

/** Model names of open models that take images (Ollama without `/api/show`, OpenAI-compatible servers). */
const OPEN_VISION = /llava|vision|[-_.]vl\b|[-_]vl[-_:]|gemma-?3|qwen2\.5-?vl|qwen-?vl|pixtral|minicpm-v|moondream|internvl|llama-?4|mistral-small-3\.[12]|granite3\.2-vision/i;
/** OpenAI's families that take images (gpt-3.5, plain gpt-4 and the o1/o3 minis do not). */
const OPENAI_VISION = /^(chatgpt-4o|gpt-4o|gpt-4\.1|gpt-4\.5|gpt-4-turbo|gpt-4-vision|gpt-5|o1(?!-mini|-preview)|o3(?!-mini)|o4)/i;
const OPENAI_NO_VISION = /^(o1-mini|o1-preview|o3-mini)/i;
/** Claude 1, 2 and Instant had no vision; every Claude from 3 on has. */
const OLD_CLAUDE = /^claude-(instant|1|2)(\b|[.-])/i;

/** `openai/gpt-4o` (OpenRouter style) → `gpt-4o`. */
function bare(modelId: string): string {
  return modelId.trim().replace(/^.*\//, '');
}

function byName(modelId: string): boolean {
  const id = bare(modelId);
  if (OPENAI_NO_VISION.test(id)) return false;
  if (/^claude/i.test(id)) return !OLD_CLAUDE.test(id);
  return OPENAI_VISION.test(id) || /gemini/i.test(id) || OPEN_VISION.test(modelId);
}

const OLLAMA_CACHE_MS = 10 * 60_000;
const ollamaCache = new Map<string, { at: number; vision: boolean }>();

/** Ollama's own answer (`/api/show` `capabilities`), or null when it cannot tell. */
async function ollamaSays(host: string, model: string): Promise<boolean | null> {
  try {
    const res = await fetch(`${host.replace(/\/+$/, '')}/api/show`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model }),
      signal: AbortSignal.timeout(2000),
    });
    if (!res.ok) return null;
    const body = (await res.json()) as { capabilities?: unknown };
    return Array.isArray(body.capabilities) ? body.capabilities.includes('vision') : null;
  } catch {
    return null;
  }
}

/**
 * Whether this model can be sent images. Anthropic: Claude 3 and later. OpenAI: the gpt-4o, 4.1,
 * 5 and o-series families. Ollama: its `/api/show` capabilities (cached), else the name.
 * OpenAI-compatible servers: the name (llava, qwen2.5-vl, pixtral, gpt-4o, claude-3, …).
 */
export async function acceptsImages(provider: ProviderKind, modelId: string, settings: Pick<Settings, 'ollama_host'>): Promise<boolean> {
  switch (provider) {
    case 'anthropic': return /^claude/i.test(bare(modelId)) ? !OLD_CLAUDE.test(bare(modelId)) : true;
    case 'openai': return !OPENAI_NO_VISION.test(bare(modelId)) && OPENAI_VISION.test(bare(modelId));
    case 'openai_compatible': return byName(modelId);
    case 'ollama': {
      const key = `${settings.ollama_host}\n${modelId}`;
      const hit = ollamaCache.get(key);
      if (hit && Date.now() - hit.at < OLLAMA_CACHE_MS) return hit.vision;
      const vision = (await ollamaSays(settings.ollama_host, modelId)) ?? OPEN_VISION.test(modelId);
      ollamaCache.set(key, { at: Date.now(), vision });
      return vision;
    }
  }
}

/** The most image bytes one prompt carries; further images go by name only. */
export const MAX_PROMPT_IMAGE_BYTES = 20 * 1024 * 1024;

/**
 * The raster images among `attachments` as AI SDK image parts, read from disk now. A file that
 * is gone is skipped quietly, as is anything past `MAX_PROMPT_IMAGE_BYTES` in total. The data is
 * base64 text, which every provider here (Ollama's native API included) takes.
 */
export function imageParts(attachments: readonly StoredAttachment[] | undefined, maxBytes = MAX_PROMPT_IMAGE_BYTES): ImagePart[] {
  const parts: ImagePart[] = [];
  let total = 0;
  for (const a of attachments ?? []) {
    if (!isRasterImage(a.mime_type)) continue;
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(a.path);
    } catch {
      continue;
    }
    if (total + bytes.length > maxBytes) continue;
    total += bytes.length;
    parts.push({ type: 'image', image: bytes.toString('base64'), mediaType: a.mime_type });
  }
  return parts;
}
