import { Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { TeamTier } from '../constructs/index.js';
import { type Desired, type Observed, type ObservedKey, plan } from '../pipeline/reconcile.js';
import { TEST_CATALOG } from './support/test-catalog.js';

const KEY = 'sk-desired-key-0123456789abcdefghijklmnopqrstuvWXYZ';
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
      { kind: 'update-key', fields: ['models'], body: { key: KEY, models: ['gpt-5', 'gemini-2.5-pro'] } },
    ]);
  });

  it('makes an expiring current key permanent', () => {
    const d = desired();
    expect(plan(d, inSync(d, { expires: '2026-01-01T00:00:00Z' }))).toEqual([{ kind: 'update-key', fields: ['expires'], body: { key: KEY, duration: '-1' } }]);
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
        { kind: 'expire-key', alias: 'ai.default.example/key-r0-p100-e1', body: { key: 'sk-derived-for-r0-p100-e1', duration: '172800s' } },
      ]);
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
        { kind: 'expire-key', alias: 'ai.default.example/key-r0-p100-e2', body: { key: 'sk-derived-for-r0-p100-e2', duration: '172800s' } },
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
