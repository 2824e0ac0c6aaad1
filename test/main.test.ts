import { readFileSync } from 'node:fs';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { renderArtifacts, VERSION } from '../main.js';
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
