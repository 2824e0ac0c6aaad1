import { readdirSync } from 'node:fs';
import { loadAll } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { Catalog, DEFAULT_MODELS, DEFAULT_TIERS, resolvePromiseConfig } from '../constructs/index.js';
import { PROMISE_PROPS } from '../main.js';
import { promiseOutputs, resourceOutputs } from '../pipeline/synth.js';
import { validateWithKubernetesModels } from './support/manifests.js';
import { SHIPPED_SNAPSHOT_DIR, shippedSnapshotFiles, tierSnapshotFile } from './support/shipped-snapshots.js';

/*
 * The only tests that read the shipped catalog (constructs/tiers.ts, constructs/models.ts, settings
 * in main.ts); every other test uses its own (test/support/test-catalog.ts). Two kinds:
 * - "shipped catalog keeps ..." pins the original promise's tiers and models, which this promise
 *   replaces drop-in. Adding tiers and models never fails them; changing or removing an original
 *   one does, on purpose: update ORIGINAL_* below in the same PR if that is what you mean.
 * - "shipped catalog output ..." snapshots what each shipped tier produces, into
 *   __snapshots__/shipped-catalog/ (one pair of files per tier, whatever the tiers are). `npm run synth`
 *   empties that folder and `npm test` writes it again: review those files in the PR.
 */

const SHIPPED = new Catalog({ tiers: DEFAULT_TIERS, models: DEFAULT_MODELS });
const SHIPPED_CONFIG = resolvePromiseConfig(PROMISE_PROPS.config);

/** The original promise's tiers: rpm, tpm, budget (USD), budget period. */
const ORIGINAL_TIERS = [
  { name: 'small', rpmLimit: 60, tpmLimit: 30_000, maxBudgetUsd: 10, budgetDuration: '1d' },
  { name: 'medium', rpmLimit: 240, tpmLimit: 120_000, maxBudgetUsd: 100, budgetDuration: '1d' },
  { name: 'large', rpmLimit: 1200, tpmLimit: 600_000, maxBudgetUsd: 1000, budgetDuration: '1d' },
];
const ORIGINAL_MODELS = ['gpt-5', 'gemini-2.5-pro', 'claude-opus-4'];

describe('shipped catalog keeps the original promise', () => {
  it.each(ORIGINAL_TIERS)('shipped catalog keeps the original $name tier numbers', (original) => {
    expect(SHIPPED.tierNames, `the original tier ${original.name} is gone`).toContain(original.name);
    expect(SHIPPED.tier(original.name)).toMatchObject(original);
  });

  it('shipped catalog keeps the original models and the small default tier', () => {
    expect(SHIPPED.modelNames).toEqual(expect.arrayContaining(ORIGINAL_MODELS));
    expect(SHIPPED.defaultTier).toBe('small');
  });

  it('shipped catalog is the one main.ts puts in promise.yaml', () => {
    expect(SHIPPED_CONFIG.catalog).toEqual(SHIPPED.props);
  });
});

const KEY = 'sk-snapshot-key-0123456789abcdefghijklmnopqrstu';
const all = (outputs: Map<string, string>) => [...outputs].map(([path, yaml]) => `# ${path}\n${yaml}`).join('---\n');

describe('shipped catalog output', () => {
  it('shipped catalog output: the gateway config lists every shipped model', async () => {
    const outputs = promiseOutputs(SHIPPED_CONFIG);
    const gateway = outputs.get('platform/litellm-gateway.yaml')!;
    for (const model of SHIPPED.models) expect(gateway).toContain(`model_name: ${model.name}`);
    await expect(all(outputs)).toMatchFileSnapshot(`${SHIPPED_SNAPSHOT_DIR}/promise-outputs.yaml`);
  });

  for (const tier of SHIPPED.tierNames) {
    for (const ui of [false, true]) {
      it(`shipped catalog output: ${tier} tier ${ui ? 'with' : 'without'} UI`, async () => {
        const { outputs, uiUrl } = resourceOutputs({
          config: SHIPPED_CONFIG,
          ui,
          webuiSecretKey: 'webui-secret-for-snapshots-0123456789abcdef',
          webuiAdminPassword: 'webui-admin-password-for-snapshots',
          teamTier: {
            tier,
            models: SHIPPED.modelNames.slice(0, 2),
            owner: 'engineering',
            requestNamespace: 'default',
            requestName: 'example',
            requestUid: 'uid-default-example',
            apiKey: KEY,
            gatewayUrl: 'http://litellm.default.svc.cluster.local:4000',
          },
        });
        expect([...outputs.keys()]).toEqual(ui ? ['workload/team-tier.yaml', 'workload/open-webui.yaml', 'backstage/component.yaml'] : ['workload/team-tier.yaml', 'backstage/component.yaml']);
        expect(uiUrl).toBe(ui ? 'http://example-openwebui.default.svc.cluster.local' : undefined);
        const validated = validateWithKubernetesModels([...outputs.values()].flatMap((y) => loadAll(y)));
        expect(validated).toContain('Secret/example-litellm-key');
        if (ui) {
          expect(validated).toEqual(
            expect.arrayContaining(['Deployment/example-openwebui', 'Service/example-openwebui', 'PersistentVolumeClaim/example-openwebui-data', 'NetworkPolicy/example-openwebui']),
          );
          const deployment = (loadAll(outputs.get('workload/open-webui.yaml')!) as any[]).find((o) => o.kind === 'Deployment');
          expect(deployment.spec.template.spec.containers[0].resources.limits.memory).toBe(SHIPPED.tier(tier).ui.memoryLimit);
        }
        await expect(all(outputs)).toMatchFileSnapshot(`${SHIPPED_SNAPSHOT_DIR}/${tierSnapshotFile(tier, ui)}`);
      });
    }
  }

  // A missing snapshot is the business of the tests above (written outside CI, which vitest does at
  // the end of the file; a failure under CI=true). This one catches files no test writes any more.
  it('shipped catalog output: no snapshot of a tier that is gone (after removing a tier, run npm run synth)', () => {
    const expected = shippedSnapshotFiles(SHIPPED);
    const present = readdirSync(new URL(`${SHIPPED_SNAPSHOT_DIR}/`, import.meta.url));
    expect(present.filter((file) => !expected.includes(file))).toEqual([]);
  });
});
