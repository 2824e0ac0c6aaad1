import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load, loadAll } from 'js-yaml';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MODELS, DEFAULT_TIERS, MANAGED_BY, diffableJson, resolvePromiseConfig } from '../constructs/index.js';
import { type KratixRunResult, SALT_KEY, aiRequest, kratixRun } from './support/kratix-run.js';
import { LiteLLMEmulator } from './support/litellm-emulator.js';
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

function expectOneLineFailure(run: KratixRunResult, message: string): void {
  expect(run.code).toBe(1);
  expect(run.stdout).toBe('');
  const lines = run.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain(message);
  expect(run.stderr).not.toMatch(/\n\s+at /);
  expect(run.status.message).toBe(`Failed: ${lines[0]!.replace(/^error: /, '')}`);
}

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
    expect(secret.stringData.OPENAI_BASE_URL).toBe('http://litellm.default.svc.cluster.local:4000/v1');
    // AND the key works and sees exactly its models
    const models = (await (await fetch(`${emulator.url}/v1/models`, { headers: { authorization: `Bearer ${secret.stringData.OPENAI_API_KEY}` } })).json()) as { data: { id: string }[] };
    expect(models.data.map((m) => m.id).sort()).toEqual(['gemini-2.5-pro', 'gpt-5']);
    // AND the first run cost three reads (observe, no revoked key of that value, verify the key)
    // and two writes (team, key)
    expect(emulator.reads().map((r) => r.path)).toEqual(['/team/info', '/key/list', '/key/info']);
    expect(emulator.writes().map((r) => r.path)).toEqual(['/team/new', '/key/generate']);
    // AND the status says what the user has
    expect(run.status.message).toBe(`Ready: small tier, 2 models, key in Secret example-litellm-key, UI at http://example-openwebui.${ns}.svc.cluster.local`);
    expect(run.status.ai).toMatchObject({
      apiEndpoint: 'http://litellm.default.svc.cluster.local:4000',
      apiCredsSecretName: 'example-litellm-key',
      uiEndpoint: `http://example-openwebui.${ns}.svc.cluster.local`,
      teamId: `ai.${ns}.example`,
      tier: 'small',
      limits: { rpm: 60, tpm: 30000, maxBudget: 10, budgetDuration: '1d' },
      models: ['gpt-5', 'gemini-2.5-pro'],
    });
    // AND every output is valid Kubernetes, scheduled to the workload destination
    const objects = [...run.outputs.values()].flatMap((y) => loadAll(y));
    expect(validateWithKubernetesModels(objects)).toHaveLength(objects.length);
    // (the key Secret; the UI's Secret, volume, Deployment, Service and NetworkPolicy)
    expect(objects.map((o: any) => o.kind).sort()).toEqual(['Deployment', 'NetworkPolicy', 'PersistentVolumeClaim', 'Secret', 'Secret', 'Service']);
    expect(objects.every((o: any) => o.metadata.namespace === ns)).toBe(true);
    expect(load(readFileSync(join(run.dir, 'metadata', 'destination-selectors.yaml'), 'utf8'))).toEqual([{ directory: 'workload', matchLabels: { environment: 'dev' } }]);
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
      expect(again.stdout).toContain('already in place');
    }
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
    expect([...withUi.outputs.keys()].sort()).toEqual(['workload/open-webui.yaml', 'workload/team-tier.yaml']);
    emulator.resetRequests();
    const withoutUi = await configure(aiRequest('example', ns, { ...SPEC, ui: false }));
    expectSuccess(withoutUi);
    expect([...withoutUi.outputs.keys()]).toEqual(['workload/team-tier.yaml']);
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

describe('a platform-extended catalog', () => {
  it('provisions a registered tier and Ollama model from the config in promise.yaml, with no new image', async () => {
    // GIVEN a platform that registered an xlarge tier and a local Ollama model (one typed entry each)
    const xlarge = { ...DEFAULT_TIERS[2]!, name: 'xlarge', rpmLimit: 6000, tpmLimit: 3_000_000, maxBudgetUsd: 5000, budgetDuration: '30d' };
    const llama = { name: 'llama3.2', model: 'ollama/llama3.2', apiBase: 'http://ollama.models.svc.cluster.local:11434' };
    const config = resolvePromiseConfig({ catalog: { tiers: [...DEFAULT_TIERS, xlarge], models: [...DEFAULT_MODELS, llama] } });
    // WHEN a request uses them, with the config the Promise hands its pipelines
    const ns = freshNamespace();
    const run = await configure(aiRequest('example', ns, { team: 'research', tier: 'xlarge', models: ['llama3.2'] }), { AI_PROMISE_CONFIG: diffableJson(config) });
    // THEN the team carries the new tier's limits and the key the new model
    expectSuccess(run);
    expect(teamOf(ns)).toMatchObject({ rpm_limit: 6000, tpm_limit: 3_000_000, max_budget: 5000, budget_duration: '30d', models: ['llama3.2'] });
    expect(keysOf(ns)[0]!.models).toEqual(['llama3.2']);
    expect(run.status.ai.limits).toEqual({ rpm: 6000, tpm: 3_000_000, maxBudget: 5000, budgetDuration: '30d' });
    // AND the built-in catalog alone refuses that tier
    const without = await configure(aiRequest('other', ns, { team: 'research', tier: 'xlarge', models: ['gpt-5'] }));
    expectOneLineFailure(without, "spec.tier 'xlarge' is not one of small, medium, large");
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
    expectOneLineFailure(run, `LiteLLM GET ${DOWN}/team/info failed: ECONNREFUSED`);
    expect(run.elapsedMs).toBeLessThan(10_000);
  });

  it('asks Kratix to retry soon instead of failing, when the platform opted in', async () => {
    const config = resolvePromiseConfig({ retryWhenLiteLLMUnavailable: '2m' });
    const run = await configure(aiRequest('example', freshNamespace(), SPEC), { LITELLM_CALL_TIMEOUT_MS: '2000', AI_PROMISE_CONFIG: diffableJson(config) }, DOWN);
    expect(run.code).toBe(0);
    const waiting = `Waiting for LiteLLM, retrying in 2m: LiteLLM GET ${DOWN}/team/info failed: ECONNREFUSED`;
    expect(run.stderr).toMatch(new RegExp(`^warning: ${waiting.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(gave up after \\d attempts\\)\n$`));
    expect(load(run.metadata.get('workflow-control.yaml')!)).toEqual({ retryAfter: '2m', message: expect.stringContaining(waiting) });
    expect(run.status.message).toContain(waiting);
    expect(run.outputs.size).toBe(0);
    // Bad input is not worth a retry: it still fails.
    const bad = await configure(aiRequest('example', 'bad', { ...SPEC, tier: 'xl' }), { AI_PROMISE_CONFIG: diffableJson(config) }, DOWN);
    expect(bad.code).toBe(1);
    expect(bad.metadata.has('workflow-control.yaml')).toBe(false);
  });

  it('converges after a run that failed half-way', async () => {
    // GIVEN a run that created the team and then failed on the key
    const ns = freshNamespace();
    emulator.inject({ method: 'POST', path: '/key/generate', status: 503, times: Infinity });
    const failed = await configure(aiRequest('example', ns, SPEC), { LITELLM_MAX_ATTEMPTS: '2' });
    expectOneLineFailure(failed, `LiteLLM POST ${emulator.url}/key/generate answered 503`);
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
    expectOneLineFailure(run, `LiteLLM team 'ai.${ns}.example' exists but was not created by this promise for ${ns}/example`);
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

  it('reads the keys from the credentials Secret through the Kubernetes API when the env has none', async () => {
    // GIVEN a fake API server that serves only default/litellm-creds to the right token
    const saDir = mkdtempSync(join(tmpdir(), 'sa-'));
    writeFileSync(join(saDir, 'token'), 'pipeline-sa-token\n');
    const seen: string[] = [];
    const api: Server = createServer((req, res) => {
      seen.push(`${req.method} ${req.url} ${req.headers.authorization}`);
      if (req.url === '/api/v1/namespaces/default/secrets/litellm-creds' && req.headers.authorization === 'Bearer pipeline-sa-token') {
        const data = { LITELLM_MASTER_KEY: Buffer.from(emulator.masterKey).toString('base64'), LITELLM_SALT_KEY: Buffer.from(SALT_KEY).toString('base64') };
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ kind: 'Secret', data }));
      } else {
        res.writeHead(403).end('{}');
      }
    });
    await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
    const apiUrl = `http://127.0.0.1:${(api.address() as { port: number }).port}`;
    try {
      // WHEN the pipeline runs without LITELLM_MASTER_KEY / LITELLM_SALT_KEY
      const ns = freshNamespace();
      const env = { KUBERNETES_API_URL: apiUrl, KUBERNETES_SERVICEACCOUNT_DIR: saDir };
      const run = await kratixRun({ type: 'resource', action: 'configure', object: aiRequest('example', ns, SPEC), litellmUrl: emulator.url, masterKey: '', saltKey: '', env });
      // THEN it read exactly that Secret and provisioned with the same derived key as with env keys
      expectSuccess(run);
      expect(seen).toEqual(['GET /api/v1/namespaces/default/secrets/litellm-creds Bearer pipeline-sa-token']);
      const withEnv = await configure(aiRequest('example', ns, SPEC));
      expect(secretOf(run)).toEqual(secretOf(withEnv));
      // AND a refused read is a clear error
      const refused = await kratixRun({
        type: 'resource',
        action: 'configure',
        object: aiRequest('example', ns, SPEC),
        litellmUrl: emulator.url,
        masterKey: '',
        saltKey: '',
        env: { ...env, AI_PROMISE_CONFIG: JSON.stringify({ platformNamespace: 'elsewhere' }) },
      });
      expectOneLineFailure(refused, 'reading Secret elsewhere/litellm-creds was refused (403)');
    } finally {
      await new Promise((resolve) => api.close(resolve));
    }
  });

  it('refuses a key with a trailing newline instead of trimming it (the gateway would not)', async () => {
    const run = await kratixRun({ type: 'resource', action: 'configure', object: aiRequest('example', freshNamespace(), SPEC), litellmUrl: emulator.url, masterKey: emulator.masterKey, saltKey: `${SALT_KEY}\n` });
    expectOneLineFailure(run, 'LITELLM_SALT_KEY (Secret default/litellm-creds or the environment) has leading or trailing whitespace');
  });

  it('refuses a salt key equal to the master key', async () => {
    const run = await kratixRun({ type: 'resource', action: 'configure', object: aiRequest('example', freshNamespace(), SPEC), litellmUrl: emulator.url, masterKey: emulator.masterKey, saltKey: emulator.masterKey });
    expectOneLineFailure(run, 'LITELLM_SALT_KEY must differ from LITELLM_MASTER_KEY');
  });
});

describe('promise configure', () => {
  it('writes the gateway and the database request to the platform destination, with no secret values', async () => {
    const run = await kratixRun({ type: 'promise', action: 'configure', object: { apiVersion: 'platform.kratix.io/v1alpha1', kind: 'Promise', metadata: { name: 'ai' } }, litellmUrl: emulator.url, masterKey: '', saltKey: '' });
    expectSuccess(run);
    expect([...run.outputs.keys()].sort()).toEqual(['platform/litellm-gateway.yaml', 'platform/network-policies.yaml', 'platform/postgres-claim.yaml']);
    const objects = [...run.outputs.values()].flatMap((y) => loadAll(y)) as any[];
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(expect.arrayContaining(['postgresql/litellm', 'Deployment/litellm', 'Service/litellm', 'ConfigMap/litellm-config']));
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    expect(run.status).toEqual({ message: 'Gateway litellm and its database requested in default' });
    expect(load(readFileSync(join(run.dir, 'metadata', 'destination-selectors.yaml'), 'utf8'))).toEqual([{ directory: 'platform', matchLabels: { environment: 'dev' } }]);
  });

  it('rejects an unknown workflow clearly', async () => {
    const run = await kratixRun({ type: 'promise', action: 'delete', object: {}, litellmUrl: emulator.url, masterKey: '' });
    expectOneLineFailure(run, "KRATIX_WORKFLOW_TYPE/KRATIX_WORKFLOW_ACTION 'promise/delete' is not one of promise/configure, resource/configure, resource/delete");
  });
});
