import { loadAll } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { resolvePromiseConfig } from '../constructs/index.js';
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
    expect([...outputs.keys()]).toEqual(["platform/postgres-claim.yaml", "platform/litellm-gateway.yaml", "platform/network-policies.yaml"]);
    const text = all(outputs);
    expect(text).not.toMatch(/sk-[A-Za-z0-9]/);
    expect(text).not.toContain('stringData');
    await expect(text).toMatchFileSnapshot('__snapshots__/promise-outputs.yaml');
  });

  it('validate with kubernetes-models', () => {
    const objects = [...outputs.values()].flatMap((y) => loadAll(y));
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
    expect(gatewayPolicy.spec.ingress[0].from).toEqual([{ namespaceSelector: { matchLabels: { 'ai-access': 'granted' } } }]);
  });

  it('carry no NetworkPolicy when they are turned off, and nothing else changes', () => {
    // GIVEN a platform that manages its own NetworkPolicies
    const off = promiseOutputs(resolvePromiseConfig({ catalog: TEST_CATALOG.props, networkPolicies: { enabled: false } }));
    // THEN the policies file is gone and the other files are byte-identical
    expect([...off.keys()]).toEqual(['platform/postgres-claim.yaml', 'platform/litellm-gateway.yaml']);
    for (const [path, yaml] of off) expect(yaml).toBe(outputs.get(path));
    expect(all(off)).not.toContain('NetworkPolicy');
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
