import { describe, expect, it } from 'vitest';
import { createAdaptiveLimiter, type LimiterSlot } from '../src/client/transport/adaptive-limiter.js';

/** A limiter on a hand-moved clock. */
function clocked(options: Parameters<typeof createAdaptiveLimiter>[0] = {}) {
  let time = 0;
  const limiter = createAdaptiveLimiter({ ...options, now: () => time });
  return { limiter, advance: (ms: number) => void (time += ms) };
}

/** Takes `count` slots (they must all be free). */
async function take(limiter: ReturnType<typeof createAdaptiveLimiter>, count: number): Promise<LimiterSlot[]> {
  return Promise.all(Array.from({ length: count }, () => limiter.acquire()));
}

/** One round trip at the current limit: every slot taken, held `ms`, released as a success. */
async function roundTrip(setup: ReturnType<typeof clocked>, ms = 50): Promise<void> {
  const slots = await take(setup.limiter, setup.limiter.state().limit);
  setup.advance(ms);
  for (const slot of slots) slot.release('success');
}

describe('the adaptive concurrency limiter', () => {
  it('doubles each round trip from its initial limit up to the maximum, never beyond', async () => {
    const setup = clocked({ initial: 4, max: 20 });
    const seen = [setup.limiter.state().limit];
    for (let trip = 0; trip < 5; trip += 1) {
      await roundTrip(setup);
      seen.push(setup.limiter.state().limit);
    }
    expect(seen).toEqual([4, 8, 16, 20, 20, 20]);
  });

  it('makes the request above the limit wait for a free slot', async () => {
    const { limiter } = clocked({ initial: 2, max: 2 });
    const [first] = await take(limiter, 2);
    let third = false;
    const waiting = limiter.acquire().then((slot) => ((third = true), slot));
    await Promise.resolve();
    expect(third).toBe(false);
    expect(limiter.state().waiting).toBe(1);
    first!.release('success');
    (await waiting).release('success');
    expect(third).toBe(true);
  });

  it('on a 429 falls to what the server took (the others in flight) and holds that as the ceiling', async () => {
    const setup = clocked({ initial: 16, max: 64 });
    const slots = await take(setup.limiter, 16);
    setup.advance(50);
    slots[15]!.release('rejected'); // sent while 15 others were in flight
    expect(setup.limiter.state()).toMatchObject({ limit: 15, ceiling: 15 });
    for (const slot of slots.slice(0, 15)) slot.release('success');
    // A server that can take 4 refuses everything above: those rejections bring it lower at once, not one per round
    // trip.
    const again = await take(setup.limiter, 15);
    for (const slot of again.slice(4).reverse()) slot.release('rejected');
    expect(setup.limiter.state().limit).toBe(4);
    for (const slot of again.slice(0, 4)) slot.release('success');
  });

  it('reads a burst refused together as one signal: its refusals trickling back do not take one off each', async () => {
    const setup = clocked({ initial: 16, max: 64 });
    const slots = await take(setup.limiter, 16);
    setup.advance(5);
    // A server that takes 8 refuses the other 8 of the burst; they come back one after another.
    for (const slot of slots.slice(8)) slot.release('rejected');
    expect(setup.limiter.state().limit).toBe(8);
    setup.advance(45);
    for (const slot of slots.slice(0, 8)) slot.release('success');
    expect(setup.limiter.state().limit).toBe(8);
  });

  it(
    'against a proxy that refuses at once (K = 32) settles ' +
      'near 32 after slow start overshoots, without collapsing',
    async () => {
      const setup = clocked({ initial: 16, max: 64 });
      // The proxy serves 32 at once for 50 ms and refuses the rest at once; the client keeps every slot busy (a refused
      // request's slot goes to the next request at once), so the requests in flight stay at the limit.
      const serving: Array<{ slot: LimiterSlot; until: number }> = [];
      let refusedLate = 0;
      for (let ms = 0; ms < 2_000; ms += 1) {
        for (const each of serving.filter((entry) => entry.until <= ms)) {
          serving.splice(serving.indexOf(each), 1);
          each.slot.release('success');
        }
        const { limit, inFlight } = setup.limiter.state();
        for (const slot of await take(setup.limiter, Math.max(0, limit - inFlight))) {
          if (serving.length < 32) serving.push({ slot, until: ms + 50 });
          else {
            if (ms >= 1_000) refusedLate += 1;
            slot.release('rejected');
          }
        }
        setup.advance(1);
      }
      expect(setup.limiter.state().limit).toBeGreaterThanOrEqual(24);
      expect(setup.limiter.state().limit).toBeLessThanOrEqual(36);
      expect(refusedLate).toBeLessThan(100);
      for (const each of serving) each.slot.release('success');
    },
  );

  it('does not shrink on refusals that come at every concurrency (random, not overload)', async () => {
    const setup = clocked({ initial: 16, max: 16 });
    for (let trip = 0; trip < 3; trip += 1) await roundTrip(setup);
    const limits: number[] = [];
    for (let round = 0; round < 20; round += 1) {
      const slots = await take(setup.limiter, setup.limiter.state().limit);
      setup.advance(50);
      // One in twenty refused, at whatever concurrency it was sent.
      slots.forEach((slot, index) => slot.release((round * 16 + index) % 20 === 7 ? 'rejected' : 'success'));
      limits.push(setup.limiter.state().limit);
    }
    // A refusal at the very top (the only request sent with 15 others) cannot be told from overload: one slot, briefly.
    expect(Math.min(...limits), String(limits)).toBeGreaterThanOrEqual(15);
    expect(limits.at(-1), String(limits)).toBeGreaterThanOrEqual(15);
  });

  it(
    'at the ceiling probes one higher after ten quiet ' + 'round trips, then sooner after each probe that passes',
    async () => {
      const setup = clocked({ initial: 8, max: 64 });
      const slots = await take(setup.limiter, 8);
      setup.advance(50);
      slots[7]!.release('rejected'); // ceiling 7
      for (const slot of slots.slice(0, 7)) slot.release('success');
      const limits: number[] = [];
      for (let trip = 0; trip < 30; trip += 1) {
        await roundTrip(setup);
        limits.push(setup.limiter.state().limit);
      }
      expect(limits.slice(0, 9), String(limits)).toEqual(Array(9).fill(7));
      expect(limits[9]).toBe(8); // the first probe, after 10 quiet round trips
      const firstEight = limits.indexOf(8);
      const firstNine = limits.indexOf(9);
      const firstTen = limits.indexOf(10);
      expect(firstNine - firstEight).toBe(5); // then after 5
      expect(firstTen - firstNine).toBeLessThan(5); // and sooner still
      expect(Math.max(...limits)).toBeLessThanOrEqual(64);
    },
  );

  it('shrinks when latency climbs to twice its minimum (a queue on the server), and ignores 500s', async () => {
    const setup = clocked({ initial: 16, max: 16 });
    for (let trip = 0; trip < 3; trip += 1) await roundTrip(setup, 50);
    const before = setup.limiter.state().limit;
    const errors = await take(setup.limiter, before);
    setup.advance(50);
    for (const slot of errors) slot.release('error');
    expect(setup.limiter.state().limit).toBe(before);
    for (let trip = 0; trip < 20; trip += 1) await roundTrip(setup, 200);
    expect(setup.limiter.state().limit).toBeLessThan(before);
  });

  it('against a server that serves 10 at once and queues the rest, settles near 10 from an initial 16', async () => {
    const setup = clocked({ initial: 16, max: 64 });
    const limits: number[] = [];
    for (let trip = 0; trip < 120; trip += 1) {
      // Every slot taken; the server serves 10 at a time for 50 ms, so a round trip takes 50 ms per 10 in flight.
      const n = setup.limiter.state().limit;
      await roundTrip(setup, 50 * Math.max(1, n / 10));
      limits.push(setup.limiter.state().limit);
    }
    const settled = limits.slice(60).sort((a, b) => a - b);
    expect(settled[30], String(limits)).toBeGreaterThanOrEqual(9);
    expect(settled[30], String(limits)).toBeLessThanOrEqual(13);
    expect(Math.max(...limits.slice(20)), String(limits)).toBeLessThanOrEqual(16);
  });

  it(
    'against a server with no queue (constant latency, a ' + 'few ms of jitter) grows to the maximum and stays there',
    async () => {
      const setup = clocked({ initial: 16, max: 64 });
      const limits: number[] = [];
      for (let trip = 0; trip < 60; trip += 1) {
        await roundTrip(setup, 50 + ((trip * 7) % 5));
        limits.push(setup.limiter.state().limit);
      }
      expect(limits.slice(3), String(limits)).toEqual(Array(57).fill(64));
    },
  );

  it('keeps a fixed limit when not adaptive', async () => {
    const setup = clocked({ max: 6, adaptive: false });
    expect(setup.limiter.state().limit).toBe(6);
    const slots = await take(setup.limiter, 6);
    slots[5]!.release('rejected');
    expect(setup.limiter.state().limit).toBe(6);
    for (const slot of slots.slice(0, 5)) slot.release('success');
  });

  it('lets at most maxRequestsPerSecond requests start at once', async () => {
    const limiter = createAdaptiveLimiter({ max: 64, adaptive: false, maxRequestsPerSecond: 5 });
    let started = 0;
    const all = Array.from({ length: 8 }, () => limiter.acquire().then((slot) => ((started += 1), slot)));
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toBe(5);
    for (const slot of await Promise.all(all)) slot.release('success');
    expect(started).toBe(8);
  });
});
