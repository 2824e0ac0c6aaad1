import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { CONFIG_ENV, DEFAULT_MODELS, DEFAULT_TIERS, PIPELINE_IMAGE } from 'kratix-ai-promise';
import { promiseChart, renderPromise } from '../promise.js';

const files = renderPromise();
const [promise] = promiseChart().toJson();

describe('our promise', () => {
  for (const [path, content] of files) {
    it(`${path} matches the committed snapshot (run npm run synth and review the diff)`, () => {
      assert.equal(readFileSync(new URL(`../${path}`, import.meta.url), 'utf8'), content);
    });
  }

  it("offers our tier and model next to the package's own", () => {
    const spec = promise.spec.api.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties;
    assert.deepEqual(spec.tier.enum, [...DEFAULT_TIERS.map((t) => t.name), 'acme-xlarge']);
    assert.deepEqual(spec.models.items.enum, [...DEFAULT_MODELS.map((m) => m.name), 'acme-llama3.2']);
  });

  it('runs the published pipeline image, which gets our catalog from promise.yaml', () => {
    for (const pipeline of promise.spec.workflows.resource.configure) {
      const [container] = pipeline.spec.containers;
      assert.equal(container.image, PIPELINE_IMAGE);
      const config = JSON.parse(container.env.find((e) => e.name === CONFIG_ENV).value);
      assert.deepEqual(config.catalog.tiers.at(-1), { name: 'acme-xlarge', rpmLimit: 6000, tpmLimit: 3000000, maxBudgetUsd: 5000, budgetDuration: '30d', ui: { cpuRequest: '2', cpuLimit: '8', memoryRequest: '4Gi', memoryLimit: '8Gi', storage: '100Gi' }, rotation: { period: '7d', grace: '1d' }, description: 'Org-wide production traffic (ours)' });
      assert.equal(config.catalog.models.at(-1).name, 'acme-llama3.2');
    }
  });
});
