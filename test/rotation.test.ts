import { describe, expect, it } from 'vitest';
import { clock, effectiveRotation, keyEpoch } from '../pipeline/rotation.js';

const TIER = { period: '30d', grace: '2d' };
const DAY = 86_400;

describe('effectiveRotation', () => {
  it("is the tier's policy when the request says nothing", () => {
    expect(effectiveRotation(TIER, { trigger: 0 })).toEqual({ periodSeconds: 30 * DAY, graceSeconds: 2 * DAY, trigger: 0 });
  });

  it('lets a request tighten the period and the grace', () => {
    expect(effectiveRotation(TIER, { period: '7d', grace: '12h', trigger: 2 })).toEqual({ periodSeconds: 7 * DAY, graceSeconds: 12 * 3600, trigger: 2 });
  });

  it('refuses to loosen', () => {
    expect(() => effectiveRotation(TIER, { period: '60d', trigger: 0 })).toThrow("spec.rotation.period '60d' is longer than the tier's 30d: a request may only shorten it");
    expect(() => effectiveRotation(TIER, { grace: '3d', trigger: 0 })).toThrow("spec.rotation.grace '3d' is longer than the tier's 2d");
  });

  it('keeps the grace shorter than the period', () => {
    expect(() => effectiveRotation(TIER, { period: '1d', trigger: 0 })).toThrow('spec.rotation.grace (172800s) must be shorter than the rotation period (86400s)');
  });

  it('without a tier policy rotates only on the trigger, unless the request sets a period', () => {
    expect(effectiveRotation(undefined, { trigger: 1 })).toEqual({ periodSeconds: null, graceSeconds: 0, trigger: 1 });
    expect(effectiveRotation(undefined, { period: '7d', grace: '1d', trigger: 0 })).toEqual({ periodSeconds: 7 * DAY, graceSeconds: DAY, trigger: 0 });
  });
});

describe('keyEpoch', () => {
  const policy = effectiveRotation(TIER, { trigger: 0 });
  const t0 = new Date('2026-01-01T00:00:00Z');

  it('stays the same for a whole period and changes at rotatesAt', () => {
    const epoch = keyEpoch(policy, 'uid-1', t0);
    const rotatesAt = epoch.rotatesAt!;
    expect(rotatesAt.getTime()).toBeGreaterThan(t0.getTime());
    expect(rotatesAt.getTime() - t0.getTime()).toBeLessThanOrEqual(30 * DAY * 1000);
    expect(keyEpoch(policy, 'uid-1', new Date(rotatesAt.getTime() - 1000)).id).toBe(epoch.id);
    const next = keyEpoch(policy, 'uid-1', rotatesAt);
    expect(next.index).toBe(epoch.index + 1);
    expect(next.rotatesAt!.getTime() - rotatesAt.getTime()).toBe(30 * DAY * 1000);
  });

  it('spreads requests over the period', () => {
    const moments = new Set(Array.from({ length: 20 }, (_, i) => keyEpoch(policy, `uid-${i}`, t0).rotatesAt!.getTime()));
    expect(moments.size).toBeGreaterThan(15);
  });

  it('changes with the trigger and with the period, never reusing an id', () => {
    const base = keyEpoch(policy, 'uid-1', t0).id;
    expect(keyEpoch({ ...policy, trigger: 1 }, 'uid-1', t0).id).not.toBe(base);
    expect(keyEpoch({ ...policy, periodSeconds: 7 * DAY }, 'uid-1', t0).id).not.toBe(base);
  });

  it('without a period depends only on the trigger', () => {
    expect(keyEpoch({ periodSeconds: null, graceSeconds: 0, trigger: 3 }, 'uid-1', t0)).toEqual({ id: 'r3', index: 0, rotatesAt: null });
  });
});

describe('clock', () => {
  it('is pinned by AI_PROMISE_NOW', () => {
    expect(clock({ AI_PROMISE_NOW: '2026-03-04T05:06:07Z' }).toISOString()).toBe('2026-03-04T05:06:07.000Z');
    expect(() => clock({ AI_PROMISE_NOW: 'tomorrow' })).toThrow("AI_PROMISE_NOW 'tomorrow' is not an ISO 8601 date");
  });
});

describe('rotation boundaries (both sides of each bound)', () => {
  it("accepts a request period or grace equal to the tier's, refuses one second more", () => {
    // GIVEN a tier of 30d / 2d
    // THEN asking for exactly that is allowed (the ceiling is inclusive)
    expect(effectiveRotation(TIER, { period: '30d', grace: '2d', trigger: 0 })).toEqual({ periodSeconds: 30 * DAY, graceSeconds: 2 * DAY, trigger: 0 });
    expect(effectiveRotation(TIER, { period: '720h', grace: '48h', trigger: 0 })).toEqual({ periodSeconds: 30 * DAY, graceSeconds: 2 * DAY, trigger: 0 });
    // AND one second more is not
    expect(() => effectiveRotation({ period: '60s', grace: '10s' }, { period: '61s', trigger: 0 })).toThrow("spec.rotation.period '61s' is longer than the tier's 60s: a request may only shorten it");
    expect(() => effectiveRotation({ period: '60s', grace: '10s' }, { grace: '11s', trigger: 0 })).toThrow("spec.rotation.grace '11s' is longer than the tier's 10s: a request may only shorten it");
  });

  it('needs the grace strictly shorter than the period: equal keeps three keys alive', () => {
    expect(effectiveRotation(undefined, { period: '60s', grace: '59s', trigger: 0 })).toEqual({ periodSeconds: 60, graceSeconds: 59, trigger: 0 });
    expect(() => effectiveRotation(undefined, { period: '60s', grace: '60s', trigger: 0 })).toThrow('spec.rotation.grace (60s) must be shorter than the rotation period (60s)');
    expect(() => effectiveRotation(undefined, { period: '60s', grace: '61s', trigger: 0 })).toThrow('spec.rotation.grace (61s) must be shorter than the rotation period (60s)');
  });

  it('without any period, a grace alone is allowed and the trigger is kept', () => {
    expect(effectiveRotation(undefined, { grace: '1h', trigger: 7 })).toEqual({ periodSeconds: null, graceSeconds: 3600, trigger: 7 });
  });

  it('names the bad field: a malformed tier policy or request duration', () => {
    expect(() => effectiveRotation({ period: '1 month', grace: '1d' }, { trigger: 0 })).toThrow("tier rotation.period '1 month' is not a duration such as 90m, 12h or 30d");
    expect(() => effectiveRotation(TIER, { grace: '2 days', trigger: 0 })).toThrow("spec.rotation.grace '2 days' is not a duration such as 90m, 12h or 30d");
  });
});

describe('keyEpoch, pinned', () => {
  // Computed outside this code base: offset = first 6 bytes of sha256('uid-1'), big-endian, mod the
  // period = 1316797 s; index = floor((t + offset) / period); the key rotates at
  // (index + 1) * period - offset.
  const policy = effectiveRotation(TIER, { trigger: 0 });
  const t0 = new Date('2026-01-01T00:00:00Z');
  const rotatesAt = new Date('2026-01-21T18:13:23Z');

  it('is the same known epoch until rotatesAt, and the next one from that second on', () => {
    expect(keyEpoch(policy, 'uid-1', t0)).toEqual({ id: 'r0-p2592000-e682', index: 682, rotatesAt });
    expect(keyEpoch(policy, 'uid-1', new Date(rotatesAt.getTime() - 1)).id).toBe('r0-p2592000-e682');
    expect(keyEpoch(policy, 'uid-1', rotatesAt)).toEqual({ id: 'r0-p2592000-e683', index: 683, rotatesAt: new Date(rotatesAt.getTime() + 30 * DAY * 1000) });
  });

  it('puts the trigger in the id', () => {
    expect(keyEpoch({ ...policy, trigger: 4 }, 'uid-1', t0).id).toBe('r4-p2592000-e682');
  });
});

describe('clock, unpinned', () => {
  it('is the real time when AI_PROMISE_NOW is unset or empty', () => {
    for (const env of [{}, { AI_PROMISE_NOW: '' }]) {
      const before = Date.now();
      const now = clock(env).getTime();
      expect(now).toBeGreaterThanOrEqual(before);
      expect(now).toBeLessThanOrEqual(Date.now());
    }
  });

  it('quotes at most 40 characters of a bad value', () => {
    expect(() => clock({ AI_PROMISE_NOW: `x${'y'.repeat(100)}` })).toThrow(`AI_PROMISE_NOW 'x${'y'.repeat(39)}' is not an ISO 8601 date`);
  });
});
