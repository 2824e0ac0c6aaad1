import { createHash } from 'node:crypto';
import { load, loadAll } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KratixRunResult, aiRequest, kratixRun } from './support/kratix-run.js';
import { LiteLLMEmulator } from './support/litellm-emulator.js';

let emulator: LiteLLMEmulator;
beforeAll(async () => {
  emulator = await LiteLLMEmulator.start();
});
afterAll(async () => {
  await emulator.stop();
});

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** One run at a given instant, whatever its outcome: the pipeline and the emulator share the clock. */
async function attemptAt(now: Date, spec: Record<string, unknown>, namespace: string, saltKey?: string): Promise<KratixRunResult> {
  emulator.setNow(() => now);
  emulator.resetRequests();
  return kratixRun({
    type: 'resource',
    action: 'configure',
    object: aiRequest('rotating', namespace, spec),
    litellmUrl: emulator.url,
    masterKey: emulator.masterKey,
    ...(saltKey ? { saltKey } : {}),
    env: { AI_PROMISE_NOW: now.toISOString() },
  });
}

/** One run at a given instant that must succeed. */
async function runAt(now: Date, spec: Record<string, unknown>, namespace: string, saltKey?: string): Promise<KratixRunResult> {
  const run = await attemptAt(now, spec, namespace, saltKey);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return run;
}

function keyIn(run: KratixRunResult): string {
  return (load(run.outputs.get('workload/team-tier.yaml')!) as any).stringData.OPENAI_API_KEY;
}

function uiFingerprint(run: KratixRunResult): string {
  const deployment = (loadAll(run.outputs.get('workload/open-webui.yaml')!) as any[]).find((o) => o.kind === 'Deployment');
  return deployment.spec.template.metadata.annotations['ai.kratix.io/key-fingerprint'];
}

/** Keys of the request that LiteLLM would still accept at `now`. */
function liveKeys(namespace: string, now: Date) {
  return emulator.keys().filter((k) => k.metadata?.request === `${namespace}/rotating` && (!k.expires || Date.parse(k.expires) > now.getTime()));
}

function hash(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

async function works(key: string): Promise<boolean> {
  return (await fetch(`${emulator.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } })).status === 200;
}

describe('scheduled and manual key rotation', () => {
  it('rotates at each epoch, keeps the previous key for the grace period, and never has more than two live keys', async () => {
    const ns = 'rotation';
    const spec = { tier: 'small', team: 'engineering', ui: true, models: ['gpt-5'] };
    const t0 = new Date('2026-01-10T00:00:00Z');

    // Epoch A: the first run creates key A; re-runs inside the epoch change nothing.
    const a = await runAt(t0, spec, ns);
    const keyA = keyIn(a);
    const rotatesAt = new Date(a.status.ai.key.rotatesAt);
    expect(rotatesAt.getTime()).toBeGreaterThan(t0.getTime());
    expect(rotatesAt.getTime() - t0.getTime()).toBeLessThanOrEqual(30 * DAY);
    expect(a.status.ai.key).toMatchObject({ alias: expect.stringMatching(/^ai\.rotation\.rotating\/key-r0-p2592000-e\d+$/), graceAfterRotation: '172800s' });
    expect(a.status.ai.key.fingerprint).toMatch(/^[0-9a-f]{12}$/);
    expect(JSON.stringify(a.status)).not.toContain(keyA);
    for (const later of [HOUR, 5 * DAY, rotatesAt.getTime() - t0.getTime() - 60_000]) {
      const again = await runAt(new Date(t0.getTime() + later), spec, ns);
      expect(again.outputs).toEqual(a.outputs);
      expect(again.statusText).toBe(a.statusText);
      expect(emulator.writes()).toEqual([]);
      expect(liveKeys(ns, new Date(t0.getTime() + later)).map((k) => k.token)).toEqual([hash(keyA)]);
    }

    // Epoch B: a new key in the Secret, the UI rolls, and key A works through its grace period.
    const tB = new Date(rotatesAt.getTime() + 60_000);
    const b = await runAt(tB, spec, ns);
    const keyB = keyIn(b);
    expect(keyB).not.toBe(keyA);
    expect(uiFingerprint(b)).not.toBe(uiFingerprint(a));
    expect(emulator.writes().map((r) => r.path)).toEqual(['/key/generate', '/key/update']);
    expect(liveKeys(ns, tB).map((k) => k.token).sort()).toEqual([hash(keyA), hash(keyB)].sort());
    expect(await works(keyA)).toBe(true);
    expect(await works(keyB)).toBe(true);
    const graceEnds = Date.parse(emulator.keys().find((k) => k.token === hash(keyA))!.expires!);
    expect(graceEnds - tB.getTime()).toBe(2 * DAY);
    // ... re-runs inside epoch B during the grace period write nothing and do not extend it
    const bAgain = await runAt(new Date(tB.getTime() + DAY), spec, ns);
    expect(bAgain.outputs).toEqual(b.outputs);
    expect(emulator.writes()).toEqual([]);
    expect(Date.parse(emulator.keys().find((k) => k.token === hash(keyA))!.expires!)).toBe(graceEnds);

    // After the grace period key A no longer works, and the next run deletes it.
    const tAfterGrace = new Date(graceEnds + 60_000);
    emulator.setNow(() => tAfterGrace);
    expect(await works(keyA)).toBe(false);
    const bLater = await runAt(tAfterGrace, spec, ns);
    expect(bLater.outputs).toEqual(b.outputs);
    expect(emulator.writes().map((r) => r.path)).toEqual(['/key/delete']);
    expect(emulator.keys().filter((k) => k.metadata?.request === `${ns}/rotating`).map((k) => k.token)).toEqual([hash(keyB)]);

    // A manual trigger rotates now: key C, with B in its grace period.
    const tC = new Date(tAfterGrace.getTime() + DAY);
    const c = await runAt(tC, { ...spec, rotation: { trigger: 1 } }, ns);
    const keyC = keyIn(c);
    expect(new Set([keyA, keyB, keyC]).size).toBe(3);
    expect(liveKeys(ns, tC).map((k) => k.token).sort()).toEqual([hash(keyB), hash(keyC)].sort());

    // Two rotations inside one grace period still leave two live keys: the newest previous one survives.
    const tD = new Date(tC.getTime() + HOUR);
    const d = await runAt(tD, { ...spec, rotation: { trigger: 2 } }, ns);
    const keyD = keyIn(d);
    expect(liveKeys(ns, tD).map((k) => k.token).sort()).toEqual([hash(keyC), hash(keyD)].sort());
    expect(await works(keyB)).toBe(false);

    // Going back is refused: a lower trigger would revive a key the requester rotated away from.
    const back = await attemptAt(new Date(tD.getTime() + HOUR), { ...spec, rotation: { trigger: 1 } }, ns);
    expect(back.code).toBe(1);
    expect(back.stderr).toBe('error: spec.rotation.trigger 1 is lower than 2, which this request already used: triggers only go up\n');
    expect(emulator.writes()).toEqual([]);
  });

  it('never re-creates a revoked key, even when a policy change maps back to its epoch', async () => {
    // GIVEN a request whose 30d-epoch key was rotated away by a shorter period and then revoked
    const ns = 'rotation-revived';
    const t0 = new Date('2026-03-01T00:00:00Z');
    const spec = { team: 'engineering', models: ['gpt-5'] };
    const first = await runAt(t0, spec, ns);
    await runAt(new Date(t0.getTime() + HOUR), { ...spec, rotation: { period: '7d', grace: '1h' } }, ns);
    await runAt(new Date(t0.getTime() + 3 * HOUR), { ...spec, rotation: { period: '7d', grace: '1h' } }, ns);
    expect(emulator.keys().some((k) => k.token === hash(keyIn(first)))).toBe(false);
    // WHEN the request returns to the tier's period inside the same 30-day epoch
    const back = await attemptAt(new Date(t0.getTime() + 4 * HOUR), spec, ns);
    // THEN the pipeline refuses to bring the revoked key back, and says how to move on
    expect(back.code).toBe(1);
    expect(back.stderr).toContain('was revoked before (the request went back to an earlier rotation); bump spec.rotation.trigger');
    expect(emulator.writes()).toEqual([]);
    const bumped = await runAt(new Date(t0.getTime() + 5 * HOUR), { ...spec, rotation: { trigger: 1 } }, ns);
    expect(keyIn(bumped)).not.toBe(keyIn(first));
  });

  it('never makes a key it rotated away from current again, nor lifts its expiry, while it is still in its grace', async () => {
    // GIVEN a request that moved from the tier's 30d period to 7d: its 30d key is in its grace period
    const ns = 'rotation-back-in-grace';
    const t0 = new Date('2026-03-01T00:00:00Z');
    const spec = { team: 'engineering', models: ['gpt-5'] };
    const first = await runAt(t0, spec, ns);
    const second = await runAt(new Date(t0.getTime() + HOUR), { ...spec, rotation: { period: '7d', grace: '1d' } }, ns);
    const graced = emulator.keys().find((k) => k.token === hash(keyIn(first)))!;
    expect(graced.expires).not.toBeNull();
    // WHEN it goes back to the 30d period, whose epoch (and key) is the first one again
    const back = await attemptAt(new Date(t0.getTime() + 2 * HOUR), spec, ns);
    // THEN the run refuses in one line, writes nothing, and the old key keeps its expiry
    expect(back.code).toBe(1);
    expect(back.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(back.stderr).toContain('was rotated away from');
    expect(back.stderr).toContain('bump spec.rotation.trigger to get a new key');
    expect(emulator.writes()).toEqual([]);
    expect(emulator.keys().find((k) => k.token === hash(keyIn(first)))!.expires).toBe(graced.expires);
    // AND the newer key still works; a trigger bump moves forward to a fresh key
    expect(await works(keyIn(second))).toBe(true);
    const bumped = await runAt(new Date(t0.getTime() + 3 * HOUR), { ...spec, rotation: { trigger: 1 } }, ns);
    expect([keyIn(first), keyIn(second)]).not.toContain(keyIn(bumped));
  });

  it('converges when the salt key changes at the moment of a scheduled rotation, and retires the old key', async () => {
    // GIVEN a request with its key A, derived with the first salt key
    const ns = 'rotation-salt';
    const spec = { tier: 'small', team: 'engineering', models: ['gpt-5'] };
    const t0 = new Date('2026-04-01T00:00:00Z');
    const a = await runAt(t0, spec, ns);
    const keyA = keyIn(a);
    const rotatesAt = new Date(a.status.ai.key.rotatesAt);
    // WHEN the platform replaces LITELLM_SALT_KEY and the next run is already past the rotation,
    // so the previous key can no longer be derived (its /key/update answers "does not exist")
    const newSalt = 'sk-another-salt-key-0123456789abcdef';
    const tB = new Date(rotatesAt.getTime() + 60_000);
    const b = await runAt(tB, spec, ns, newSalt);
    // THEN the run succeeds with a new key that works
    const keyB = keyIn(b);
    expect(keyB).not.toBe(keyA);
    expect(await works(keyB)).toBe(true);
    // AND key A is either deleted or given the grace period (when LiteLLM reports its hash), never left open-ended
    const rowA = emulator.keys().find((k) => k.token === hash(keyA));
    expect(rowA === undefined || (rowA.expires !== null && Date.parse(rowA.expires) <= tB.getTime() + 2 * DAY), JSON.stringify(rowA?.expires)).toBe(true);
    // AND no key was ever sent in plaintext except to /key/generate
    const generated = new Set([keyA, keyB]);
    expect(emulator.requests.filter((r) => r.path !== '/key/generate' && [...generated].some((k) => JSON.stringify(r).includes(k)))).toEqual([]);
    // AND later runs converge: nothing to write, the same outputs
    const again = await runAt(new Date(tB.getTime() + HOUR), spec, ns, newSalt);
    expect(emulator.writes()).toEqual([]);
    expect(again.outputs).toEqual(b.outputs);
    // AND once any grace period is over, key A is refused and the next run leaves only key B
    const tLater = new Date(tB.getTime() + 2 * DAY + HOUR);
    emulator.setNow(() => tLater);
    expect(await works(keyA)).toBe(false);
    await runAt(tLater, spec, ns, newSalt);
    expect(emulator.keys().filter((k) => k.metadata?.request === `${ns}/rotating`).map((k) => k.token)).toEqual([hash(keyB)]);
  });

  it('follows a tighter period a request asks for, and refuses a looser one', async () => {
    const ns = 'rotation-tight';
    const t0 = new Date('2026-02-01T00:00:00Z');
    const run = await runAt(t0, { team: 'engineering', models: ['gpt-5'], rotation: { period: '7d', grace: '1h' } }, ns);
    expect(new Date(run.status.ai.key.rotatesAt).getTime() - t0.getTime()).toBeLessThanOrEqual(7 * DAY);
    expect(run.status.ai.key.graceAfterRotation).toBe('3600s');

    emulator.resetRequests();
    const loose = await kratixRun({
      type: 'resource',
      action: 'configure',
      object: aiRequest('rotating', ns, { team: 'engineering', models: ['gpt-5'], rotation: { period: '90d' } }),
      litellmUrl: emulator.url,
      masterKey: emulator.masterKey,
    });
    expect(loose.code).toBe(1);
    expect(loose.stderr).toBe("error: spec.rotation.period '90d' is longer than the tier's 30d: a request may only shorten it\n");
    expect(emulator.writes()).toEqual([]);
  });
});
