import { Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { AiPromise, type AiPromiseProps, CONFIG_ENV, resolvePromiseConfig } from '../constructs/index.js';
import { admit } from './support/structural-schema.js';
import { EXTRA_TIER, TEST_CATALOG, TEST_MODELS, TEST_TIERS } from './support/test-catalog.js';

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

  it("shows tier, team, ui, the share of the budget used, and Kratix's own message and Reconciled columns, which a CRD with columns of its own loses", () => {
    const columns = synthPromise().spec.api.spec.versions[0].additionalPrinterColumns;
    // Kratix's defaults (syntasso/kratix internal/controller/promise_controller.go, setStatusFieldsOnCRD):
    // message <- .status.message, status <- .status.conditions[?(@.type=="Reconciled")].message
    expect(columns.map((c: any) => [c.name, c.jsonPath])).toEqual([
      ['Tier', '.spec.tier'],
      ['Team', '.spec.team'],
      ['UI', '.spec.ui'],
      ['Message', '.status.message'],
      ['Budget Used %', '.status.ai.usage.budgetUsedPercent'],
      ['Status', '.status.conditions[?(@.type=="Reconciled")].message'],
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

  it('runs every workflow in the platform namespace, never in the requester\'s', () => {
    // GIVEN a platform namespace of the platform's choosing
    const promise = synthPromise({ config: { platformNamespace: 'llm-platform' } });
    // THEN Kratix runs the promise and resource workflows there (spec.workflows.config.pipelineNamespace)
    expect(promise.spec.workflows.config).toEqual({ pipelineNamespace: 'llm-platform' });
    // AND by default that is the dedicated ai-platform namespace
    expect(synthPromise().spec.workflows.config).toEqual({ pipelineNamespace: 'ai-platform' });
  });

  it('hands the resource pipelines the master key and derivation secret by secretKeyRef, and grants no pipeline any Secret', () => {
    // GIVEN the default config and one with a dedicated derivation secret
    for (const [config, derivationKey] of [
      [{}, 'LITELLM_SALT_KEY'],
      [{ credentialsSecret: 'ai-creds', derivationSecretKey: 'AI_PROMISE_KEY_SEED' }, 'AI_PROMISE_KEY_SEED'],
    ] as const) {
      const [promiseConfigure, provision, deprovision] = pipelines(synthPromise({ config }));
      const secret = 'credentialsSecret' in config ? config.credentialsSecret : 'litellm-creds';
      // THEN no pipeline asks Kratix for RBAC on Secrets (or anything else)
      for (const p of [promiseConfigure, provision, deprovision]) expect(p.spec.rbac).toBeUndefined();
      // AND the promise pipeline, which only writes manifests, gets no credentials at all
      expect(promiseConfigure.spec.containers[0].env.filter((e: any) => e.valueFrom)).toEqual([]);
      // AND the resource pipelines get exactly the two keys, from the Secret in their own namespace
      for (const p of [provision, deprovision]) {
        expect(p.spec.containers[0].env.filter((e: any) => e.valueFrom)).toEqual([
          { name: 'LITELLM_MASTER_KEY', valueFrom: { secretKeyRef: { name: secret, key: 'LITELLM_MASTER_KEY' } } },
          { name: 'LITELLM_SALT_KEY', valueFrom: { secretKeyRef: { name: secret, key: derivationKey } } },
        ]);
      }
    }
  });

  it('hands the resolved config and the LiteLLM URL to every pipeline', () => {
    const all = pipelines(synthPromise());
    expect(all).toHaveLength(3);
    for (const p of all) {
      const env = Object.fromEntries(p.spec.containers[0].env.map((e: any) => [e.name, e.value]));
      expect(env.LITELLM_URL).toBe('http://litellm.ai-platform.svc.cluster.local:4000');
      expect(JSON.parse(env[CONFIG_ENV])).toEqual(JSON.parse(JSON.stringify(resolvePromiseConfig())));
    }
  });

  it('passes extra pipeline env, for the HTTP timeouts', () => {
    const all = pipelines(synthPromise({ pipelineEnv: { LITELLM_TIMEOUT_MS: '5000' } }));
    expect(all).toHaveLength(3);
    for (const p of all) {
      expect(p.spec.containers[0].env).toContainEqual({ name: 'LITELLM_TIMEOUT_MS', value: '5000' });
    }
  });

  it('requires the PostgreSQL promise and keeps the original destination selector by default', () => {
    const promise = synthPromise();
    expect(promise.spec.requiredPromises).toEqual([{ name: 'postgresql' }]);
    expect(promise.spec.destinationSelectors).toEqual([{ matchLabels: { environment: 'dev' } }]);
    expect(synthPromise({ destinationSelectors: [{ cluster: 'platform' }] }).spec.destinationSelectors).toEqual([{ matchLabels: { cluster: 'platform' } }]);
  });

  it('also requires the Redis promise above one gateway replica', () => {
    // GIVEN a three-replica gateway, which requests a Redis for its shared counters
    const promise = synthPromise({ config: { gateway: { replicas: 3 } } });
    // THEN Kratix holds requests until both promises are available
    expect(promise.spec.requiredPromises).toEqual([{ name: 'postgresql' }, { name: 'redis' }]);
  });

  it('carries a registered tier into the CRD enum and the pipelines', () => {
    // GIVEN a platform that adds a tier
    const promise = synthPromise({ config: { catalog: { tiers: [...TEST_TIERS, EXTRA_TIER], models: TEST_MODELS } } });
    // THEN the CRD enum lists it and the pipelines receive its limits
    const schema = promise.spec.api.spec.versions[0].schema.openAPIV3Schema;
    expect(schema.properties.spec.properties.tier.enum).toEqual([...TEST_CATALOG.tierNames, EXTRA_TIER.name]);
    expect(admit(schema, { spec: { tier: EXTRA_TIER.name, team: 'a', models: ['gpt-5'] } }).errors).toEqual([]);
    const env = pipelines(promise)[1].spec.containers[0].env.find((e: any) => e.name === CONFIG_ENV).value;
    expect(JSON.parse(env).catalog.tiers[3]).toMatchObject({ name: EXTRA_TIER.name, rpmLimit: EXTRA_TIER.rpmLimit });
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
    ['a Redis name too long for its operator', { config: { gateway: { replicas: 3 }, gatewayHa: { redis: { name: `r${'e'.repeat(48)}` } } } }, 'is longer than 48 characters'],
    ['a retry duration Kratix cannot parse', { config: { retryWhenLiteLLMUnavailable: '1d' } }, "retryWhenLiteLLMUnavailable '1d' is not a duration Kratix accepts, such as 90s, 2m or 1h"],
    ['a secret in the pipeline env', { pipelineEnv: { LITELLM_MASTER_KEY: 'sk-x' } }, "pipelineEnv 'LITELLM_MASTER_KEY' is set by the promise or by Kratix itself"],
    ['the master key as derivation secret', { config: { derivationSecretKey: 'LITELLM_MASTER_KEY' } }, "derivationSecretKey 'LITELLM_MASTER_KEY' would derive every request's key from the admin credential"],
    ['a derivation secret that is no Secret key', { config: { derivationSecretKey: 'seed/1' } }, "derivationSecretKey 'seed/1' is not a Secret key"],
    ['a bad pipeline env name', { pipelineEnv: { 'litellm-timeout': '1' } }, "pipelineEnv name 'litellm-timeout' is not an environment variable name"],
  ])('rejects %s', (_, props, message) => {
    expect(() => synthPromise(props)).toThrow(message);
  });
});
