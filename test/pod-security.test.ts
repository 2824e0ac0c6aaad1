import { loadAll } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { type AiPromiseConfig, LITELLM_IMAGE, migrationJobName, resolvePromiseConfig } from '../constructs/index.js';
import { renderArtifacts } from '../main.js';
import { promiseOutputs, resourceOutputs } from '../pipeline/synth.js';
import { atLevel, checkObject, isWorkloadKind, podTemplatesOf, projectRules, type Violation } from './support/pod-security.js';
import { TEST_CATALOG, TEST_CONFIG } from './support/test-catalog.js';

/**
 * Everything this project emits, checked against the Pod Security Standards: every workload must
 * meet "restricted" and the project rules (resources, pull policy, pinned images), except the one
 * exception pinned below. A new workload, or a new violation, fails here.
 */

interface Source {
  readonly name: string;
  readonly objects: any[];
}

const parse = (yaml: string): any[] => (loadAll(yaml) as any[]).filter((o) => o !== null && o !== undefined);
const fromOutputs = (name: string, outputs: Map<string, string>): Source => ({ name, objects: [...outputs.values()].flatMap(parse) });

function resource(config: AiPromiseConfig, tier: string, ui: boolean): Source {
  const { outputs } = resourceOutputs({
    config,
    ui,
    webuiSecretKey: 'webui-secret-for-pod-security-0123456789abcdef',
    webuiAdminPassword: 'webui-admin-password-for-pod-security',
    teamTier: {
      tier,
      models: ['gpt-5'],
      owner: 'engineering',
      requestNamespace: 'team-a',
      requestName: 'example',
      requestUid: 'uid-team-a-example',
      apiKey: 'sk-pod-security-key-0123456789abcdefghijklmnop',
      gatewayUrl: 'http://litellm.default.svc.cluster.local:4000',
    },
  });
  return fromOutputs(`resource outputs, ${tier} tier ${ui ? 'with' : 'without'} UI`, outputs);
}

const defaultConfig = TEST_CONFIG;
const SOURCES: readonly Source[] = [
  fromOutputs('promise outputs, default config', promiseOutputs(defaultConfig)),
  fromOutputs('promise outputs, useCredentialsSecretConfig', promiseOutputs(resolvePromiseConfig({ catalog: TEST_CATALOG.props, gateway: { useCredentialsSecretConfig: true } }))),
  fromOutputs('promise outputs, three replicas with metrics', promiseOutputs(resolvePromiseConfig({ catalog: TEST_CATALOG.props, gateway: { replicas: 3 }, metrics: { enabled: true } }))),
  ...TEST_CATALOG.tierNames.flatMap((tier) => [resource(defaultConfig, tier, false), resource(defaultConfig, tier, true)]),
  // promise.yaml carries the pipelines; resource-request.yaml is the example request.
  ...[...renderArtifacts()].filter(([path]) => path.endsWith('.yaml')).map(([path, yaml]) => ({ name: path, objects: parse(yaml) })),
];

/** Kinds that run no pods (Component and Template are Backstage entities). A new kind must be sorted into this list or be a known workload kind. */
const NOT_WORKLOADS = new Set(['ConfigMap', 'Secret', 'Service', 'PersistentVolumeClaim', 'NetworkPolicy', 'PodDisruptionBudget', 'ServiceMonitor', 'postgresql', 'redis', 'ai', 'Component', 'Template']);

/** Open WebUI's image runs as root (non-root is untested upstream and breaks it): see OpenWebUIApp. */
const OPEN_WEBUI = 'Deployment/example-openwebui';
/** The containers that run that image: the app, and the init container that seeds its volume if present. */
const OPEN_WEBUI_CONTAINERS = ['copy-app-data', 'open-webui'];

interface Checked {
  readonly source: string;
  readonly violations: Violation[];
}

const checked: Checked[] = SOURCES.flatMap((s) => s.objects.filter(isWorkloadKind).map((o) => ({ source: s.name, violations: checkObject(o) })));
const all = checked.flatMap((c) => c.violations.map((v) => ({ source: c.source, ...v })));
const isOpenWebUIException = (v: Violation) =>
  v.object === OPEN_WEBUI && (v.rule === 'runAsNonRoot' || v.rule === 'runAsUser') && (v.container === undefined || OPEN_WEBUI_CONTAINERS.includes(v.container));

describe('Pod Security', () => {
  it('sees every kind of object the project emits, and every workload', () => {
    const unsorted = SOURCES.flatMap((s) => s.objects).filter((o) => !isWorkloadKind(o) && !NOT_WORKLOADS.has(o.kind));
    expect(unsorted.map((o) => `${o.apiVersion} ${o.kind}/${o.metadata?.name}`)).toEqual([]);
    const workloads = new Set(SOURCES.flatMap((s) => s.objects.flatMap(podTemplatesOf).map((t) => t.object)));
    expect([...workloads]).toEqual(
      expect.arrayContaining([
        'Deployment/litellm',
        `Job/${migrationJobName('litellm', LITELLM_IMAGE)}`,
        OPEN_WEBUI,
        'Promise/ai promise.configure Pipeline/gateway',
        'Promise/ai resource.configure Pipeline/provision',
        'Promise/ai resource.delete Pipeline/deprovision',
      ]),
    );
  });

  it('every workload but Open WebUI meets "restricted", and Open WebUI fails only on running as root', () => {
    expect(atLevel(all, 'restricted').filter((v) => !isOpenWebUIException(v))).toEqual([]);
  });

  it('every workload, Open WebUI included, meets "baseline"', () => {
    expect(atLevel(all, 'baseline')).toEqual([]);
  });

  it('every container has cpu and memory requests and limits, a pinned image and no Always pull policy', () => {
    expect(projectRules(all)).toEqual([]);
  });

  it("pins Open WebUI's exception: runAsNonRoot and runAsUser, on the pod and on the containers running its image, nothing else", () => {
    const ui = SOURCES.filter((s) => s.name.endsWith('with UI'));
    expect(ui).toHaveLength(TEST_CATALOG.tierNames.length);
    for (const source of ui) {
      const deployment = source.objects.find((o) => `${o.kind}/${o.metadata.name}` === OPEN_WEBUI);
      const pod = deployment.spec.template.spec;
      const containers = [...(pod.initContainers ?? []), ...pod.containers];
      // The exception covers exactly the containers that run the Open WebUI image, and the app is one.
      expect(containers.map((c: any) => c.name).sort()).toEqual(expect.arrayContaining(['open-webui']));
      for (const c of containers) {
        expect(OPEN_WEBUI_CONTAINERS, `container ${c.name}`).toContain(c.name);
        expect(c.image).toBe(defaultConfig.openWebUIImage);
      }
      const violations = atLevel(checkObject(deployment), 'restricted').map((v) => `${v.rule} ${v.container ?? '(pod)'}`);
      expect(violations.sort()).toEqual(
        [
          'runAsNonRoot (pod)',
          'runAsUser (pod)',
          ...containers.flatMap((c: any) => [`runAsNonRoot ${c.name}`, `runAsUser ${c.name}`]),
        ].sort(),
      );
    }
  });

  it('the pipeline containers meet "restricted" on their own, with no pod-level settings to lean on', () => {
    // Kratix builds the pipeline pod; only the container's own securityContext is ours to set.
    const promise = SOURCES.find((s) => s.name === 'promise.yaml')!.objects.find((o) => o.kind === 'Promise');
    const pipelines = podTemplatesOf(promise);
    expect(pipelines).toHaveLength(3);
    for (const pipeline of pipelines) {
      expect(pipeline.spec.securityContext).toBeUndefined();
      expect(checkObject({ kind: 'Pod', metadata: { name: pipeline.object }, spec: pipeline.spec })).toEqual([]);
    }
  });
});
