import { Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { Catalog, TeamTier } from '../constructs/index.js';
import { type Desired, type Observed, type ObservedKey, plan } from '../pipeline/reconcile.js';

const KEY = 'sk-desired-key-0123456789abcdefghijklmnopqrstuvWXYZ';

function desired(tier = 'small', models = ['gpt-5']): Desired {
  const t = new TeamTier(Testing.chart(), 'tt', {
    catalog: Catalog.DEFAULT,
    tier,
    models,
    owner: 'engineering',
    requestNamespace: 'default',
    requestName: 'example',
    requestUid: 'uid-1',
    apiKey: KEY,
    gatewayUrl: 'http://gw:4000',
  });
  return { team: t.team, key: t.key, apiKey: KEY };
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
      { kind: 'delete-keys', aliases: [d.key.key_alias], reason: 'replaced' },
      { kind: 'create-key', body: { ...d.key, key: KEY } },
    ]);
  });

  it('deletes its own stale keys but never foreign ones', () => {
    const d = desired();
    const observed = inSync(d);
    const stale = { ...observed.keys[0]!, key_alias: 'ai.default.example/key-old' };
    const foreign = { ...observed.keys[0]!, key_alias: 'someone-elses', metadata: { owner: 'ops' } };
    expect(plan(d, { team: observed.team, keys: [...observed.keys, stale, foreign] })).toEqual([
      { kind: 'delete-keys', aliases: ['ai.default.example/key-old'], reason: 'stale' },
    ]);
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
