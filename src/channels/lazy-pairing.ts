import type { ChannelManager } from './manager.js';
import type { TelegramPairing, TelegramPairingOptions } from './telegram/pairing.js';

/** What the pairing routes use of a TelegramPairing. */
export type PairingService = Pick<TelegramPairing, 'setup' | 'status' | 'close'>;

/**
 * Telegram pairing, with grammY loaded on the first setup rather than at start-up: most
 * owners pair once, and a server without Telegram never needs the library. A running Telegram
 * channel is stopped while the temporary bot polls (two pollers on one token fight, and the
 * `/start <secret>` could reach the channel instead), and started again once paired — with the
 * new token — when it was running or starts with the app.
 */
export class LazyTelegramPairing implements PairingService {
  private loaded: Promise<TelegramPairing> | null = null;
  private instance: TelegramPairing | null = null;
  private restartAfterPairing = false;

  constructor(
    private readonly opts: Omit<TelegramPairingOptions, 'onPaired'>,
    private readonly channels: Pick<ChannelManager, 'status' | 'toggle'>,
  ) {}

  private load(): Promise<TelegramPairing> {
    this.loaded ??= import('./telegram/pairing.js').then(({ TelegramPairing: Pairing }) => (this.instance = new Pairing({
      ...this.opts,
      onPaired: () => void this.paired(),
    })));
    return this.loaded;
  }

  async setup(botToken: string): ReturnType<TelegramPairing['setup']> {
    const telegram = this.channels.status().telegram;
    if (telegram.running) await this.channels.toggle('telegram', 'stop');
    this.restartAfterPairing = telegram.running || telegram.autostart;
    return (await this.load()).setup(botToken);
  }

  private async paired(): Promise<void> {
    if (!this.restartAfterPairing) return;
    this.restartAfterPairing = false;
    const result = await this.channels.toggle('telegram', 'start');
    if ('error' in result) this.opts.log?.(result.error);
  }

  status(): ReturnType<TelegramPairing['status']> {
    return this.instance?.status() ?? { paired: false, user_id: null };
  }

  async close(): Promise<void> {
    await this.instance?.close();
  }
}
