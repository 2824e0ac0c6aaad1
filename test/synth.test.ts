import { loadAll } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { Catalog, resolvePromiseConfig } from '../constructs/index.js';
import { promiseOutputs, resourceOutputs } from '../pipeline/synth.js';
import { validateWithKubernetesModels } from './support/manifests.js';

const config = resolvePromiseConfig();
const KEY = 'sk-snapshot-key-0123456789abcdefghijklmnopqrstu';

function render(tier: string, ui: boolean) {
  return resourceOutputs({
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
  });
}

function all(outputs: Map<string, string>): string {
  return [...outputs].map(([path, yaml]) => `# ${path}\n${yaml}`).join('---\n');
}

describe('promise outputs', () => {
  const outputs = promiseOutputs(config);

  it('are the database request and the gateway, with no secret values', async () => {
    expect([...outputs.keys()]).toEqual(["platform/postgres-claim.yaml", "platform/litellm-gateway.yaml"]);
    const text = all(outputs);
    expect(text).not.toMatch(/sk-[A-Za-z0-9]/);
    expect(text).not.toContain('stringData');
    await expect(text).toMatchFileSnapshot('__snapshots__/promise-outputs.yaml');
  });

  it('validate with kubernetes-models', () => {
    const objects = [...outputs.values()].flatMap((y) => loadAll(y));
    expect(validateWithKubernetesModels(objects)).toEqual(['ConfigMap/litellm-config', 'Deployment/litellm', 'Service/litellm']);
  });
});

describe('resource outputs', () => {
  for (const tier of Catalog.DEFAULT.tierNames) {
    for (const ui of [false, true]) {
      it(`${tier} tier ${ui ? 'with' : 'without'} UI`, async () => {
        const { outputs, uiUrl } = render(tier, ui);
        expect([...outputs.keys()]).toEqual(ui ? ["workload/team-tier.yaml", "workload/open-webui.yaml"] : ["workload/team-tier.yaml"]);
        expect(uiUrl).toBe(ui ? 'http://example-openwebui.default.svc.cluster.local' : undefined);
        const objects = [...outputs.values()].flatMap((y) => loadAll(y));
        const validated = validateWithKubernetesModels(objects);
        expect(validated).toContain('Secret/example-litellm-key');
        if (ui) expect(validated).toEqual(expect.arrayContaining(['Deployment/example-openwebui', 'Service/example-openwebui', 'PersistentVolumeClaim/example-openwebui-data']));
        await expect(all(outputs)).toMatchFileSnapshot(`__snapshots__/resource-${tier}${ui ? '-ui' : ''}.yaml`);
      });
    }
  }

  it('are byte-identical for the same input', () => {
    expect(all(render('medium', true).outputs)).toBe(all(render('medium', true).outputs));
  });

  it('size the UI by tier', () => {
    const deployment = (tier: string) => (loadAll(render(tier, true).outputs.get("workload/open-webui.yaml")!) as any[]).find((o) => o.kind === 'Deployment');
    const resources = (tier: string) => deployment(tier).spec.template.spec.containers[0].resources;
    expect(resources('small').limits.memory).toBe(Catalog.DEFAULT.tier('small').ui.memoryLimit);
    expect(resources('large').limits.memory).toBe(Catalog.DEFAULT.tier('large').ui.memoryLimit);
  });
});
