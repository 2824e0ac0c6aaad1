import { Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { AiPromise, type AiPromiseProps, CONFIG_ENV, DEFAULT_MODELS, DEFAULT_TIERS } from '../constructs/index.js';
import { admit } from './support/structural-schema.js';

const IMAGE = 'ghcr.io/example/pipeline:v1.2.3';

function synthPromise(props: Partial<AiPromiseProps> = {}): any {
  const chart = Testing.chart();
  new AiPromise(chart, 'ai', { pipelineImage: IMAGE, ...props });
  const objects = Testing.synth(chart);
  expect(objects).toHaveLength(1);
  return objects[0];
}

function pipelines(promise: any): any[] {
  const w = promise.spec.workflows;
  return [...w.promise.configure, ...w.resource.configure, ...w.resource.delete];
}

describe('AiPromise', () => {
  it('keeps the original API: marketplace.kratix.io/v1alpha1 ai, namespaced', () => {
    const promise = synthPromise();
    expect(promise.apiVersion).toBe('platform.kratix.io/v1alpha1');
    expect(promise.kind).toBe('Promise');
    expect(promise.metadata.name).toBe('ai');
    const crd = promise.spec.api;
    expect(crd.metadata.name).toBe('ai.marketplace.kratix.io');
    expect(crd.spec).toMatchObject({ group: 'marketplace.kratix.io', scope: 'Namespaced', names: { kind: 'ai', plural: 'ai', singular: 'ai' } });
    expect(crd.spec.versions.map((v: any) => v.name)).toEqual(['v1alpha1']);
  });

  it('shows tier, team, ui and the status message as printer columns', () => {
    const columns = synthPromise().spec.api.spec.versions[0].additionalPrinterColumns;
    expect(columns.map((c: any) => [c.name, c.jsonPath])).toEqual([
      ['Tier', '.spec.tier'],
      ['Team', '.spec.team'],
      ['UI', '.spec.ui'],
      ['Status', '.status.message'],
      ['Age', '.metadata.creationTimestamp'],
    ]);
  });

  it('runs one image in three strict pipelines with ids Kratix accepts', () => {
    const promise = synthPromise();
    const all = pipelines(promise);
    expect(all.map((p) => p.metadata.name)).toEqual(['gateway', 'provision', 'deprovision']);
    expect(all.map((p) => p.spec.containers.length)).toEqual([1, 1, 1]);
    for (const p of all) {
      expect(Object.keys(p).sort()).toEqual(['apiVersion', 'kind', 'metadata', 'spec']);
      expect(p.apiVersion).toBe('platform.kratix.io/v1alpha1');
      expect(p.kind).toBe('Pipeline');
      for (const c of p.spec.containers) {
        expect(c.image).toBe(IMAGE);
        // Kratix decodes containers with unknown fields disallowed.
        const allowed = ['name', 'image', 'command', 'args', 'env', 'envFrom', 'volumeMounts', 'imagePullPolicy', 'securityContext', 'resources'];
        expect(Object.keys(c).filter((k) => !allowed.includes(k))).toEqual([]);
        expect(c.securityContext).toMatchObject({ runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
        expect(c.resources.limits).toBeDefined();
      }
    }
    const ids = ['ai-promise-configure-gateway', 'ai-resource-configure-provision', 'ai-resource-delete-deprovision'];
    ids.forEach((id) => expect(id.length).toBeLessThanOrEqual(60));
  });

  it('grants the resource pipelines get on the one credentials Secret, nothing else', () => {
    const [promiseConfigure, provision, deprovision] = pipelines(synthPromise({ config: { platformNamespace: 'ai-platform' } }));
    expect(promiseConfigure.spec.rbac).toBeUndefined();
    for (const p of [provision, deprovision]) {
      expect(p.spec.rbac.permissions).toEqual([
        { apiGroups: [''], resources: ['secrets'], resourceNames: ['litellm-creds'], verbs: ['get'], resourceNamespace: 'ai-platform' },
      ]);
    }
  });

  it('hands the resolved config and the LiteLLM URL to every pipeline', () => {
    const all = pipelines(synthPromise());
    expect(all).toHaveLength(3);
    for (const p of all) {
      const env = Object.fromEntries(p.spec.containers[0].env.map((e: any) => [e.name, e.value]));
      expect(env.LITELLM_URL).toBe('http://litellm.default.svc.cluster.local:4000');
      // The defaults, written out: the pipelines must receive exactly these
      const { catalog, ...config } = JSON.parse(env[CONFIG_ENV]);
      expect(config).toEqual({
        platformNamespace: 'default',
        credentialsSecret: 'litellm-creds',
        gateway: { name: 'litellm', image: 'ghcr.io/berriai/litellm-non_root:main-v1.80.12', replicas: 1, useCredentialsSecretConfig: false, publicUrl: '' },
        database: { name: 'litellm', teamId: 'litellm', dbName: 'litellm', env: 'dev', backupEnabled: false },
        openWebUIImage: 'ghcr.io/open-webui/open-webui:0.6.25',
        destinations: { platform: { environment: 'dev' }, workloads: { environment: 'dev' } },
        networkPolicies: { enabled: true, postgresOperatorNamespace: 'default' },
        retryWhenLiteLLMUnavailable: '',
      });
      expect(catalog.defaultTier).toBe('small');
      expect(catalog.tiers.map((t: any) => [t.name, t.rpmLimit, t.tpmLimit, t.maxBudgetUsd, t.budgetDuration])).toEqual([
        ['small', 60, 30000, 10, '1d'],
        ['medium', 240, 120000, 100, '1d'],
        ['large', 1200, 600000, 1000, '1d'],
      ]);
      expect(catalog.models.map((m: any) => [m.name, m.model])).toEqual([
        ['gpt-5', 'openai/gpt-5'],
        ['gemini-2.5-pro', 'gemini/gemini-2.5-pro'],
        ['claude-opus-4', 'anthropic/claude-opus-4-20250514'],
      ]);
    }
  });

  it('passes extra pipeline env, for the HTTP timeouts', () => {
    const all = pipelines(synthPromise({ pipelineEnv: { LITELLM_TIMEOUT_MS: '5000' } }));
    expect(all).toHaveLength(3);
    for (const p of all) {
      expect(p.spec.containers[0].env.at(-1)).toEqual({ name: 'LITELLM_TIMEOUT_MS', value: '5000' });
    }
  });

  it('requires the PostgreSQL promise and keeps the original destination selector by default', () => {
    const promise = synthPromise();
    expect(promise.spec.requiredPromises).toEqual([{ name: 'postgresql' }]);
    expect(promise.spec.destinationSelectors).toEqual([{ matchLabels: { environment: 'dev' } }]);
    expect(synthPromise({ destinationSelectors: [{ cluster: 'platform' }] }).spec.destinationSelectors).toEqual([{ matchLabels: { cluster: 'platform' } }]);
  });

  it('carries a registered tier into the CRD enum and the pipelines', () => {
    // GIVEN a platform that adds an xlarge tier
    const xlarge = { ...DEFAULT_TIERS[2]!, name: 'xlarge', rpmLimit: 6000 };
    const promise = synthPromise({ config: { catalog: { tiers: [...DEFAULT_TIERS, xlarge], models: DEFAULT_MODELS } } });
    // THEN the CRD enum lists it and the pipelines receive its limits
    const schema = promise.spec.api.spec.versions[0].schema.openAPIV3Schema;
    expect(schema.properties.spec.properties.tier.enum).toEqual(['small', 'medium', 'large', 'xlarge']);
    expect(admit(schema, { spec: { tier: 'xlarge', team: 'a', models: ['gpt-5'] } }).errors).toEqual([]);
    const env = pipelines(promise)[1].spec.containers[0].env.find((e: any) => e.name === CONFIG_ENV).value;
    expect(JSON.parse(env).catalog.tiers[3]).toMatchObject({ name: 'xlarge', rpmLimit: 6000 });
  });

  it.each<[string, Partial<AiPromiseProps>, string]>([
    ['an unpinned pipeline image', { pipelineImage: 'ghcr.io/example/pipeline' }, "pipelineImage 'ghcr.io/example/pipeline' is not pinned"],
    ['a latest pipeline image', { pipelineImage: 'ghcr.io/example/pipeline:latest' }, "pipelineImage 'ghcr.io/example/pipeline:latest' is not pinned"],
    ['an empty selector', { destinationSelectors: [{}] }, 'destinationSelectors[0] {} has no labels'],
    ['a bad namespace', { config: { platformNamespace: 'AI' } }, "platformNamespace 'AI' is not a namespace name"],
    ['an unpinned gateway image', { config: { gateway: { image: 'litellm' } } }, "gateway.image 'litellm' is not pinned"],
    ['a bad database env', { config: { database: { env: 'qa' as 'dev' } } }, "database.env 'qa' is not one of dev, prod"],
    ['a public URL ending in /v1', { config: { gateway: { publicUrl: 'https://ai.example.com/v1' } } }, "gateway.publicUrl 'https://ai.example.com/v1' must not end in / or /v1"],
    ['a database name too long for its Service', { config: { database: { name: 'n'.repeat(60) } } }, 'make an instance name of 79 characters: <teamId>-<name>-postgresql must be at most 63'],
    ['a retry duration Kratix cannot parse', { config: { retryWhenLiteLLMUnavailable: '1d' } }, "retryWhenLiteLLMUnavailable '1d' is not a duration Kratix accepts, such as 90s, 2m or 1h"],
    ['a secret in the pipeline env', { pipelineEnv: { LITELLM_MASTER_KEY: 'sk-x' } }, "pipelineEnv 'LITELLM_MASTER_KEY' is set by the promise or by Kratix itself"],
    ['a bad pipeline env name', { pipelineEnv: { 'litellm-timeout': '1' } }, "pipelineEnv name 'litellm-timeout' is not an environment variable name"],
  ])('rejects %s', (_, props, message) => {
    expect(() => synthPromise(props)).toThrow(message);
  });
});
