import { describe, expect, it } from 'vitest';
import { TurnQueue } from '../../src/chat/turn-queue.js';

// The queue behind WebSocket turn ordering and max_concurrent_conversations (spec §4.2),
// exercised directly for the interleavings a socket cannot produce on demand.

function gate(): { open: () => void; wait: Promise<void> } {
  let open!: () => void;
  const wait = new Promise<void>((r) => (open = r));
  return { open, wait };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('TurnQueue slots', () => {
  it('a newcomer arriving as a slot is released does not overtake the waiter (never over the limit)', async () => {
    const q = new TurnQueue(() => 1);
    let running = 0;
    let peak = 0;
    const order: string[] = [];
    const job = (name: string, g: Promise<void>) => q.withSlot(async () => {
      running++;
      peak = Math.max(peak, running);
      order.push(name);
      await g;
      running--;
    });
    const a = gate();
    const b = gate();
    const c = gate();
    const pa = job('a', a.wait);
    const pb = job('b', b.wait);
    await tick();
    a.open();
    await pa;
    // Synchronously after the release, before b has resumed: c must queue behind b.
    const pc = job('c', c.wait);
    await tick();
    expect(order).toEqual(['a', 'b']);
    b.open();
    c.open();
    await Promise.all([pb, pc]);
    expect(order).toEqual(['a', 'b', 'c']);
    expect(peak).toBe(1);
    expect(q.active).toBe(0);
  });

  it('aborting a waiting turn removes it from the queue: its function never runs, the next one gets the slot', async () => {
    const q = new TurnQueue(() => 1);
    const a = gate();
    const ran: string[] = [];
    const pa = q.withSlot(async () => {
      ran.push('a');
      await a.wait;
      return 'a';
    });
    const stop = new AbortController();
    const pb = q.withSlot(async () => {
      ran.push('b');
      return 'b';
    }, stop.signal);
    const pc = q.withSlot(async () => {
      ran.push('c');
      return 'c';
    });
    stop.abort();
    expect(await pb).toBeUndefined();
    a.open();
    expect(await pa).toBe('a');
    expect(await pc).toBe('c');
    expect(ran).toEqual(['a', 'c']);
    expect(q.active).toBe(0);
  });

  it('a raised limit lets every waiter that fits start at the next release', async () => {
    let limit = 1;
    const q = new TurnQueue(() => limit);
    const a = gate();
    const hold = gate();
    let running = 0;
    let peak = 0;
    const job = (g: Promise<void>) => q.withSlot(async () => {
      running++;
      peak = Math.max(peak, running);
      await g;
      running--;
    });
    const pa = job(a.wait);
    const waiters = [job(hold.wait), job(hold.wait), job(hold.wait)];
    await tick();
    limit = 3;
    a.open();
    await pa;
    await tick();
    expect(running).toBe(3);
    hold.open();
    await Promise.all(waiters);
    expect(peak).toBe(3);
  });
});
