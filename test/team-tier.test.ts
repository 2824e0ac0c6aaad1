import fc from 'fast-check';
import { Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { MANAGED_BY, TeamTier, type TeamTierProps } from '../constructs/index.js';
import { validateWithKubernetesModels } from './support/manifests.js';
import { TEST_CATALOG } from './support/test-catalog.js';

const KEY = 'sk-test-0123456789abcdefghijklmnopqrstuvwxyzABCD';

function teamTier(props: Partial<TeamTierProps> = {}) {
  const chart = Testing.chart();
  const construct = new TeamTier(chart, 'team-tier', {
    catalog: TEST_CATALOG,
    tier: 'medium',
    models: ['gpt-5', 'claude-opus-4'],
    owner: 'engineering',
    requestNamespace: 'team-a',
    requestName: 'chat',
    requestUid: '6b1f3c1e-0000-4000-8000-000000000001',
    apiKey: KEY,
    gatewayUrl: 'http://litellm.default.svc.cluster.local:4000',
    ...props,
  });
  return { construct, objects: Testing.synth(chart) as any[] };
}

describe('TeamTier', () => {
  it('specifies one LiteLLM team per request with the tier limits and the models', () => {
    const { construct } = teamTier();
    expect(construct.team).toEqual({
      team_id: 'ai.team-a.chat',
      team_alias: 'team-a/chat',
      metadata: { 'managed-by': MANAGED_BY, request: 'team-a/chat', 'request-uid': '6b1f3c1e-0000-4000-8000-000000000001', owner: 'engineering', tier: 'medium' },
      rpm_limit: 240,
      tpm_limit: 120000,
      max_budget: 100,
      budget_duration: '1d',
      models: ['gpt-5', 'claude-opus-4'],
    });
  });

  it('specifies a key bound to the team and the models, aliased by epoch', () => {
    const { construct } = teamTier({ keyEpoch: 'r0-p2592000-e3' });
    expect(construct.key).toEqual({
      key_alias: 'ai.team-a.chat/key-r0-p2592000-e3',
      team_id: 'ai.team-a.chat',
      models: ['gpt-5', 'claude-opus-4'],
      metadata: { ...construct.team.metadata, epoch: 'r0-p2592000-e3' },
    });
  });

  it('delivers the key in a Secret any OpenAI client can envFrom', () => {
    const { objects } = teamTier();
    expect(objects).toHaveLength(1);
    const secret = objects[0];
    expect(secret.kind).toBe('Secret');
    expect(secret.metadata).toMatchObject({ name: 'chat-litellm-key', namespace: 'team-a' });
    expect(secret.stringData).toEqual({ OPENAI_API_KEY: KEY, OPENAI_BASE_URL: 'http://litellm.default.svc.cluster.local:4000/v1' });
    // the first 12 hex digits of sha256(KEY), computed outside the code base
    expect(secret.metadata.annotations['ai.kratix.io/key-fingerprint']).toBe('f55cf6c77fe2');
    expect(validateWithKubernetesModels(objects)).toEqual(['Secret/chat-litellm-key']);
  });

  it('derives team ids that do not collide across namespaces and stay short', () => {
    expect(TeamTier.teamIdFor('a-b', 'c')).not.toBe(TeamTier.teamIdFor('a', 'b-c'));
    const long = TeamTier.teamIdFor('n'.repeat(63), 'r'.repeat(54));
    expect(long.length).toBe(63);
    expect(long).not.toBe(TeamTier.teamIdFor('n'.repeat(63), `${'r'.repeat(53)}s`));
  });

  it('keeps every unshortened id as it was', () => {
    expect(TeamTier.teamIdFor('default', 'example')).toBe('ai.default.example');
    const longest = TeamTier.teamIdFor('n'.repeat(30), 'r'.repeat(29));
    expect(longest).toBe(`ai.${'n'.repeat(30)}.${'r'.repeat(29)}`);
    expect(longest).toHaveLength(63);
    expect(TeamTier.legacyTeamIdFor('default', 'example')).toBeUndefined();
  });

  it('shortens long ids into a shape no request name can spell out, with a 96-bit hash', () => {
    // GIVEN a request whose id needs shortening
    const ns = 'platform-engineering-sandbox';
    const id = TeamTier.teamIdFor(ns, 'a-rather-long-request-name-for-chat');
    expect(id).toBe('ai.platform-engineering-sandbox.a-rath_899662ab7bdf46f6d762ea11');
    expect(id).toHaveLength(63);
    // WHEN another request in the namespace is named after the old shape of that id
    const legacy = TeamTier.legacyTeamIdFor(ns, 'a-rather-long-request-name-for-chat')!;
    expect(legacy).toBe('ai.platform-engineering-sandbox.a-rather-long-requ-899662ab7bdf');
    const squatter = legacy.slice(`ai.${ns}.`.length);
    // THEN that name used to collide, and no longer does
    expect(TeamTier.teamIdFor(ns, squatter)).toBe(legacy);
    expect(TeamTier.teamIdFor(ns, squatter)).not.toBe(id);
  });

  it('never lets an unshortened id equal a shortened one (property)', () => {
    const label = fc.stringMatching(/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/);
    fc.assert(
      fc.property(label, label, (namespace, name) => {
        const id = TeamTier.teamIdFor(namespace, name);
        const shortened = `ai.${namespace}.${name}`.length > 63;
        expect(id.length).toBeLessThanOrEqual(63);
        // Unshortened ids are DNS-label characters and dots only; shortened ones always carry `_`.
        expect(id.includes('_')).toBe(shortened);
        if (shortened) expect(id).toMatch(/_[0-9a-f]{24}$/);
      }),
      { numRuns: 500 },
    );
  });

  it('fingerprints without revealing the key', () => {
    const fingerprint = TeamTier.fingerprint(KEY);
    expect(fingerprint).toMatch(/^[0-9a-f]{12}$/);
    expect(KEY).not.toContain(fingerprint);
  });

  it.each<[string, Partial<TeamTierProps>, string]>([
    ['an unknown tier', { tier: 'xl' }, "tier 'xl' is not one of small, medium, large"],
    ['an unknown model', { models: ['gpt-2'] }, "model 'gpt-2' is not one of gpt-5, gemini-2.5-pro, claude-opus-4"],
    ['no models', { models: [] }, 'models is empty: list at least one model'],
    ['a repeated model', { models: ['gpt-5', 'gpt-5'] }, "model 'gpt-5' is defined twice"],
    ['a bad owner', { owner: 'Eng Team' }, "team 'Eng Team' is not a lowercase DNS label"],
    ['a key without sk-', { apiKey: 'abc' }, "apiKey must start with 'sk-'"],
    ['a bad epoch', { keyEpoch: 'R 1' }, "keyEpoch 'R 1' is not an epoch id"],
  ])('rejects %s', (_, props, message) => {
    expect(() => teamTier(props)).toThrow(message);
  });
});

describe('TeamTier boundaries (both sides of each bound)', () => {
  it('keeps team ids of up to 63 characters as they are', () => {
    // GIVEN 'ai.' + a 30-character namespace + '.' + a 29-character name: 63 characters
    expect(TeamTier.teamIdFor('a'.repeat(30), 'b'.repeat(29))).toBe(`ai.${'a'.repeat(30)}.${'b'.repeat(29)}`);
  });

  it('finds the legacy id of a 64-character team id: 50 characters, a dash and 12 hex digits of its sha256', () => {
    // Computed outside the code base: sha256('ai.' + 'a' x 31 + '.' + 'b' x 29), first 12 hex digits.
    expect(TeamTier.legacyTeamIdFor('a'.repeat(31), 'b'.repeat(29))).toBe(`ai.${'a'.repeat(31)}.${'b'.repeat(15)}-90921625478e`);
  });

  it('aliases keys by team and epoch, r0 unless told', () => {
    expect(TeamTier.keyAliasFor('ai.team-a.chat', 'r2')).toBe('ai.team-a.chat/key-r2');
    expect(teamTier().construct.key.key_alias).toBe('ai.team-a.chat/key-r0');
    expect(teamTier().construct.key.metadata.epoch).toBe('r0');
  });

  it('names the Secret <request>-litellm-key unless told, and checks a given name', () => {
    expect(teamTier().construct.secretName).toBe('chat-litellm-key');
    expect(teamTier({ secretName: 'my-key' }).objects[0].metadata.name).toBe('my-key');
    expect(teamTier({ secretName: `a${'b'.repeat(252)}` }).construct.secretName).toHaveLength(253);
    expect(() => teamTier({ secretName: `a${'b'.repeat(253)}` })).toThrow('is not a Secret name');
    expect(() => teamTier({ secretName: 'My_Key' })).toThrow("secretName 'My_Key' is not a Secret name");
  });

  it('accepts epoch ids of 1 to 64 characters of a-z, 0-9 and -', () => {
    expect(teamTier({ keyEpoch: 'e'.repeat(64) }).construct.key.metadata.epoch).toBe('e'.repeat(64));
    expect(() => teamTier({ keyEpoch: 'e'.repeat(65) })).toThrow('is not an epoch id (a-z, 0-9, -)');
    expect(() => teamTier({ keyEpoch: '' })).toThrow("keyEpoch '' is not an epoch id (a-z, 0-9, -)");
  });

  it('refuses a bad request namespace', () => {
    expect(() => teamTier({ requestNamespace: 'Team-A' })).toThrow("namespace 'Team-A' is not a namespace name");
  });

  it('labels the Secret with the instance and the owning team, and lets it be rewritten on rotation', () => {
    const secret = teamTier().objects[0];
    expect(secret.metadata.labels).toEqual({ 'app.kubernetes.io/managed-by': 'kratix-ai-promise', 'app.kubernetes.io/instance': 'chat', 'ai.kratix.io/team': 'engineering' });
    expect(secret.immutable).toBe(false);
    expect(teamTier().construct.keyFingerprint).toBe('f55cf6c77fe2');
  });
});
