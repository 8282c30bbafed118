import type { TelegramPairing, TelegramPairingOptions } from './telegram/pairing.js';

/** What the pairing routes use of a TelegramPairing. */
export type PairingService = Pick<TelegramPairing, 'setup' | 'status' | 'close'>;

/**
 * Telegram pairing, with grammY loaded on the first setup rather than at start-up: most
 * owners pair once, and a server without Telegram never needs the library.
 */
export class LazyTelegramPairing implements PairingService {
  private loaded: Promise<TelegramPairing> | null = null;
  private instance: TelegramPairing | null = null;

  constructor(private readonly opts: TelegramPairingOptions) {}

  private load(): Promise<TelegramPairing> {
    this.loaded ??= import('./telegram/pairing.js').then(({ TelegramPairing: Pairing }) => (this.instance = new Pairing(this.opts)));
    return this.loaded;
  }

  async setup(botToken: string): ReturnType<TelegramPairing['setup']> {
    return (await this.load()).setup(botToken);
  }

  status(): ReturnType<TelegramPairing['status']> {
    return this.instance?.status() ?? { paired: false, user_id: null };
  }

  async close(): Promise<void> {
    await this.instance?.close();
  }
}
