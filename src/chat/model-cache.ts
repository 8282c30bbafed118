import type { Settings } from '../config/settings.js';
import { withChatModel } from '../models/chat-model.js';
import type { ModelResolver, NoModel, ResolvedModel } from '../models/resolver.js';

/**
 * The model of a turn, resolved once per settings and chat model rather than on every turn:
 * resolving imports the provider package again and builds a new client (~1 ms a turn before
 * the provider is asked, under tsx). A settings change replaces the settings object
 * (SettingsStore.update), which empties the cache, so the next turn resolves afresh. Not kept:
 * "no model" (the user may be setting one up) and Ollama found by `auto` (the resolver checks
 * again every 30 s whether it is still reachable).
 */
export class ModelCache {
  private settings: Settings | undefined;
  private readonly byChatModel = new Map<string, ResolvedModel>();

  constructor(private readonly models: ModelResolver) {}

  async resolve(settings: Settings, chatModel: string | null): Promise<ResolvedModel | NoModel> {
    if (settings !== this.settings) {
      this.settings = settings;
      this.byChatModel.clear();
    }
    const key = chatModel ?? '';
    const cached = this.byChatModel.get(key);
    if (cached) return cached;
    const effective = withChatModel(settings, chatModel);
    const resolved = await this.models.resolve(effective);
    const probed = effective.llm_provider === 'auto' && resolved.provider === 'ollama';
    if (resolved.provider && !probed && this.settings === settings) this.byChatModel.set(key, resolved);
    return resolved;
  }
}
