import { loadAll } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { LITELLM_IMAGE, migrationJobName, resolvePromiseConfig } from '../constructs/index.js';
import { promiseOutputs, resourceOutputs } from '../pipeline/synth.js';
import { validateWithKubernetesModels } from './support/manifests.js';
import { TEST_CATALOG, TEST_CONFIG } from './support/test-catalog.js';

const config = TEST_CONFIG;
const KEY = 'sk-snapshot-key-0123456789abcdefghijklmnopqrstu';

function render(tier: string, ui: boolean) {
  return resourceOutputs(renderOptions(tier, ui));
}

function renderOptions(tier: string, ui: boolean) {
  return {
    config,
    ui,
    webuiSecretKey: 'webui-secret-for-snapshots-0123456789abcdef',
    webuiAdminPassword: 'webui-admin-password-for-snapshots',
    teamTier: {
      tier,
      models: ['gpt-5', 'gemini-2.5-pro'],
      owner: 'engineering',
      requestNamespace: 'default',
      requestName: 'example',
      requestUid: 'uid-default-example',
      apiKey: KEY,
      gatewayUrl: 'http://litellm.default.svc.cluster.local:4000',
    },
  };
}

function all(outputs: Map<string, string>): string {
  return [...outputs].map(([path, yaml]) => `# ${path}\n${yaml}`).join('---\n');
}

describe('promise outputs', () => {
  const outputs = promiseOutputs(config);

  it('are the database request and the gateway, with no secret values', async () => {
    expect([...outputs.keys()]).toEqual(["platform/postgres-claim.yaml", "platform/litellm-gateway.yaml", "platform/network-policies.yaml", "backstage/ai-promise.yaml"]);
    const text = all(outputs);
    expect(text).not.toMatch(/sk-[A-Za-z0-9]/);
    expect(text).not.toContain('stringData');
    await expect(text).toMatchFileSnapshot('__snapshots__/promise-outputs.yaml');
  });

  it('carry no Backstage entities when they are turned off, and nothing else changes', () => {
    // GIVEN a platform without Backstage
    const off = promiseOutputs(resolvePromiseConfig({ backstage: { enabled: false } }));
    // THEN the backstage directory is gone and the other files are byte-identical
    expect([...off.keys()]).toEqual(['platform/postgres-claim.yaml', 'platform/litellm-gateway.yaml', 'platform/network-policies.yaml']);
    for (const [path, yaml] of off) expect(yaml).toBe(outputs.get(path));
  });

  it('validate with kubernetes-models', () => {
    const objects = [...outputs.entries()].filter(([path]) => path.startsWith('platform/')).flatMap(([, y]) => loadAll(y));
    expect(validateWithKubernetesModels(objects)).toEqual([
      'ConfigMap/litellm-config',
      'Deployment/litellm',
      'Service/litellm',
      'NetworkPolicy/litellm',
      'NetworkPolicy/litellm-litellm-postgresql',
    ]);
  });

  it("police the gateway's own pods, and admit them to the database", () => {
    const objects = [...outputs.values()].flatMap((y) => loadAll(y)) as any[];
    const podLabels = objects.find((o) => o.kind === 'Deployment').spec.template.metadata.labels;
    const [gatewayPolicy, databasePolicy] = objects.filter((o) => o.kind === 'NetworkPolicy');
    expect(podLabels).toMatchObject(gatewayPolicy.spec.podSelector.matchLabels);
    expect(podLabels).toMatchObject(databasePolicy.spec.ingress[0].from[0].podSelector.matchLabels);
    // The database policy selects the pods of the instance the claim asks for.
    expect(databasePolicy.spec.podSelector.matchLabels['cluster-name']).toBe('litellm-litellm-postgresql');
  });

  it('narrow the gateway to the configured client namespaces', () => {
    const narrowed = promiseOutputs(resolvePromiseConfig({ catalog: TEST_CATALOG.props, networkPolicies: { gatewayClientNamespaces: { 'ai-access': 'granted' } } }));
    const gatewayPolicy = (loadAll(narrowed.get('platform/network-policies.yaml')!) as any[])[0];
    expect(gatewayPolicy.spec.ingress[0].from).toEqual([{ namespaceSelector: { matchLabels: { 'ai-access': 'granted' } } }, { podSelector: {} }]);
  });

  it('carry no NetworkPolicy when they are turned off, and nothing else changes', () => {
    // GIVEN a platform that manages its own NetworkPolicies
    const off = promiseOutputs(resolvePromiseConfig({ catalog: TEST_CATALOG.props, networkPolicies: { enabled: false } }));
    // THEN the policies file is gone and the other files are byte-identical
    expect([...off.keys()]).toEqual(['platform/postgres-claim.yaml', 'platform/litellm-gateway.yaml', 'backstage/ai-promise.yaml']);
    for (const [path, yaml] of off) expect(yaml).toBe(outputs.get(path));
    expect(all(off)).not.toContain('NetworkPolicy');
  });
});

describe('promise outputs for three replicas', () => {
  const three = resolvePromiseConfig({ gateway: { replicas: 3 }, metrics: { enabled: true } });
  const outputs = promiseOutputs(three);
  const objects = () => [...outputs.values()].flatMap((y) => loadAll(y)) as any[];

  it('add the Redis request and a ServiceMonitor, with no secret values', async () => {
    expect([...outputs.keys()]).toEqual([
      'platform/postgres-claim.yaml',
      'platform/redis-claim.yaml',
      'platform/litellm-gateway.yaml',
      'platform/network-policies.yaml',
      'platform/service-monitor.yaml',
      'backstage/ai-promise.yaml',
    ]);
    const text = all(outputs);
    expect(text).not.toMatch(/sk-[A-Za-z0-9]/);
    expect(text).not.toContain('stringData');
    await expect(text).toMatchFileSnapshot('__snapshots__/promise-outputs-3-replicas.yaml');
  });

  it('validate with kubernetes-models', () => {
    expect(validateWithKubernetesModels(objects())).toEqual([
      'ConfigMap/litellm-config',
      'Deployment/litellm',
      'Service/litellm',
      'PodDisruptionBudget/litellm',
      `Job/${migrationJobName('litellm', LITELLM_IMAGE)}`,
      'NetworkPolicy/litellm',
      'NetworkPolicy/litellm-litellm-postgresql',
      'NetworkPolicy/litellm-redis',
    ]);
  });

  it('request the Redis the gateway is pointed at, and let only the gateway reach it', () => {
    const redisRequest = objects().find((o) => o.kind === 'redis');
    expect(redisRequest).toEqual({ apiVersion: 'marketplace.kratix.io/v1alpha1', kind: 'redis', metadata: { name: 'litellm-redis', namespace: 'ai-platform' }, spec: { size: 'large' } });
    const deployment = objects().find((o) => o.kind === 'Deployment');
    const sentinelNodes = deployment.spec.template.spec.containers[0].env.find((e: { name: string }) => e.name === 'REDIS_SENTINEL_NODES').value;
    expect(JSON.parse(sentinelNodes)).toEqual([[`rfs-${redisRequest.metadata.name}.default.svc.cluster.local`, 26379]]);
    const redisPolicy = objects().find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'litellm-redis');
    expect(deployment.spec.template.metadata.labels).toMatchObject(redisPolicy.spec.ingress[0].from[0].podSelector.matchLabels);
    expect(redisPolicy.spec.podSelector.matchLabels['app.kubernetes.io/name']).toBe(redisRequest.metadata.name);
  });

  it('scale back to one replica without the Redis request, its policy, the budget or the Job', () => {
    const one = promiseOutputs(resolvePromiseConfig({ metrics: { enabled: true } }));
    expect([...one.keys()]).not.toContain('platform/redis-claim.yaml');
    const kinds = [...one.values()].flatMap((y) => loadAll(y) as any[]).map((o) => `${o.kind}/${o.metadata.name}`);
    expect(kinds).not.toEqual(expect.arrayContaining(['NetworkPolicy/litellm-redis']));
    expect(kinds.filter((k) => /^(Job|PodDisruptionBudget|redis)\//.test(k))).toEqual([]);
  });
});

describe('resource outputs', () => {
  // One snapshot per tier of the shipped catalog: test/shipped-catalog.test.ts.
  it('carry no NetworkPolicy for the UI when policies are turned off, and nothing else changes', () => {
    // GIVEN the same request on a platform with policies off
    const on = render('medium', true).outputs;
    const off = resourceOutputs({ ...renderOptions('medium', true), config: resolvePromiseConfig({ catalog: TEST_CATALOG.props, networkPolicies: { enabled: false } }) }).outputs;
    // THEN the UI file loses exactly its NetworkPolicy document
    expect([...off.keys()]).toEqual([...on.keys()]);
    expect(off.get('workload/team-tier.yaml')).toBe(on.get('workload/team-tier.yaml'));
    const kinds = (outputs: Map<string, string>) => (loadAll(outputs.get('workload/open-webui.yaml')!) as any[]).map((o) => o.kind);
    expect(kinds(on)).toEqual(['Secret', 'PersistentVolumeClaim', 'Deployment', 'Service', 'NetworkPolicy']);
    expect(kinds(off)).toEqual(['Secret', 'PersistentVolumeClaim', 'Deployment', 'Service']);
    expect(on.get('workload/open-webui.yaml')!.startsWith(off.get('workload/open-webui.yaml')!)).toBe(true);
  });

  it('carry a Backstage Component only when the entities are on', () => {
    // GIVEN the same request with Backstage on and off
    const on = render('small', true).outputs;
    const off = resourceOutputs({ ...renderOptions('small', true), config: resolvePromiseConfig({ backstage: { enabled: false } }) }).outputs;
    // THEN only the Component differs, and it names the request's UI
    expect([...off.keys()]).toEqual(['workload/team-tier.yaml', 'workload/open-webui.yaml']);
    for (const [path, yaml] of off) expect(yaml).toBe(on.get(path));
    const component = loadAll(on.get('backstage/component.yaml')!)[0] as any;
    expect(component.metadata.links.map((l: any) => l.url)).toContain('http://example-openwebui.default.svc.cluster.local');
  });

  it('are byte-identical for the same input', () => {
    expect(all(render('medium', true).outputs)).toBe(all(render('medium', true).outputs));
  });

  it('size the UI by tier', () => {
    const deployment = (tier: string) => (loadAll(render(tier, true).outputs.get("workload/open-webui.yaml")!) as any[]).find((o) => o.kind === 'Deployment');
    const resources = (tier: string) => deployment(tier).spec.template.spec.containers[0].resources;
    expect(resources('small').limits.memory).toBe(TEST_CATALOG.tier('small').ui.memoryLimit);
    expect(resources('large').limits.memory).toBe(TEST_CATALOG.tier('large').ui.memoryLimit);
  });
});
