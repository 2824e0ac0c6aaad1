import { readFileSync } from 'node:fs';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { type PROMISE_PROPS, renderArtifacts, runSynth, VERSION } from '../main.js';
import { EXTRA_TIER, TEST_MODELS } from './support/test-catalog.js';
import { validateWithKubernetesModels } from './support/manifests.js';
import { admit } from './support/structural-schema.js';

const root = new URL('../', import.meta.url);

describe('generated artifacts', () => {
  const artifacts = renderArtifacts();

  it.each([...artifacts.keys()])('%s matches a fresh synth (run `npm run synth` and commit)', (path) => {
    expect(readFileSync(new URL(path, root), 'utf8')).toBe(artifacts.get(path));
  });

  it('promise.yaml validates its CRD and the example request against it', () => {
    const promise = load(artifacts.get('promise.yaml')!) as any;
    expect(validateWithKubernetesModels([promise.spec.api])).toEqual(['CustomResourceDefinition/ai.marketplace.kratix.io']);
    const request = load(artifacts.get('resource-request.yaml')!);
    expect(admit(promise.spec.api.spec.versions[0].schema.openAPIV3Schema, request).errors).toEqual([]);
  });

  it('labels the promise with the package version', () => {
    const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));
    expect(VERSION).toBe(pkg.version);
    expect((load(artifacts.get('promise.yaml')!) as any).metadata.labels['kratix.io/promise-version']).toBe(`v${pkg.version}`);
  });
});

describe('npm run synth', () => {
  it('reports an invalid catalog entry as one line naming the field and value, with exit code 1 and no stack', () => {
    // GIVEN a catalog with a tier whose budget period LiteLLM would not understand
    const props: typeof PROMISE_PROPS = {
      pipelineImage: 'ghcr.io/example/pipeline:v1',
      config: { catalog: { tiers: [{ ...EXTRA_TIER, budgetDuration: '1 week' }], models: TEST_MODELS } },
    };
    // WHEN synth runs
    const lines: string[] = [];
    const code = runSynth(() => renderArtifacts(props), (line) => lines.push(line));
    // THEN the engineer reads one actionable line
    expect(code).toBe(1);
    expect(lines).toEqual([`error: tier '${EXTRA_TIER.name}' budgetDuration '1 week' is not a LiteLLM duration such as 30s, 30m, 12h, 1d, 30d or 1mo`]);
  });

  it('writes nothing to stderr and returns 0 for the shipped promise', () => {
    const lines: string[] = [];
    expect(runSynth(() => renderArtifacts(), (line) => lines.push(line))).toBe(0);
    expect(lines).toEqual([]);
  });
});
