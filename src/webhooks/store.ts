import { InvalidInputError, NotFoundError } from '../lib/errors.js';
import { safeEqual } from '../auth/compare.js';
import {
  MAX_DESCRIPTION_LENGTH, MAX_NAME_LENGTH, MAX_SYNC_TIMEOUT, NAME_PATTERN, newSecret,
  type WebhookSlot, type WebhookSlotSource,
} from './slot.js';

/** A name that is taken: 409 on the route (no domain error kind says "conflict"). */
export class WebhookExistsError extends Error {}

export interface NewWebhook {
  name?: string;
  description?: string;
  sync_timeout?: number;
}

export const notFound = (name: string) => new NotFoundError(`Webhook '${name}' not found`);

/**
 * The webhook slots (spec §3.12) over the `webhook_configs` setting. Every change reads the list,
 * changes it and saves it in one synchronous step, so two requests cannot lose each other's edit.
 */
export class WebhookStore {
  constructor(private readonly source: WebhookSlotSource, private readonly defaultTimeout: () => number) {}

  list(): readonly WebhookSlot[] {
    return this.source.get();
  }

  /** The seconds a `?wait=true` caller waits: the slot's own, else `webhook_sync_timeout`. */
  timeoutOf(slot: WebhookSlot): number {
    return slot.sync_timeout ?? this.defaultTimeout();
  }

  /**
   * The slot named `name`. Every stored name is compared, in constant time, whatever matched: the
   * time taken does not depend on where (or whether) the name is in the list. The 404 that
   * follows for an unknown name says it is unknown anyway — spec §3.12 wants that status.
   */
  find(name: string): WebhookSlot | undefined {
    let found: WebhookSlot | undefined;
    for (const slot of this.source.get()) {
      if (safeEqual(slot.name, name) && !found) found = slot;
    }
    return found;
  }

  add(input: NewWebhook): WebhookSlot {
    const name = (input.name ?? '').trim();
    if (!name) throw new InvalidInputError('Webhook name is required');
    if (!NAME_PATTERN.test(name)) throw new InvalidInputError('Webhook name must be alphanumeric (hyphens and underscores allowed)');
    if (name.length > MAX_NAME_LENGTH) throw new InvalidInputError(`Webhook name must be at most ${MAX_NAME_LENGTH} characters`);
    const description = (input.description ?? '').trim();
    if (description.length > MAX_DESCRIPTION_LENGTH) throw new InvalidInputError(`Webhook description must be at most ${MAX_DESCRIPTION_LENGTH} characters`);
    const syncTimeout = input.sync_timeout ?? this.defaultTimeout();
    if (!Number.isInteger(syncTimeout) || syncTimeout < 1 || syncTimeout > MAX_SYNC_TIMEOUT) {
      throw new InvalidInputError(`sync_timeout must be a whole number of seconds from 1 to ${MAX_SYNC_TIMEOUT}`);
    }
    const list = [...this.source.get()];
    if (list.some((s) => s.name === name)) throw new WebhookExistsError(`Webhook '${name}' already exists`);
    const slot: WebhookSlot = { name, secret: newSecret(), description, sync_timeout: syncTimeout };
    this.source.save([...list, slot]);
    return slot;
  }

  remove(name: string): void {
    const list = this.source.get();
    const rest = list.filter((s) => s.name !== name);
    if (rest.length === list.length) throw notFound(name);
    this.source.save(rest);
  }

  /** A new secret for the slot; the old one stops working at once. */
  regenerate(name: string): string {
    const list = this.source.get();
    if (!list.some((s) => s.name === name)) throw notFound(name);
    const secret = newSecret();
    this.source.save(list.map((s) => (s.name === name ? { ...s, secret } : s)));
    return secret;
  }
}
