import { createHash } from 'node:crypto';
import { Testing } from 'cdk8s';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TeamTier } from '../constructs/index.js';
import { PipelineError } from '../pipeline/errors.js';
import { deriveVirtualKey } from '../pipeline/keys.js';
import { LiteLLMClient } from '../pipeline/litellm-client.js';
import { type Desired, type Observed, type ObservedKey, isMissingKey, keyHash, plan, reconcile } from '../pipeline/reconcile.js';
import { effectiveRotation, keyEpoch } from '../pipeline/rotation.js';
import { LiteLLMEmulator } from './support/litellm-emulator.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
import { TEST_CATALOG } from './support/test-catalog.js';

const KEY = 'sk-desired-key-0123456789abcdefghijklmnopqrstuvWXYZ';
/** sha256 hex of KEY and of the derived keys below (`printf %s <key> | sha256sum`). */
const KEY_HASH = '93c0d275f1a4e2e0558f15cac3496e1407c78ae2f4ef62c2e4e984153826e319';
const E1_HASH = '6b2d1b81f2a4fea46c557b7f9c509b61bc8786cad3b11490a7afafb3ec1b6a6b';
const E2_HASH = 'c6a1536a4b1c0c54a0020f82c0aac6c7a79add79ea6db8f4cb547bef9ca8efd8';
const NOW = new Date('2026-06-01T12:00:00Z');

function desired(tier = 'small', models = ['gpt-5']): Desired {
  const t = new TeamTier(Testing.chart(), 'tt', {
    catalog: TEST_CATALOG,
    tier,
    models,
    owner: 'engineering',
    requestNamespace: 'default',
    requestName: 'example',
    requestUid: 'uid-1',
    apiKey: KEY,
    gatewayUrl: 'http://gw:4000',
  });
  return { team: t.team, key: t.key, apiKey: KEY, keyOfEpoch: (epoch) => `sk-derived-for-${epoch}`, graceSeconds: 172800, now: NOW };
}

/** What LiteLLM reports after the desired state was applied. */
function inSync(d: Desired, keyChanges: Partial<ObservedKey> = {}): Observed {
  return {
    team: { ...d.team, metadata: { ...d.team.metadata, extra: 'kept' }, models: [...d.team.models] },
    keys: [{ key_alias: d.key.key_alias, key_name: `sk-...${KEY.slice(-4)}`, team_id: d.team.team_id, models: [...d.key.models], metadata: { ...d.key.metadata }, expires: null, ...keyChanges }],
  };
}

describe('plan', () => {
  it('creates the team, then the key, when nothing exists', () => {
    const d = desired();
    expect(plan(d, null)).toEqual([
      { kind: 'create-team', body: d.team },
      { kind: 'create-key', body: { ...d.key, key: KEY } },
    ]);
  });

  it('plans nothing in steady state', () => {
    const d = desired();
    expect(plan(d, inSync(d))).toEqual([]);
  });

  it('ignores model order', () => {
    const d = desired('small', ['gpt-5', 'claude-opus-4']);
    const observed = inSync(d);
    expect(plan(d, { team: { ...observed.team, models: ['claude-opus-4', 'gpt-5'] }, keys: observed.keys })).toEqual([]);
  });

  it('updates only the drifted team fields on a tier change', () => {
    const before = desired('small');
    const after = desired('large');
    const steps = plan(after, inSync(before));
    expect(steps).toEqual([
      {
        kind: 'update-team',
        fields: ['rpm_limit', 'tpm_limit', 'max_budget', 'metadata'],
        body: { team_id: 'ai.default.example', rpm_limit: 1200, tpm_limit: 600000, max_budget: 1000, metadata: { ...after.team.metadata, extra: 'kept' } },
      },
    ]);
  });

  it('updates team and key models on a model change', () => {
    const before = desired('small', ['gpt-5']);
    const after = desired('small', ['gpt-5', 'gemini-2.5-pro']);
    expect(plan(after, inSync(before))).toEqual([
      { kind: 'update-team', fields: ['models'], body: { team_id: 'ai.default.example', models: ['gpt-5', 'gemini-2.5-pro'] } },
      { kind: 'update-key', fields: ['models'], body: { key: KEY_HASH, models: ['gpt-5', 'gemini-2.5-pro'] } },
    ]);
  });

  it('never lifts the expiry of a key: one with an expiry was rotated away from, and is refused as current', () => {
    const d = desired();
    for (const expires of ['2026-01-01T00:00:00Z', '2026-06-02T00:00:00+00:00']) {
      expect(() => plan(d, inSync(d, { expires }))).toThrow(
        `key 'ai.default.example/key-r0' was rotated away from (it expires or expired at ${expires}) and never becomes current again`,
      );
    }
  });

  it('refuses a current key older than another key of the same request uid: the current key only moves forward', () => {
    const d = desired();
    const observed = inSync(d, { created_at: '2026-05-01T00:00:00+00:00' });
    const newer = { ...observed.keys[0]!, key_alias: 'ai.default.example/key-r0-p604800-e2900', key_name: 'sk-...nwer', created_at: '2026-05-02T00:00:00+00:00' };
    expect(() => plan(d, { team: observed.team, keys: [...observed.keys, newer] })).toThrow('(key ai.default.example/key-r0-p604800-e2900 is newer)');
  });

  it('copes with a team holding 200k keys (nothing sized by the key count on the stack)', () => {
    const d = desired();
    const observed = inSync(d, { created_at: '2026-05-01T00:00:00+00:00' });
    const expired = (i: number): ObservedKey => ({
      key_alias: `ai.default.example/key-old-${i}`,
      metadata: { ...d.key.metadata, epoch: `r0-old-${i}` },
      created_at: '2026-04-01T00:00:00+00:00',
      expires: '2026-04-02T00:00:00+00:00',
    });
    const many = Array.from({ length: 200_000 }, (_, i) => expired(i));
    const steps = plan(d, { team: observed.team, keys: [...observed.keys, ...many] });
    expect(steps).toHaveLength(1);
    expect(steps[0]).toMatchObject({ kind: 'delete-keys', reason: 'stale' });
    expect(steps[0]!.kind === 'delete-keys' && steps[0]!.aliases.length).toBe(200_000);
  });

  it('creates the key when only the team exists (a half-finished run)', () => {
    const d = desired();
    expect(plan(d, { team: inSync(d).team, keys: [] })).toEqual([{ kind: 'create-key', body: { ...d.key, key: KEY } }]);
  });

  it('replaces a key whose alias holds another value', () => {
    const d = desired();
    expect(plan(d, inSync(d, { key_name: 'sk-...zzzz' }))).toEqual([
      { kind: 'delete-keys', aliases: [d.key.key_alias], reason: 'stale' },
      { kind: 'create-key', body: { ...d.key, key: KEY } },
    ]);
  });

  it('deletes keys of an earlier request of the same name at once, and never foreign ones', () => {
    const d = desired();
    const observed = inSync(d);
    const earlier = { ...observed.keys[0]!, key_alias: 'ai.default.example/key-old', metadata: { ...observed.keys[0]!.metadata, 'request-uid': 'uid-0' } };
    const foreign = { ...observed.keys[0]!, key_alias: 'someone-elses', metadata: { owner: 'ops' } };
    expect(plan(d, { team: observed.team, keys: [...observed.keys, earlier, foreign] })).toEqual([
      { kind: 'delete-keys', aliases: ['ai.default.example/key-old'], reason: 'stale' },
    ]);
  });

  describe('after a rotation', () => {
    const d = desired();
    const observed = inSync(d);
    const previous = (epoch: string, createdAt: string, expires: string | null = null): ObservedKey => ({
      ...observed.keys[0]!,
      key_alias: `ai.default.example/key-${epoch}`,
      key_name: 'sk-...prev',
      metadata: { ...observed.keys[0]!.metadata, epoch },
      created_at: createdAt,
      expires,
    });

    it('starts the grace period of the previous key once the new key exists', () => {
      const steps = plan(d, { team: observed.team, keys: [previous('r0-p100-e1', '2026-05-01T00:00:00+00:00')] });
      expect(steps).toEqual([
        { kind: 'create-key', body: { ...d.key, key: KEY } },
        { kind: 'expire-key', alias: 'ai.default.example/key-r0-p100-e1', body: { key: E1_HASH, duration: '172800s' } },
      ]);
    });

    it("names the previous key by the hash LiteLLM reports, which survives a change of the salt key", () => {
      // GIVEN /team/info reports the previous key's token, made under another salt key
      const token = 'ab'.repeat(32);
      // WHEN the plan starts its grace period
      const steps = plan(d, { team: observed.team, keys: [{ ...previous('r0-p100-e1', '2026-05-01T00:00:00+00:00'), token }] });
      // THEN it sends that hash, not one of a key derived with today's salt key
      expect(steps[1]).toEqual({ kind: 'expire-key', alias: 'ai.default.example/key-r0-p100-e1', body: { key: token, duration: '172800s' } });
    });

    it('never puts a plaintext key in a step other than create-key', () => {
      const steps = plan(d, { team: observed.team, keys: [{ ...observed.keys[0]!, models: [] }, previous('r0-p100-e2', '2026-05-20T00:00:00+00:00')] });
      expect(steps.map((s) => s.kind)).toEqual(['update-key', 'expire-key']);
      expect(JSON.stringify(steps)).not.toMatch(/sk-(?!\.\.\.)/);
    });

    it('leaves a previous key in its grace period alone: a re-run writes nothing', () => {
      expect(plan(d, { team: observed.team, keys: [...observed.keys, previous('r0-p100-e1', '2026-05-01T00:00:00+00:00', '2026-06-02T00:00:00+00:00')] })).toEqual([]);
    });

    it('deletes the previous key once its grace is over', () => {
      expect(plan(d, { team: observed.team, keys: [...observed.keys, previous('r0-p100-e1', '2026-05-01T00:00:00+00:00', '2026-06-01T11:59:59+00:00')] })).toEqual([
        { kind: 'delete-keys', aliases: ['ai.default.example/key-r0-p100-e1'], reason: 'stale' },
      ]);
    });

    it('keeps at most one previous key: the newest', () => {
      const older = previous('r0-p100-e1', '2026-05-01T00:00:00+00:00', '2026-06-02T00:00:00+00:00');
      const newer = previous('r0-p100-e2', '2026-05-20T00:00:00+00:00');
      expect(plan(d, { team: observed.team, keys: [...observed.keys, older, newer] })).toEqual([
        { kind: 'delete-keys', aliases: ['ai.default.example/key-r0-p100-e1'], reason: 'stale' },
        { kind: 'expire-key', alias: 'ai.default.example/key-r0-p100-e2', body: { key: E2_HASH, duration: '172800s' } },
      ]);
    });

    it('refuses to go back to a lower trigger', () => {
      expect(() => plan(d, { team: observed.team, keys: [...observed.keys, previous('r3-p100-e1', '2026-05-01T00:00:00+00:00')] })).toThrow(
        'spec.rotation.trigger 0 is lower than 3, which this request already used: triggers only go up',
      );
    });

    it('deletes the previous key at once without a grace period', () => {
      expect(plan({ ...d, graceSeconds: 0 }, { team: observed.team, keys: [...observed.keys, previous('r0-p100-e1', '2026-05-01T00:00:00+00:00')] })).toEqual([
        { kind: 'delete-keys', aliases: ['ai.default.example/key-r0-p100-e1'], reason: 'stale' },
      ]);
    });
  });

  it('refuses to touch a team it did not create', () => {
    const d = desired();
    const foreign: Observed = { team: { team_id: d.team.team_id, metadata: { owner: 'ops' } }, keys: [] };
    expect(() => plan(d, foreign)).toThrow(
      "LiteLLM team 'ai.default.example' exists but was not created by this promise for default/example (metadata managed-by null, request null); refusing to modify it",
    );
  });

  it('refuses a team of this promise that belongs to another request', () => {
    const d = desired();
    const other: Observed = { team: { ...inSync(d).team, metadata: { ...d.team.metadata, request: 'other/example' } }, keys: [] };
    expect(() => plan(d, other)).toThrow('refusing to modify it');
  });
});

describe('a key the request rotated away from never comes back (property, against the emulator)', () => {
  // GIVEN any sequence of runs of one request: rotation policies changing and back, triggers, and a
  // clock that moves forward and sometimes back
  const run = fc.record({
    period: fc.constantFrom<string | undefined>(undefined, '7d', '30d'),
    trigger: fc.constantFrom(0, 0, 0, 0, 0, 1, 2),
    // Mostly inside one grace period, sometimes across epochs.
    stepHours: fc.oneof(fc.integer({ min: -30, max: 30 }), fc.integer({ min: -72, max: 24 * 12 })),
  });
  const tally = { succeeded: 0, rotated: 0, refused: 0 };

  it('holds for every sequence: the current key was never retired before, and no retired key loses its expiry', async () => {
    const emulator = await LiteLLMEmulator.start();
    let sequence = 0;
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(run, { minLength: 2, maxLength: 8 }), async (runs) => {
          sequence += 1;
          const uid = `uid-property-${sequence}`;
          const client = new LiteLLMClient({ baseUrl: emulator.url, masterKey: emulator.masterKey, maxAttempts: 1 });
          const retired = new Set<string>();
          let current: string | undefined;
          let now = Date.parse('2026-03-01T00:00:00Z');
          for (const step of runs) {
            now += step.stepHours * 3_600_000;
            const at = new Date(now);
            emulator.setNow(() => at);
            const rotation = effectiveRotation(undefined, { ...(step.period ? { period: step.period, grace: '1d' } : {}), trigger: step.trigger });
            const epoch = keyEpoch(rotation, uid, at);
            const keyOfEpoch = (id: string) => deriveVirtualKey('salt-for-the-property', uid, id);
            const t = new TeamTier(Testing.chart(), 'tt', {
              catalog: TEST_CATALOG,
              tier: 'small',
              models: ['gpt-5'],
              owner: 'engineering',
              requestNamespace: 'property',
              requestName: `r${sequence}`,
              requestUid: uid,
              apiKey: keyOfEpoch(epoch.id),
              gatewayUrl: 'http://gw:4000',
              keyEpoch: epoch.id,
            });
            const apiKey = keyOfEpoch(epoch.id);
            try {
              await reconcile(client, { team: t.team, key: t.key, apiKey, keyOfEpoch, graceSeconds: rotation.graceSeconds, now: at });
            } catch (error) {
              // Refusing is allowed (fail closed); reviving is not.
              expect(error).toBeInstanceOf(PipelineError);
              tally.refused += 1;
              continue;
            }
            const token = sha256(apiKey);
            // THEN the key this run delivers was never rotated away from
            expect(retired.has(token)).toBe(false);
            tally.succeeded += 1;
            if (current !== undefined && current !== token) {
              retired.add(current);
              tally.rotated += 1;
            }
            current = token;
            // AND every retired key still in LiteLLM keeps an expiry, and any key with one is retired
            for (const row of emulator.keys().filter((k) => k.metadata?.['request-uid'] === uid)) {
              if (retired.has(row.token)) expect(row.expires).not.toBeNull();
              if (row.expires !== null) retired.add(row.token);
            }
          }
        }),
        {
          numRuns: 60,
          examples: [
            // A policy changed and back inside the previous key's grace; a clock stepped back a day.
            [[{ period: '30d', trigger: 0, stepHours: 0 }, { period: '7d', trigger: 0, stepHours: 1 }, { period: '30d', trigger: 0, stepHours: 1 }]],
            [[{ period: '7d', trigger: 0, stepHours: 0 }, { period: '7d', trigger: 0, stepHours: 24 * 7 }, { period: '7d', trigger: 0, stepHours: -24 * 7 }]],
          ],
        },
      );
    } finally {
      await emulator.stop();
    }
    // The property exercised rotations and refusals, not only steady states.
    expect(tally.rotated).toBeGreaterThan(0);
    expect(tally.refused).toBeGreaterThan(0);
  }, 120_000);
});

describe('keyHash', () => {
  it("is LiteLLM's token: the sha256 hex of the plaintext", () => {
    expect(keyHash(KEY)).toBe(KEY_HASH);
  });
});

describe('isMissingKey', () => {
  // /key/update on an unknown key (litellm/proxy/utils.py PrismaClient.get_data @ main; 404 on v1.80.x)
  const missing401 = { error: { message: `Authentication Error: invalid user key - user key does not exist in db. User Key=${KEY_HASH}`, type: 'auth_error', param: 'None', code: '401' } };
  const missing404 = { error: { message: "{'error': 'Team not found, passed team_id=None'}", type: 'auth_error', param: 'None', code: '404' } };
  const badMasterKey = { error: { message: 'Authentication Error, Invalid proxy server token passed.', type: 'token_not_found_in_db', param: 'key', code: '401' } };

  it('takes the 401 of newer releases and the 404 of older ones as "not found"', () => {
    expect(isMissingKey({ status: 401, body: missing401 })).toBe(true);
    expect(isMissingKey({ status: 404, body: missing404 })).toBe(true);
  });

  it('does not take any other 401, nor a 400 or 200, as "not found"', () => {
    expect(isMissingKey({ status: 401, body: badMasterKey })).toBe(false);
    expect(isMissingKey({ status: 401, body: undefined })).toBe(false);
    expect(isMissingKey({ status: 400, body: missing401 })).toBe(false);
    expect(isMissingKey({ status: 200, body: {} })).toBe(false);
  });
});
