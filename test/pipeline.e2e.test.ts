import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load, loadAll } from 'js-yaml';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MANAGED_BY, TeamTier, diffableJson, resolvePromiseConfig } from '../constructs/index.js';
import { type KratixRunResult, SALT_KEY, aiRequest, kratixRun } from './support/kratix-run.js';
import { EXTRA_MODEL, EXTRA_TIER, TEST_CATALOG, TEST_MODELS, TEST_TIERS } from './support/test-catalog.js';
import { LiteLLMEmulator, PINNED_LITELLM_RELEASE } from './support/litellm-emulator.js';
import { validateWithKubernetesModels } from './support/manifests.js';

const SPEC = { tier: 'small', ui: true, team: 'engineering', models: ['gpt-5', 'gemini-2.5-pro'] };

let emulator: LiteLLMEmulator;

beforeAll(async () => {
  emulator = await LiteLLMEmulator.start();
});
afterAll(async () => {
  await emulator.stop();
});
afterEach(() => {
  emulator.clearFaults();
});

/** Every test works on its own namespace, so tests share one emulator without interfering. */
let counter = 0;
function freshNamespace(): string {
  counter += 1;
  return `e2e-${counter}`;
}

/** Nothing listens on the discard port: LiteLLM is down. */
const DOWN = 'http://127.0.0.1:9';

function configure(object: unknown, env: Record<string, string> = {}, litellmUrl = emulator.url): Promise<KratixRunResult> {
  return kratixRun({ type: 'resource', action: 'configure', object, litellmUrl, masterKey: emulator.masterKey, env });
}

function remove(object: unknown): Promise<KratixRunResult> {
  return kratixRun({ type: 'resource', action: 'delete', object, litellmUrl: emulator.url, masterKey: emulator.masterKey });
}

function secretOf(run: KratixRunResult): any {
  return load(run.outputs.get('workload/team-tier.yaml')!);
}

function teamOf(namespace: string, name = 'example') {
  return emulator.teams().find((t) => t.metadata?.request === `${namespace}/${name}`);
}

function keysOf(namespace: string, name = 'example') {
  return emulator.keys().filter((k) => k.metadata?.request === `${namespace}/${name}`);
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function expectSuccess(run: KratixRunResult): void {
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
}

/**
 * One line on stderr with the detail. The status, which the requester reads, repeats it only for a
 * fault of the request itself; for anything else it is the short `status` sentence given.
 */
function expectOneLineFailure(run: KratixRunResult, message: string, status?: string): void {
  expect(run.code).toBe(1);
  expect(run.stdout).toBe('');
  const lines = run.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain(message);
  expect(run.stderr).not.toMatch(/\n\s+at /);
  expect(run.status.message).toBe(`Failed: ${status ?? lines[0]!.replace(/^error: /, '')}`);
}

const CHECK_LOG = 'the platform team can find the reason in the pipeline log';
const LITELLM_DID_NOT_ANSWER = 'LiteLLM did not answer while provisioning the team and key in LiteLLM; the platform team should check that LiteLLM is up (details in the pipeline log)';

describe('resource configure', () => {
  it('provisions a team and a key, writes the Secret and the UI, and reports status', async () => {
    // GIVEN a new request
    const ns = freshNamespace();
    emulator.resetRequests();
    // WHEN the pipeline runs
    const run = await configure(aiRequest('example', ns, SPEC));
    // THEN LiteLLM has one team with the tier's limits and the request's models
    expectSuccess(run);
    const team = teamOf(ns)!;
    expect(team).toMatchObject({
      team_id: `ai.${ns}.example`,
      team_alias: `${ns}/example`,
      rpm_limit: 60,
      tpm_limit: 30000,
      max_budget: 10,
      budget_duration: '1d',
      models: ['gpt-5', 'gemini-2.5-pro'],
    });
    expect(team.metadata).toMatchObject({ 'managed-by': MANAGED_BY, owner: 'engineering', 'request-uid': `uid-${ns}-example` });
    // AND one key bound to it that never expires, whose plaintext is in the Secret
    const keys = keysOf(ns);
    expect(keys).toHaveLength(1);
    const secret = secretOf(run);
    expect(secret.metadata).toMatchObject({ name: 'example-litellm-key', namespace: ns });
    expect(keys[0]).toMatchObject({ team_id: team.team_id, models: ['gpt-5', 'gemini-2.5-pro'], expires: null });
    expect(keys[0]!.token).toBe(sha256(secret.stringData.OPENAI_API_KEY));
    expect(secret.stringData.OPENAI_BASE_URL).toBe('http://litellm.ai-platform.svc.cluster.local:4000/v1');
    // AND the key works and sees exactly its models
    const models = (await (await fetch(`${emulator.url}/v1/models`, { headers: { authorization: `Bearer ${secret.stringData.OPENAI_API_KEY}` } })).json()) as { data: { id: string }[] };
    expect(models.data.map((m) => m.id).sort()).toEqual(['gemini-2.5-pro', 'gpt-5']);
    // AND the first run cost three reads (observe, no revoked key of that value, verify the key)
    // and two writes (team, key), with the proxy's release checked once, before the first write
    expect(emulator.reads().map((r) => r.path)).toEqual(['/team/info', '/key/list', '/key/info']);
    expect(emulator.writes().map((r) => r.path)).toEqual(['/team/new', '/key/generate']);
    expect(emulator.requests.map((r) => `${r.method} ${r.path}`).slice(0, 3)).toEqual(['GET /team/info', 'GET /health/readiness/details', 'POST /team/new']);
    expect(emulator.requests.filter((r) => r.path.startsWith('/health/'))).toHaveLength(1);
    // AND the status says what the user has
    expect(run.status.message).toBe(`Ready: small tier, 2 models, key in Secret example-litellm-key, UI at http://example-openwebui.${ns}.svc.cluster.local`);
    expect(run.status.ai).toMatchObject({
      apiEndpoint: 'http://litellm.ai-platform.svc.cluster.local:4000',
      apiCredsSecretName: 'example-litellm-key',
      uiEndpoint: `http://example-openwebui.${ns}.svc.cluster.local`,
      teamId: `ai.${ns}.example`,
      tier: 'small',
      limits: { rpm: 60, tpm: 30000, maxBudget: 10, budgetDuration: '1d' },
      models: ['gpt-5', 'gemini-2.5-pro'],
      // A new team has spent nothing; /team/new's answer carries its reset time.
      usage: { spendUsd: 0, maxBudgetUsd: 10, budgetUsedPercent: 0, budgetDuration: '1d', budgetResetsAt: new Date(`${teamOf(ns)!.budget_reset_at}`).toISOString() },
    });
    // AND every workload output is valid Kubernetes, scheduled to the workload destination
    const objects = [...run.outputs.entries()].filter(([path]) => path.startsWith('workload/')).flatMap(([, y]) => loadAll(y));
    expect(validateWithKubernetesModels(objects)).toHaveLength(objects.length);
    // (the key Secret; the UI's Secret, volume, Deployment, Service and NetworkPolicy)
    expect(objects.map((o: any) => o.kind).sort()).toEqual(['Deployment', 'NetworkPolicy', 'PersistentVolumeClaim', 'Secret', 'Secret', 'Service']);
    expect(objects.every((o: any) => o.metadata.namespace === ns)).toBe(true);
    expect(load(readFileSync(join(run.dir, 'metadata', 'destination-selectors.yaml'), 'utf8'))).toEqual([
      { directory: 'workload', matchLabels: { environment: 'dev' } },
      { directory: 'backstage', matchLabels: { environment: 'backstage' } },
    ]);
    // AND the request's Component, owned by its team and linking its endpoints, goes to the Backstage destination
    const [component] = loadAll(run.outputs.get('backstage/component.yaml')!) as any[];
    expect(component).toMatchObject({ kind: 'Component', metadata: { name: 'example', namespace: ns }, spec: { owner: 'group:default/engineering' } });
    expect(component.metadata.links.map((l: any) => l.url)).toEqual([`${run.status.ai.apiEndpoint}/v1`, run.status.ai.uiEndpoint]);
    expect(run.stdout).toContain(`created team ai.${ns}.example`);
  });

  it('re-runs are byte-identical and make exactly one read and no writes', async () => {
    const ns = freshNamespace();
    const object = aiRequest('example', ns, SPEC);
    const first = await configure(object);
    expectSuccess(first);
    for (let i = 0; i < 3; i++) {
      emulator.resetRequests();
      const again = await configure(object);
      expectSuccess(again);
      expect(again.outputs).toEqual(first.outputs);
      expect(again.statusText).toBe(first.statusText);
      expect(emulator.writes()).toEqual([]);
      expect(emulator.reads().map((r) => r.path)).toEqual(['/team/info']);
      // no version check either: a steady-state run is exactly one read
      expect(emulator.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /team/info']);
      expect(again.stdout).toContain('already in place');
    }
  });

  it('reports the spend LiteLLM tracked, from the same one read, with outputs unchanged', async () => {
    // GIVEN a provisioned request whose team has since spent $2.50 of its $10 budget
    const ns = freshNamespace();
    const object = aiRequest('example', ns, SPEC);
    const first = await configure(object);
    const team = teamOf(ns)!;
    emulator.seedTeam({ ...team, spend: 2.5 });
    emulator.resetRequests();
    // WHEN the pipeline runs again
    const run = await configure(object);
    // THEN status carries the spend, the share used and the reset time, for no extra request
    expectSuccess(run);
    expect(run.status.ai.usage).toEqual({
      spendUsd: 2.5,
      maxBudgetUsd: 10,
      budgetUsedPercent: 25,
      budgetDuration: '1d',
      budgetResetsAt: new Date(`${team.budget_reset_at}`).toISOString(),
    });
    expect(emulator.reads().map((r) => r.path)).toEqual(['/team/info']);
    expect(emulator.writes()).toEqual([]);
    // AND the outputs are byte-identical: only status follows the spend
    expect(run.outputs).toEqual(first.outputs);
  });

  it('applies a tier change to the team with one update and keeps the key', async () => {
    const ns = freshNamespace();
    const small = await configure(aiRequest('example', ns, SPEC));
    emulator.resetRequests();
    const large = await configure(aiRequest('example', ns, { ...SPEC, tier: 'large' }));
    expectSuccess(large);
    expect(emulator.writes().map((r) => r.path)).toEqual(['/team/update']);
    expect(emulator.writes()[0]!.body).toMatchObject({ rpm_limit: 1200, tpm_limit: 600000, max_budget: 1000 });
    expect(teamOf(ns)).toMatchObject({ rpm_limit: 1200, tpm_limit: 600000, max_budget: 1000 });
    expect(secretOf(large)).toEqual(secretOf(small));
    expect(large.status.ai.limits).toEqual({ rpm: 1200, tpm: 600000, maxBudget: 1000, budgetDuration: '1d' });
    // AND the usage is of the new budget, from /team/update's answer
    expect(large.status.ai.usage).toMatchObject({ maxBudgetUsd: 1000, budgetUsedPercent: 0, budgetResetsAt: new Date(`${teamOf(ns)!.budget_reset_at}`).toISOString() });
    expect(large.stdout).toContain('updated team');
  });

  it('applies a model change to the team and the key', async () => {
    const ns = freshNamespace();
    await configure(aiRequest('example', ns, SPEC));
    emulator.resetRequests();
    const run = await configure(aiRequest('example', ns, { ...SPEC, models: ['claude-opus-4'] }));
    expectSuccess(run);
    expect(emulator.writes().map((r) => r.path)).toEqual(['/team/update', '/key/update']);
    expect(teamOf(ns)!.models).toEqual(['claude-opus-4']);
    expect(keysOf(ns)[0]!.models).toEqual(['claude-opus-4']);
    const secret = secretOf(run);
    const models = (await (await fetch(`${emulator.url}/v1/models`, { headers: { authorization: `Bearer ${secret.stringData.OPENAI_API_KEY}` } })).json()) as { data: { id: string }[] };
    expect(models.data.map((m) => m.id)).toEqual(['claude-opus-4']);
  });

  it('adds and removes the UI without touching LiteLLM', async () => {
    const ns = freshNamespace();
    const withUi = await configure(aiRequest('example', ns, SPEC));
    expect([...withUi.outputs.keys()].sort()).toEqual(['backstage/component.yaml', 'workload/open-webui.yaml', 'workload/team-tier.yaml']);
    emulator.resetRequests();
    const withoutUi = await configure(aiRequest('example', ns, { ...SPEC, ui: false }));
    expectSuccess(withoutUi);
    expect([...withoutUi.outputs.keys()].sort()).toEqual(['backstage/component.yaml', 'workload/team-tier.yaml']);
    expect(withoutUi.status.ai.uiEndpoint).toBeUndefined();
    expect(emulator.writes()).toEqual([]);
    const again = await configure(aiRequest('example', ns, SPEC));
    expect(again.outputs).toEqual(withUi.outputs);
  });

  it('keeps two requests of the same team in different namespaces apart', async () => {
    const [a, b] = [freshNamespace(), freshNamespace()];
    const runA = await configure(aiRequest('example', a, SPEC));
    const runB = await configure(aiRequest('example', b, { ...SPEC, tier: 'medium' }));
    expectSuccess(runA);
    expectSuccess(runB);
    expect(teamOf(a)!.team_id).not.toBe(teamOf(b)!.team_id);
    expect(teamOf(a)!.rpm_limit).toBe(60);
    expect(teamOf(b)!.rpm_limit).toBe(240);
    expect(secretOf(runA).stringData.OPENAI_API_KEY).not.toBe(secretOf(runB).stringData.OPENAI_API_KEY);
    expect(keysOf(a)).toHaveLength(1);
    expect(keysOf(b)).toHaveLength(1);
    // Deleting one leaves the other working.
    expectSuccess(await remove(aiRequest('example', a, SPEC)));
    expect(teamOf(a)).toBeUndefined();
    expect(keysOf(b)).toHaveLength(1);
  });

  it('gives a re-created request (new uid, same name) a new key and removes the old one', async () => {
    const ns = freshNamespace();
    const before = await configure(aiRequest('example', ns, SPEC, 'uid-old'));
    const after = await configure(aiRequest('example', ns, SPEC, 'uid-new'));
    expectSuccess(after);
    expect(secretOf(after).stringData.OPENAI_API_KEY).not.toBe(secretOf(before).stringData.OPENAI_API_KEY);
    expect(keysOf(ns).map((k) => k.token)).toEqual([sha256(secretOf(after).stringData.OPENAI_API_KEY)]);
    expect(teamOf(ns)!.metadata?.['request-uid']).toBe('uid-new');
  });
});

describe('long names', () => {
  const NAME = 'a-rather-long-request-name-for-chat';
  const longNamespace = () => `${freshNamespace()}-${'n'.repeat(30)}`;

  it("keeps a request whose name spells out another request's shortened id apart from it", async () => {
    // GIVEN a request whose team id needs shortening, and a second request in the same namespace
    // named after the shape shortened ids had before
    const ns = longNamespace();
    const legacy = TeamTier.legacyTeamIdFor(ns, NAME)!;
    const squatter = legacy.slice(`ai.${ns}.`.length);
    expect(TeamTier.teamIdFor(ns, squatter)).toBe(legacy);
    // WHEN both are provisioned, the squatter first
    const first = await configure(aiRequest(squatter, ns, SPEC, 'uid-squatter'));
    const second = await configure(aiRequest(NAME, ns, SPEC, 'uid-long'));
    // THEN both succeed with teams of their own
    expectSuccess(first);
    expectSuccess(second);
    expect(second.status.ai.teamId).toBe(TeamTier.teamIdFor(ns, NAME));
    expect(second.status.ai.teamId).not.toBe(first.status.ai.teamId);
    expect(teamOf(ns, NAME)!.team_id).toBe(TeamTier.teamIdFor(ns, NAME));
  });

  it('moves a team from the id an earlier version gave it, and a delete removes both ids', async () => {
    // GIVEN a request provisioned under the old shortened id
    const ns = longNamespace();
    const legacy = TeamTier.legacyTeamIdFor(ns, NAME)!;
    const metadata = { 'managed-by': MANAGED_BY, request: `${ns}/${NAME}`, 'request-uid': 'uid-long-moved', owner: 'engineering', tier: 'small' };
    emulator.seedTeam({ team_id: legacy, team_alias: `${ns}/${NAME}`, metadata });
    emulator.seedKey('sk-key-under-the-legacy-id-000000000000', { team_id: legacy, key_alias: `${legacy}/key-r0`, metadata: { ...metadata, epoch: 'r0' } });
    // WHEN it is configured
    const run = await configure(aiRequest(NAME, ns, SPEC, 'uid-long-moved'));
    // THEN the old team and its key are gone and the request has its team under the new id
    expectSuccess(run);
    expect(run.stdout).toContain(`deleted team ${legacy} (an id of an earlier version)`);
    expect(emulator.teams().some((t) => t.team_id === legacy)).toBe(false);
    expect(emulator.keys().some((k) => k.team_id === legacy)).toBe(false);
    expect(teamOf(ns, NAME)!.team_id).toBe(TeamTier.teamIdFor(ns, NAME));
    // AND a delete of a request that still has a team under the old id removes it too
    emulator.seedTeam({ team_id: legacy, team_alias: `${ns}/${NAME}`, metadata });
    const removed = await remove(aiRequest(NAME, ns, SPEC, 'uid-long-moved'));
    expectSuccess(removed);
    expect(emulator.teams().filter((t) => t.metadata?.request === `${ns}/${NAME}`)).toEqual([]);
  });
});

describe('a platform-extended catalog', () => {
  it('provisions a registered tier and Ollama model from the config in promise.yaml, with no new image', async () => {
    // GIVEN a platform that registered a tier and a local Ollama model (one typed entry each)
    const config = resolvePromiseConfig({ catalog: { tiers: [...TEST_TIERS, EXTRA_TIER], models: [...TEST_MODELS, EXTRA_MODEL] } });
    // WHEN a request uses them, with the config the Promise hands its pipelines
    const ns = freshNamespace();
    const run = await configure(aiRequest('example', ns, { team: 'research', tier: EXTRA_TIER.name, models: [EXTRA_MODEL.name] }), { AI_PROMISE_CONFIG: diffableJson(config) });
    // THEN the team carries the new tier's limits and the key the new model
    expectSuccess(run);
    expect(teamOf(ns)).toMatchObject({ rpm_limit: 6000, tpm_limit: 3_000_000, max_budget: 5000, budget_duration: '30d', models: [EXTRA_MODEL.name] });
    expect(keysOf(ns)[0]!.models).toEqual([EXTRA_MODEL.name]);
    expect(run.status.ai.limits).toEqual({ rpm: 6000, tpm: 3_000_000, maxBudget: 5000, budgetDuration: '30d' });
    // AND the catalog without them refuses that tier
    const without = await configure(aiRequest('other', ns, { team: 'research', tier: EXTRA_TIER.name, models: ['gpt-5'] }));
    expectOneLineFailure(without, `spec.tier '${EXTRA_TIER.name}' is not one of ${TEST_CATALOG.tierNames.join(', ')}`);
  });
});

describe('LiteLLM release', () => {
  afterEach(() => {
    emulator.setRelease(PINNED_LITELLM_RELEASE);
  });

  it('refuses a proxy older than 1.81.0 before its first write, in one line naming both versions', async () => {
    // GIVEN LiteLLM 1.80.12, which ignores /key/list?status=deleted and rejects duration "-1"
    emulator.setRelease('1.80.12');
    emulator.resetRequests();
    // WHEN a new request is provisioned
    const ns = freshNamespace();
    const run = await configure(aiRequest('example', ns, SPEC));
    // THEN the run fails with one line, after reading the version from the public readiness probe
    expectOneLineFailure(run, 'LiteLLM 1.80.12 is older than 1.81.0, the minimum this promise supports: upgrade the gateway image (config.gateway.image)');
    expect(emulator.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /team/info', 'GET /health/readiness/details', 'GET /health/readiness']);
    // AND nothing was written to LiteLLM or to the output
    expect(emulator.writes()).toEqual([]);
    expect(teamOf(ns)).toBeUndefined();
    expect(run.outputs.size).toBe(0);
  });

  it('keeps a steady-state run at one read, even on an older proxy, and refuses its next write', async () => {
    // GIVEN a request provisioned on the pinned release, and a proxy then rolled back to 1.80.12
    const ns = freshNamespace();
    const object = aiRequest('example', ns, SPEC);
    const first = await configure(object);
    expectSuccess(first);
    emulator.setRelease('1.80.12');
    // WHEN nothing changed: one read, no version check, success
    emulator.resetRequests();
    const steady = await configure(object);
    expectSuccess(steady);
    expect(steady.outputs).toEqual(first.outputs);
    expect(emulator.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /team/info']);
    // WHEN the request changes tier: the write is refused
    emulator.resetRequests();
    const changed = await configure(aiRequest('example', ns, { ...SPEC, tier: 'large' }));
    expectOneLineFailure(changed, 'LiteLLM 1.80.12 is older than 1.81.0');
    expect(emulator.writes()).toEqual([]);
    expect(teamOf(ns)!.rpm_limit).toBe(60);
  });

  it('accepts a proxy that reports a newer release', async () => {
    emulator.setRelease('1.83.7');
    const run = await configure(aiRequest('example', freshNamespace(), SPEC));
    expectSuccess(run);
  });
});

describe('Kratix dry run', () => {
  it('reads LiteLLM and says what it would do, without writing', async () => {
    const ns = freshNamespace();
    emulator.resetRequests();
    const run = await configure(aiRequest('example', ns, SPEC), { KRATIX_DRY_RUN: 'true' });
    expectSuccess(run);
    expect(emulator.writes()).toEqual([]);
    expect(emulator.reads().map((r) => r.path)).toEqual(['/team/info']);
    expect(run.stdout).toContain(`dry run: would create team ai.${ns}.example`);
    expect(run.stdout).toContain(`dry run: would create key ai.${ns}.example/key-`);
    expect(teamOf(ns)).toBeUndefined();
    // The preview shows the same manifests a real run writes.
    const real = await configure(aiRequest('example', ns, SPEC));
    expect(run.outputs).toEqual(real.outputs);
  });
});

describe('resource delete', () => {
  it('removes the key and the team; a repeated delete succeeds', async () => {
    const ns = freshNamespace();
    const object = aiRequest('example', ns, SPEC);
    await configure(object);
    emulator.resetRequests();
    const first = await remove(object);
    expectSuccess(first);
    expect(emulator.writes().map((r) => r.path)).toEqual(['/key/delete', '/team/delete']);
    expect(teamOf(ns)).toBeUndefined();
    expect(keysOf(ns)).toEqual([]);
    const second = await remove(object);
    expectSuccess(second);
    expect(second.stdout).toContain('already gone');
  });

  it('fails closed when the team lookup answers 404 "Team not found" but the team is there', async () => {
    // GIVEN a provisioned request, and a LiteLLM whose team lookup fails (its handler turns any
    // exception of the lookup into 404 "Team not found")
    const ns = freshNamespace();
    const object = aiRequest('example', ns, SPEC);
    const key = secretOf(await configure(object)).stringData.OPENAI_API_KEY;
    emulator.inject({ path: '/team/info', teamLookupFails: true });
    // WHEN the request is deleted
    const failed = await remove(object);
    // THEN the run fails in one line instead of reporting the team gone, and the key no longer works
    expect(failed.code).toBe(1);
    expect(failed.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(failed.stderr).toContain(`said team 'ai.${ns}.example' is not found but still lists 1 key(s) of it (deleted the 1 of this request); Kratix retries the delete`);
    expect((await fetch(`${emulator.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(401);
    // AND the retry, with a healthy lookup, removes the team and succeeds
    const retried = await remove(object);
    expectSuccess(retried);
    expect(teamOf(ns)).toBeUndefined();
  });

  it('fails closed, key untouched, when neither the team lookup nor the key list can be trusted', async () => {
    const ns = freshNamespace();
    const object = aiRequest('example', ns, SPEC);
    const key = secretOf(await configure(object)).stringData.OPENAI_API_KEY;
    emulator.inject({ path: '/team/info', teamLookupFails: true });
    emulator.inject({ path: '/key/list', status: 500, times: Infinity });
    const failed = await kratixRun({ type: 'resource', action: 'delete', object, litellmUrl: emulator.url, masterKey: emulator.masterKey, env: { LITELLM_MAX_ATTEMPTS: '2' } });
    expect(failed.code).toBe(1);
    expect(failed.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(failed.stderr).toContain(`/key/list answered 500`);
    expect(keysOf(ns).map((k) => k.token)).toEqual([sha256(key)]);
  });

  it('fails closed when LITELLM_URL has a wrong path (FastAPI 404 Not Found)', async () => {
    const ns = freshNamespace();
    const object = aiRequest('example', ns, SPEC);
    await configure(object);
    const run = await kratixRun({ type: 'resource', action: 'delete', object, litellmUrl: `${emulator.url}/wrong/base`, masterKey: emulator.masterKey });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`which is not LiteLLM's "Team not found": check that LITELLM_URL is the proxy's base URL`);
    expect(keysOf(ns)).toHaveLength(1);
    expect(teamOf(ns)).toBeDefined();
  });

  it('succeeds for a request that never provisioned, even one the catalog rejects', async () => {
    const run = await remove(aiRequest('never', freshNamespace(), { tier: 'retired-tier', team: 'x', models: [] }));
    expectSuccess(run);
    expect(run.stdout).toContain('already gone');
  });
});

describe('bad input', () => {
  const cases: [string, unknown, string][] = [
    ['an unknown tier', aiRequest('example', 'bad', { ...SPEC, tier: 'xl' }), "spec.tier 'xl' is not one of small, medium, large"],
    ['an unknown model', aiRequest('example', 'bad', { ...SPEC, models: ['gpt-2'] }), "spec.models[0] 'gpt-2' is not one of gpt-5, gemini-2.5-pro, claude-opus-4"],
    ['empty models', aiRequest('example', 'bad', { ...SPEC, models: [] }), 'spec.models is empty'],
    ['a bad team name', aiRequest('example', 'bad', { ...SPEC, team: 'Data_Science' }), "spec.team 'Data_Science' is not a lowercase DNS label"],
    ['a missing spec', { apiVersion: 'marketplace.kratix.io/v1alpha1', kind: 'ai', metadata: { name: 'example', namespace: 'bad', uid: 'u1' } }, 'spec is missing'],
    ['an overlong name', aiRequest(`a${'b'.repeat(60)}`, 'bad', SPEC), 'is 61 characters; at most 53 fit'],
    ['unparsable YAML', 'spec: [unclosed\n  team: {', 'object.yaml is not valid YAML'],
  ];
  it.each(cases)('%s fails clearly and writes nothing anywhere', async (_, object, message) => {
    emulator.resetRequests();
    const run = await configure(object);
    expectOneLineFailure(run, message);
    expect(emulator.requests).toEqual([]);
    expect(run.outputs.size).toBe(0);
  });
});

describe('LITELLM_URL', () => {
  const withUrl = (change: (url: URL) => void): string => {
    const url = new URL(emulator.url);
    change(url);
    return url.href;
  };
  const cases: [string, () => string, string, string[]][] = [
    ['a user and password', () => withUrl((u) => ((u.username = 'admin'), (u.password = 'hunter2-pass'))), 'carries a user or password', ['hunter2-pass', 'admin']],
    ['a query', () => `${emulator.url}/?token=query-secret-123`, 'has a query or fragment', ['query-secret-123']],
    ['a fragment', () => `${emulator.url}/#fragment-secret-456`, 'has a query or fragment', ['fragment-secret-456']],
    ['no URL at all', () => 'litellm.svc with-secret-789', 'LITELLM_URL is not a URL', ['with-secret-789']],
  ];
  it.each(cases)('with %s is refused, without repeating it, before any call', async (_, url, message, secrets) => {
    for (const action of ['configure', 'delete'] as const) {
      emulator.resetRequests();
      const run = await kratixRun({ type: 'resource', action, object: aiRequest('example', freshNamespace(), SPEC), litellmUrl: url(), masterKey: emulator.masterKey });
      expectOneLineFailure(run, message, `the pipeline failed while reading the LiteLLM settings and credentials; ${CHECK_LOG}`);
      for (const secret of secrets) expect(`${run.stderr}${run.statusText}`).not.toContain(secret);
      expect(emulator.requests).toEqual([]);
    }
  });
});

describe('LiteLLM faults', () => {
  it('survives a transient 500 and a 429 with Retry-After', async () => {
    const ns = freshNamespace();
    emulator.inject({ method: 'POST', path: '/team/new', status: 500 });
    emulator.inject({ method: 'POST', path: '/key/generate', status: 429, headers: { 'retry-after': '1' } });
    const run = await configure(aiRequest('example', ns, SPEC));
    expectSuccess(run);
    expect(teamOf(ns)).toBeDefined();
    expect(keysOf(ns)).toHaveLength(1);
  });

  it('fails within a bounded time naming the URL when LiteLLM is down', async () => {
    const run = await configure(aiRequest('example', freshNamespace(), SPEC), { LITELLM_CALL_TIMEOUT_MS: '3000' }, DOWN);
    expectOneLineFailure(
      run,
      `LiteLLM GET ${DOWN}/team/info failed: ECONNREFUSED`,
      LITELLM_DID_NOT_ANSWER,
    );
    expect(run.elapsedMs).toBeLessThan(10_000);
  });

  it('asks Kratix to retry soon instead of failing, when the platform opted in', async () => {
    const config = resolvePromiseConfig({ catalog: TEST_CATALOG.props, retryWhenLiteLLMUnavailable: '2m' });
    const run = await configure(aiRequest('example', freshNamespace(), SPEC), { LITELLM_CALL_TIMEOUT_MS: '2000', AI_PROMISE_CONFIG: diffableJson(config) }, DOWN);
    expect(run.code).toBe(0);
    const waiting = `Waiting for LiteLLM, retrying in 2m: LiteLLM GET ${DOWN}/team/info failed: ECONNREFUSED`;
    expect(run.stderr).toMatch(new RegExp(`^warning: ${waiting.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(gave up after \\d attempts\\)\n$`));
    // The status and the retry message are tenant-visible: what happens, without LiteLLM's words.
    const visible = 'Waiting for LiteLLM, retrying in 2m: it did not answer while provisioning the team and key in LiteLLM';
    expect(load(run.metadata.get('workflow-control.yaml')!)).toEqual({ retryAfter: '2m', message: visible });
    expect(run.status.message).toBe(visible);
    expect(run.outputs.size).toBe(0);
    // Bad input is not worth a retry: it still fails.
    const bad = await configure(aiRequest('example', 'bad', { ...SPEC, tier: 'xl' }), { AI_PROMISE_CONFIG: diffableJson(config) }, DOWN);
    expect(bad.code).toBe(1);
    expect(bad.metadata.has('workflow-control.yaml')).toBe(false);
  });

  it('ends in one line, exit 1, when it should ask for a retry but cannot write the metadata dir', async () => {
    // GIVEN the retry option, LiteLLM down, and a metadata dir that cannot be written
    const config = resolvePromiseConfig({ retryWhenLiteLLMUnavailable: '2m' });
    const run = await kratixRun({
      type: 'resource',
      action: 'configure',
      object: aiRequest('example', freshNamespace(), SPEC),
      litellmUrl: DOWN,
      masterKey: emulator.masterKey,
      env: { LITELLM_CALL_TIMEOUT_MS: '2000', AI_PROMISE_CONFIG: diffableJson(config) },
      prepare: (dir) => {
        rmSync(join(dir, 'metadata'), { recursive: true });
        symlinkSync(join(dir, 'nowhere', 'metadata'), join(dir, 'metadata'));
      },
    });
    // THEN one line says both what failed and that the retry could not be requested; no stack trace
    expect(run.code).toBe(1);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^error: LiteLLM GET .* failed: ECONNREFUSED .*; the retry could not be requested: cannot write .*workflow-control\.yaml: E[A-Z]+\n$/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('a restart in the same pod leaves nothing of the failed attempt in the result', async () => {
    // GIVEN an attempt that asked Kratix for a retry (LiteLLM down) and left workflow-control.yaml,
    // plus a half-written output and a stale platform file, in the pod's emptyDirs
    const ns = freshNamespace();
    const object = aiRequest('example', ns, SPEC);
    const config = diffableJson(resolvePromiseConfig({ retryWhenLiteLLMUnavailable: '2m' }));
    const dir = mkdtempSync(join(tmpdir(), 'same-pod-'));
    const first = await kratixRun({ type: 'resource', action: 'configure', object, litellmUrl: DOWN, masterKey: emulator.masterKey, dir, env: { LITELLM_CALL_TIMEOUT_MS: '1000', AI_PROMISE_CONFIG: config } });
    expect(first.metadata.has('workflow-control.yaml')).toBe(true);
    // WHEN the next attempt runs in the same directories, with LiteLLM back
    const again = await kratixRun({
      type: 'resource',
      action: 'configure',
      object,
      litellmUrl: emulator.url,
      masterKey: emulator.masterKey,
      dir,
      samePod: true,
      env: { AI_PROMISE_CONFIG: config },
      prepare: (d) => {
        mkdirSync(join(d, 'output', 'workload'), { recursive: true });
        mkdirSync(join(d, 'output', 'platform'), { recursive: true });
        writeFileSync(join(d, 'output', 'workload', 'half-written.yaml'), 'apiVersion: v1\nkind: ConfigMap\n');
        writeFileSync(join(d, 'output', 'platform', 'stale.yaml'), 'apiVersion: v1\nkind: ConfigMap\n');
      },
    });
    // THEN its result is exactly a fresh run's: no retry request, no stale output
    expectSuccess(again);
    const fresh = await configure(object, { AI_PROMISE_CONFIG: config });
    expect([...again.metadata.keys()].sort()).toEqual([...fresh.metadata.keys()].sort());
    expect(again.metadata.has('workflow-control.yaml')).toBe(false);
    expect(again.outputs).toEqual(fresh.outputs);
  });

  it('fails in one line on an answer bigger than its cap, instead of running out of memory', async () => {
    emulator.inject({ path: '/team/info', status: 200, body: { team_info: { team_id: 'x', padding: 'x'.repeat(24 * 1024 * 1024) } } });
    const run = await configure(aiRequest('example', freshNamespace(), SPEC));
    expectOneLineFailure(run, `LiteLLM GET ${emulator.url}/team/info answered more than 8 MiB`, `the pipeline failed while provisioning the team and key in LiteLLM; ${CHECK_LOG}`);
  });

  it("keeps LiteLLM's raw error text out of the tenant-visible status, and sanitized in the log", async () => {
    // GIVEN a LiteLLM whose error text carries a key fragment, a key hash, control characters and
    // terminal escapes
    const hash = sha256('some key');
    const hostile = `\u001b[2J\u001b]0;owned\u0007\u001b[31mInvalid key sk-...Wx9z Key Hash (Token) =${hash}\u0000\r\ninjected: sk-plaintext-value-123\u001b[0m`;
    emulator.inject({ method: 'POST', path: '/team/new', status: 400, body: { error: { message: hostile, type: 'auth_error', param: 'None', code: '400' } } });
    const run = await configure(aiRequest('example', freshNamespace(), SPEC));
    // THEN the status says what failed and who acts, in one short sentence without LiteLLM's words
    expectOneLineFailure(run, `LiteLLM POST ${emulator.url}/team/new answered 400: Invalid key sk-*** Key Hash (Token) =<hash> injected: sk-***`, `the pipeline failed while provisioning the team and key in LiteLLM; ${CHECK_LOG}`);
    // AND the log line has the detail, with no escape, control character, key fragment or hash
    expect(run.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
    for (const leaked of ['Wx9z', hash, 'plaintext-value', 'owned']) expect(`${run.stderr}${run.statusText}`).not.toContain(leaked);
  });

  it('converges after a run that failed half-way', async () => {
    // GIVEN a run that created the team and then failed on the key
    const ns = freshNamespace();
    emulator.inject({ method: 'POST', path: '/key/generate', status: 503, times: Infinity });
    const failed = await configure(aiRequest('example', ns, SPEC), { LITELLM_MAX_ATTEMPTS: '2' });
    expectOneLineFailure(failed, `LiteLLM POST ${emulator.url}/key/generate answered 503`, LITELLM_DID_NOT_ANSWER);
    expect(teamOf(ns)).toBeDefined();
    expect(keysOf(ns)).toEqual([]);
    // WHEN LiteLLM recovers and Kratix re-runs
    emulator.clearFaults();
    emulator.resetRequests();
    const healed = await configure(aiRequest('example', ns, SPEC));
    // THEN the key is created, and the team is not duplicated
    expectSuccess(healed);
    expect(emulator.writes().map((r) => r.path)).toEqual(['/key/generate']);
    expect(keysOf(ns)).toHaveLength(1);
    expect(emulator.teams().filter((t) => t.team_id === `ai.${ns}.example`)).toHaveLength(1);
  });

  it('never touches a team it did not create, nor its keys', async () => {
    const ns = freshNamespace();
    emulator.seedTeam({ team_id: `ai.${ns}.example`, team_alias: 'hand-made', metadata: { owner: 'ops' }, rpm_limit: 5 });
    emulator.seedKey('sk-hand-made-key-0000000000000000', { team_id: `ai.${ns}.example`, key_alias: 'hand-made-key' });
    emulator.resetRequests();
    const run = await configure(aiRequest('example', ns, SPEC));
    expectOneLineFailure(run, `LiteLLM team 'ai.${ns}.example' exists but was not created by this promise for ${ns}/example`, `the pipeline failed while provisioning the team and key in LiteLLM; ${CHECK_LOG}`);
    const deleted = await remove(aiRequest('example', ns, SPEC));
    expectSuccess(deleted);
    expect(deleted.stdout).toContain('left untouched');
    expect(emulator.writes()).toEqual([]);
    expect(emulator.teams().find((t) => t.team_id === `ai.${ns}.example`)?.rpm_limit).toBe(5);
    expect(emulator.keys().some((k) => k.key_alias === 'hand-made-key')).toBe(true);
  });
});

describe('secrets', () => {
  it('never writes the master or salt key to outputs, status or logs', async () => {
    const ns = freshNamespace();
    const runs = [
      await configure(aiRequest('example', ns, SPEC)),
      await configure(aiRequest('example', ns, { ...SPEC, tier: 'xl' })),
      await remove(aiRequest('example', ns, SPEC)),
    ];
    for (const run of runs) {
      const everything = [run.stdout, run.stderr, run.statusText, ...run.outputs.values()].join('\n');
      expect(everything).not.toContain(emulator.masterKey);
      expect(everything).not.toContain(SALT_KEY);
    }
  });

  it('takes the keys from its environment only: without them it fails in one line, and never calls the Kubernetes API', async () => {
    // GIVEN a fake Kubernetes API that would serve the credentials Secret to the pod's token
    const saDir = mkdtempSync(join(tmpdir(), 'sa-'));
    writeFileSync(join(saDir, 'token'), 'pipeline-sa-token\n');
    const seen: string[] = [];
    const api: Server = createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      const data = { LITELLM_MASTER_KEY: Buffer.from(emulator.masterKey).toString('base64'), LITELLM_SALT_KEY: Buffer.from(SALT_KEY).toString('base64') };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ kind: 'Secret', data }));
    });
    await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
    const apiUrl = `http://127.0.0.1:${(api.address() as { port: number }).port}`;
    try {
      // WHEN the pipeline runs without LITELLM_MASTER_KEY / LITELLM_SALT_KEY in its environment
      emulator.resetRequests();
      const env = { KUBERNETES_API_URL: apiUrl, KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICEACCOUNT_DIR: saDir };
      const object = aiRequest('example', freshNamespace(), SPEC);
      const noMaster = await kratixRun({ type: 'resource', action: 'configure', object, litellmUrl: emulator.url, masterKey: '', env });
      const noSalt = await kratixRun({ type: 'resource', action: 'delete', object, litellmUrl: emulator.url, masterKey: emulator.masterKey, saltKey: '', env });
      // THEN each fails with one line naming the variable and where promise.yaml takes it from
      const credentialsStage = `the pipeline failed while reading the LiteLLM settings and credentials; ${CHECK_LOG}`;
      expectOneLineFailure(noMaster, 'LITELLM_MASTER_KEY is not set: promise.yaml passes it from key LITELLM_MASTER_KEY of Secret ai-platform/litellm-creds', credentialsStage);
      expectOneLineFailure(noSalt, 'LITELLM_SALT_KEY is not set: promise.yaml passes it from key LITELLM_SALT_KEY of Secret ai-platform/litellm-creds', credentialsStage);
      // AND nothing asked the Kubernetes API, nor LiteLLM
      expect(seen).toEqual([]);
      expect(emulator.requests.filter((r) => r.path.startsWith('/team/') || r.path.startsWith('/key/'))).toEqual([]);
    } finally {
      await new Promise((resolve) => api.close(resolve));
    }
  });

  it('refuses a key with a trailing newline instead of trimming it (the gateway would not)', async () => {
    const run = await kratixRun({ type: 'resource', action: 'configure', object: aiRequest('example', freshNamespace(), SPEC), litellmUrl: emulator.url, masterKey: emulator.masterKey, saltKey: `${SALT_KEY}\n` });
    expectOneLineFailure(run, 'LITELLM_SALT_KEY (key LITELLM_SALT_KEY of Secret ai-platform/litellm-creds) has leading or trailing whitespace', `the pipeline failed while reading the LiteLLM settings and credentials; ${CHECK_LOG}`);
  });

  it('refuses a salt key equal to the master key', async () => {
    const run = await kratixRun({ type: 'resource', action: 'configure', object: aiRequest('example', freshNamespace(), SPEC), litellmUrl: emulator.url, masterKey: emulator.masterKey, saltKey: emulator.masterKey });
    expectOneLineFailure(run, 'LITELLM_SALT_KEY must differ from LITELLM_MASTER_KEY', `the pipeline failed while reading the LiteLLM settings and credentials; ${CHECK_LOG}`);
  });
});

describe('promise configure', () => {
  it('writes the gateway and the database request to the platform destination, with no secret values', async () => {
    const run = await kratixRun({ type: 'promise', action: 'configure', object: { apiVersion: 'platform.kratix.io/v1alpha1', kind: 'Promise', metadata: { name: 'ai' } }, litellmUrl: emulator.url, masterKey: '', saltKey: '' });
    expectSuccess(run);
    expect([...run.outputs.keys()].sort()).toEqual(['backstage/ai-promise.yaml', 'platform/litellm-gateway.yaml', 'platform/network-policies.yaml', 'platform/postgres-claim.yaml']);
    const objects = [...run.outputs.values()].flatMap((y) => loadAll(y)) as any[];
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(expect.arrayContaining(['postgresql/litellm', 'Deployment/litellm', 'Service/litellm', 'ConfigMap/litellm-config']));
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    expect(run.status).toEqual({ message: 'Gateway litellm and its database requested in ai-platform' });
    expect(load(readFileSync(join(run.dir, 'metadata', 'destination-selectors.yaml'), 'utf8'))).toEqual([
      { directory: 'platform', matchLabels: { environment: 'dev' } },
      { directory: 'backstage', matchLabels: { environment: 'backstage' } },
    ]);
    // AND the promise's Component and Template go to the Backstage destination
    expect((loadAll(run.outputs.get('backstage/ai-promise.yaml')!) as any[]).map((o) => o.kind)).toEqual(['Component', 'Template']);
  });

  it('writes no Backstage entities and no selector for them when they are turned off', async () => {
    // GIVEN a platform without Backstage
    const env = { AI_PROMISE_CONFIG: JSON.stringify({ backstage: { enabled: false } }) };
    const promise = await kratixRun({ type: 'promise', action: 'configure', object: { apiVersion: 'platform.kratix.io/v1alpha1', kind: 'Promise', metadata: { name: 'ai' } }, litellmUrl: emulator.url, masterKey: '', saltKey: '', env });
    const request = await configure(aiRequest('example', freshNamespace(), SPEC), env);
    // THEN neither run writes to backstage/ or schedules it
    for (const run of [promise, request]) {
      expectSuccess(run);
      expect([...run.outputs.keys()].filter((p) => p.startsWith('backstage/'))).toEqual([]);
      expect(run.metadata.get('destination-selectors.yaml')).not.toContain('backstage');
    }
  });

  it('rejects an unknown workflow clearly', async () => {
    const run = await kratixRun({ type: 'promise', action: 'delete', object: {}, litellmUrl: emulator.url, masterKey: '' });
    expectOneLineFailure(
      run,
      "KRATIX_WORKFLOW_TYPE/KRATIX_WORKFLOW_ACTION 'promise/delete' is not one of promise/configure, resource/configure, resource/delete",
      `the pipeline failed while reading the promise configuration; ${CHECK_LOG}`,
    );
  });
});
