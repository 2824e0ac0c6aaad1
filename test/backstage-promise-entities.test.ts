import { Testing } from 'cdk8s';
import { dump, load, loadAll } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { AiPromise, BackstagePromiseEntities, Catalog, MAX_REQUEST_NAME_IN_FORM, type StructuralSchema, resolvePromiseConfig } from '../constructs/index.js';
import { renderArtifacts, PROMISE_PROPS } from '../main.js';
import { MAX_REQUEST_NAME } from '../pipeline/request.js';
import { promiseOutputs } from '../pipeline/synth.js';
import { entityErrors } from './support/backstage-rules.js';
import { admit } from './support/structural-schema.js';
import { TEST_CATALOG, TEST_TIERS, TEST_MODELS } from './support/test-catalog.js';

const XLARGE = { ...TEST_TIERS[2]!, name: 'test-tier-xl', rpmLimit: 6000, tpmLimit: 3_000_000, maxBudgetUsd: 5000, description: 'Batch jobs' };

function entities(catalog = TEST_CATALOG, owner = 'kratix-platform') {
  const chart = Testing.chart();
  const construct = new BackstagePromiseEntities(chart, 'backstage', { catalog, owner, applyAction: 'kube:apply' });
  const objects = Testing.synth(chart);
  return { chart, construct, objects, component: objects[0]!, template: objects[1]! };
}

/** The CRD the promise generates from the same catalog: the form must agree with it. */
function crdSchema(catalog = TEST_CATALOG): StructuralSchema {
  const chart = Testing.chart();
  new AiPromise(chart, 'ai', { pipelineImage: 'ghcr.io/example/pipeline:v1', config: { catalog: catalog.props } });
  return Testing.synth(chart)[0].spec.api.spec.versions[0].schema.openAPIV3Schema;
}

/** Every form field by name, across the pages. */
function fields(template: any): Record<string, any> {
  return Object.assign({}, ...template.spec.parameters.map((page: any) => page.properties));
}

/** The one nunjucks form the manifest uses, `${{ parameters.<name> | dump }}`, rendered as the scaffolder would (JSON). */
function renderManifest(manifest: string, parameters: Record<string, unknown>): unknown {
  const rendered = manifest.replace(/\$\{\{ parameters\.([a-zA-Z]+) \| dump \}\}/g, (_, name: string) => JSON.stringify(parameters[name]) ?? '');
  expect(rendered).not.toContain('${{');
  return load(rendered);
}

/** What the form submits when the user fills in only what is required. */
function submitted(template: any, chosen: Record<string, unknown>): Record<string, unknown> {
  const defaults = Object.fromEntries(Object.entries(fields(template)).filter(([, f]) => f.default !== undefined).map(([k, f]) => [k, f.default]));
  return { ...defaults, ...chosen };
}

describe('BackstagePromiseEntities', () => {
  it('are a promise Component and a scaffolder Template that Backstage accepts', async () => {
    // GIVEN the default catalog
    const { objects, component, template } = entities();
    // THEN both entities keep Backstage's rules
    expect(objects.map((o) => `${o.apiVersion} ${o.kind} ${o.metadata.name}`)).toEqual([
      'backstage.io/v1alpha1 Component ai',
      'scaffolder.backstage.io/v1beta3 Template ai-request',
    ]);
    for (const o of objects) expect(entityErrors(o), o.kind).toEqual([]);
    expect(component.spec).toEqual({ type: 'promise', lifecycle: 'production', owner: 'kratix-platform' });
    expect(template.spec.steps).toEqual([{ id: 'request', name: 'Request AI gateway access', action: 'kube:apply', input: { namespaced: true, manifest: expect.any(String) } }]);
    await expect(dump(objects, { noRefs: true, lineWidth: -1 })).toMatchFileSnapshot('__snapshots__/backstage-promise-entities.yaml');
  });

  it("offer exactly the CRD's tiers, models, defaults and limits", () => {
    // GIVEN the Template and the CRD generated from the same catalog
    const { template } = entities();
    const spec = crdSchema().properties!.spec!;
    const form = fields(template);
    const crd = spec.properties!;
    // THEN the enums, defaults and bounds are the CRD's
    expect(form.tier.enum).toEqual(crd.tier!.enum);
    expect(form.tier.default).toEqual(crd.tier!.default);
    expect(form.models.items.enum).toEqual(crd.models!.items!.enum);
    expect([form.models.minItems, form.models.maxItems]).toEqual([crd.models!.minItems, crd.models!.maxItems]);
    expect(form.ui.default).toEqual(crd.ui!.default);
    expect([form.team.pattern, form.team.minLength, form.team.maxLength]).toEqual([crd.team!.pattern, crd.team!.minLength, crd.team!.maxLength]);
    for (const field of ['period', 'grace', 'trigger'] as const) {
      const { title, ...rest } = form.rotation.properties[field];
      expect(title).toBeTypeOf('string');
      expect(rest).toEqual(crd.rotation!.properties![field]);
    }
    // AND the form asks for every field of the CRD but the platform's placement, and nothing else but the request's identity
    expect(Object.keys(form).sort()).toEqual([...Object.keys(crd).filter((k) => k !== 'destinationSelector'), 'name', 'namespace'].sort());
    const required = template.spec.parameters.flatMap((page: any) => page.required ?? []);
    expect(required).toEqual(expect.arrayContaining([...spec.required!, 'name', 'namespace']));
    // AND the request name has the pipeline's limit
    expect(MAX_REQUEST_NAME_IN_FORM).toBe(MAX_REQUEST_NAME);
    expect(form.name.maxLength).toBe(MAX_REQUEST_NAME);
  });

  it('label each tier and model with its description and limits', () => {
    const form = fields(entities().template);
    expect(form.tier.enumNames).toEqual([
      'small: Experiments and personal use (60 rpm, 30,000 tpm, $10 per 1d)',
      'medium: A team building on the models (240 rpm, 120,000 tpm, $100 per 1d)',
      'large: Production traffic (1,200 rpm, 600,000 tpm, $1,000 per 1d)',
    ]);
    expect(form.models.items.enumNames).toEqual(['gpt-5: OpenAI GPT-5', 'gemini-2.5-pro: Google Gemini 2.5 Pro', 'claude-opus-4: Anthropic Claude Opus 4']);
  });

  it('apply a request the CRD admits, from the defaults or from every choice', () => {
    // GIVEN the Template's manifest
    const { construct, template } = entities();
    const schema = crdSchema();
    // WHEN a user fills in only the required fields, or every field
    const minimal = renderManifest(construct.manifest, submitted(template, { name: 'chat', namespace: 'team-a', team: 'data', models: ['gpt-5'] }));
    const full = renderManifest(
      construct.manifest,
      submitted(template, { name: 'chat', namespace: 'team-a', team: 'data', tier: 'large', models: ['gpt-5', 'claude-opus-4'], ui: true, rotation: { period: '7d', grace: '1d', trigger: 2 } }),
    );
    // THEN both are `kind: ai` requests the CRD admits, with the form's values
    for (const request of [minimal, full]) {
      expect(request).toMatchObject({ apiVersion: 'marketplace.kratix.io/v1alpha1', kind: 'ai', metadata: { name: 'chat', namespace: 'team-a' } });
      expect(admit(schema, request).errors).toEqual([]);
    }
    expect((minimal as any).spec).toEqual({ team: 'data', tier: 'small', models: ['gpt-5'], ui: false, rotation: {} });
    expect((full as any).spec).toEqual({ team: 'data', tier: 'large', models: ['gpt-5', 'claude-opus-4'], ui: true, rotation: { period: '7d', grace: '1d', trigger: 2 } });
  });

  it('keep a hostile form value one string: it cannot add fields or documents', () => {
    const { construct } = entities();
    const request = renderManifest(construct.manifest, { name: 'x\nkind: Secret\n---\nfoo: bar', namespace: 'n', team: 't', tier: 'small', models: ['gpt-5'], ui: false, rotation: {} }) as any;
    expect(request.kind).toBe('ai');
    expect(request.metadata.name).toBe('x\nkind: Secret\n---\nfoo: bar');
    expect(loadAll(construct.manifest)).toHaveLength(1);
  });

  it('follow the catalog: a registered tier is in the form of the same synth', () => {
    // GIVEN a platform that adds a test-tier-xl tier
    const catalog = new Catalog({ tiers: [...TEST_TIERS, XLARGE], models: TEST_MODELS });
    // WHEN npm run synth renders the artifacts
    const artifacts = renderArtifacts({ ...PROMISE_PROPS, config: { catalog: catalog.props } });
    const [, template] = loadAll(artifacts.get('docs/backstage-entities.yaml')!) as any[];
    // THEN the Template offers it, with its limits, and still agrees with the CRD
    const form = fields(template);
    expect(form.tier.enum).toEqual(['small', 'medium', 'large', 'test-tier-xl']);
    expect(form.tier.enumNames[3]).toBe('test-tier-xl: Batch jobs (6,000 rpm, 3,000,000 tpm, $5,000 per 1d)');
    const promise = load(artifacts.get('promise.yaml')!) as any;
    expect(form.tier.enum).toEqual(promise.spec.api.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.tier.enum);
    // AND the artifact is exactly what the promise configure pipeline writes for Backstage
    const outputs = promiseOutputs(resolvePromiseConfig({ catalog: catalog.props }));
    expect(artifacts.get('docs/backstage-entities.yaml')!.endsWith(outputs.get('backstage/ai-promise.yaml')!)).toBe(true);
  });

  it('rejects an owner that is not an entity reference', () => {
    expect(() => entities(TEST_CATALOG, 'Platform Team')).toThrow("backstage owner 'Platform Team' is not a Backstage entity reference");
  });
});
