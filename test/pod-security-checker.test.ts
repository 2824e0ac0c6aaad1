import { describe, expect, it } from 'vitest';
import { atLevel, checkObject, isPinned, podTemplatesOf, projectRules, type RuleId } from './support/pod-security.js';

/** A pod that meets restricted and the project rules; each case below breaks one thing. */
function goodPod(): any {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', annotations: {} },
    spec: {
      securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [
        {
          name: 'app',
          image: 'registry.example.com/app:1.2.3',
          imagePullPolicy: 'IfNotPresent',
          ports: [{ containerPort: 8080 }],
          resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '1', memory: '128Mi' } },
          securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
        },
      ],
      volumes: [
        { name: 'config', configMap: { name: 'c' } },
        { name: 'data', persistentVolumeClaim: { claimName: 'd' } },
      ],
    },
  };
}

type Expected = [RuleId, string?];
const rules = (pod: any) => checkObject(pod).map((v) => (v.container === undefined ? [v.rule] : [v.rule, v.container]));
const app = (pod: any) => pod.spec.containers[0];

describe('pod security checker', () => {
  it('passes a pod that meets restricted and the project rules', () => {
    expect(checkObject(goodPod())).toEqual([]);
  });

  it.each<[string, (pod: any) => void, Expected[]]>([
    // baseline
    ['a HostProcess pod', (p) => (p.spec.securityContext.windowsOptions = { hostProcess: true }), [['hostProcess']]],
    ['a HostProcess container', (p) => (app(p).securityContext.windowsOptions = { hostProcess: true }), [['hostProcess', 'app']]],
    ['hostNetwork', (p) => (p.spec.hostNetwork = true), [['hostNamespaces']]],
    ['hostPID', (p) => (p.spec.hostPID = true), [['hostNamespaces']]],
    ['hostIPC', (p) => (p.spec.hostIPC = true), [['hostNamespaces']]],
    ['a privileged container', (p) => (app(p).securityContext.privileged = true), [['privileged', 'app']]],
    ['an added SYS_ADMIN', (p) => (app(p).securityContext.capabilities.add = ['SYS_ADMIN']), [['capabilities_baseline', 'app'], ['capabilities_restricted', 'app']]],
    ['a hostPath volume', (p) => p.spec.volumes.push({ name: 'h', hostPath: { path: '/' } }), [['hostPathVolumes'], ['restrictedVolumes']]],
    ['a hostPort', (p) => (app(p).ports[0].hostPort = 80), [['hostPorts', 'app']]],
    ['a probe aimed at a host', (p) => (app(p).livenessProbe = { httpGet: { path: '/', port: 8080, host: '10.0.0.1' } }), [['hostProbesAndLifecycleHooks', 'app']]],
    ['a preStop hook aimed at a host', (p) => (app(p).lifecycle = { preStop: { tcpSocket: { port: 1, host: 'node' } } }), [['hostProbesAndLifecycleHooks', 'app']]],
    ['an Unconfined AppArmor profile', (p) => (app(p).securityContext.appArmorProfile = { type: 'Unconfined' }), [['appArmorProfile', 'app']]],
    ['an unconfined AppArmor annotation', (p) => (p.metadata.annotations['container.apparmor.security.beta.kubernetes.io/app'] = 'unconfined'), [['appArmorProfile']]],
    ['a custom SELinux type', (p) => (p.spec.securityContext.seLinuxOptions = { type: 'spc_t' }), [['seLinuxOptions']]],
    ['a custom SELinux user', (p) => (app(p).securityContext.seLinuxOptions = { user: 'system_u' }), [['seLinuxOptions', 'app']]],
    ['an Unmasked procMount', (p) => (app(p).securityContext.procMount = 'Unmasked'), [['procMount', 'app']]],
    [
      'an Unconfined seccomp profile on the pod',
      (p) => (p.spec.securityContext.seccompProfile = { type: 'Unconfined' }),
      [['seccompProfile_baseline'], ['seccompProfile_restricted'], ['seccompProfile_restricted', 'app']],
    ],
    ['an unsafe sysctl', (p) => (p.spec.securityContext.sysctls = [{ name: 'kernel.msgmax', value: '1' }]), [['sysctls']]],
    // restricted
    ['an nfs volume', (p) => p.spec.volumes.push({ name: 'n', nfs: { server: 's', path: '/' } }), [['restrictedVolumes']]],
    ['allowPrivilegeEscalation left unset', (p) => delete app(p).securityContext.allowPrivilegeEscalation, [['allowPrivilegeEscalation', 'app']]],
    ['allowPrivilegeEscalation true', (p) => (app(p).securityContext.allowPrivilegeEscalation = true), [['allowPrivilegeEscalation', 'app']]],
    ['runAsNonRoot unset everywhere', (p) => delete p.spec.securityContext.runAsNonRoot, [['runAsNonRoot', 'app']]],
    [
      'runAsNonRoot false on the pod',
      (p) => (p.spec.securityContext.runAsNonRoot = false),
      [['runAsNonRoot'], ['runAsNonRoot', 'app']],
    ],
    ['runAsNonRoot false on a container', (p) => (app(p).securityContext.runAsNonRoot = false), [['runAsNonRoot', 'app']]],
    ['runAsUser 0 on the pod', (p) => (p.spec.securityContext.runAsUser = 0), [['runAsUser']]],
    ['runAsUser 0 on a container', (p) => (app(p).securityContext.runAsUser = 0), [['runAsUser', 'app']]],
    ['no seccomp profile anywhere', (p) => delete p.spec.securityContext.seccompProfile, [['seccompProfile_restricted', 'app']]],
    ['capabilities not dropped', (p) => (app(p).securityContext.capabilities = {}), [['capabilities_restricted', 'app']]],
    ['an added CHOWN (baseline, not restricted)', (p) => (app(p).securityContext.capabilities.add = ['CHOWN']), [['capabilities_restricted', 'app']]],
    // project
    ['no memory limit', (p) => delete app(p).resources.limits.memory, [['resources', 'app']]],
    ['no resources', (p) => delete app(p).resources, [['resources', 'app']]],
    ['imagePullPolicy Always', (p) => (app(p).imagePullPolicy = 'Always'), [['imagePullPolicy', 'app']]],
    ['an untagged image', (p) => (app(p).image = 'registry.example.com:5000/app'), [['imagePinned', 'app']]],
    ['a latest image', (p) => (app(p).image = 'app:latest'), [['imagePinned', 'app']]],
  ])('catches %s', (_what, mutate, expected) => {
    const pod = goodPod();
    mutate(pod);
    expect(rules(pod)).toEqual(expected);
  });

  it('checks init and ephemeral containers too, naming each', () => {
    const pod = goodPod();
    pod.spec.initContainers = [{ ...structuredClone(app(pod)), name: 'init', securityContext: { runAsUser: 0, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }];
    pod.spec.ephemeralContainers = [{ name: 'debug', image: 'busybox:1.36', securityContext: { privileged: true } }];
    expect(rules(pod)).toEqual([
      ['privileged', 'debug'],
      ['allowPrivilegeEscalation', 'debug'],
      ['capabilities_restricted', 'debug'],
      ['runAsUser', 'init'],
    ]);
  });

  it('accepts the settings restricted allows: per-container non-root and seccomp, NET_BIND_SERVICE, Localhost', () => {
    const pod = goodPod();
    pod.spec.securityContext = {};
    Object.assign(app(pod).securityContext, {
      runAsNonRoot: true,
      seccompProfile: { type: 'Localhost', localhostProfile: 'p.json' },
      capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] },
      appArmorProfile: { type: 'RuntimeDefault' },
      seLinuxOptions: { type: 'container_t', level: 's0:c1,c2' },
      procMount: 'Default',
    });
    pod.spec.securityContext.sysctls = [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }];
    pod.spec.volumes.push({ name: 'tmp', emptyDir: {} }, { name: 'token', projected: { sources: [] } });
    expect(checkObject(pod)).toEqual([]);
  });

  it('skips the Linux-only controls for a Windows pod, as admission does', () => {
    const pod = goodPod();
    pod.spec.os = { name: 'windows' };
    pod.spec.securityContext = { runAsNonRoot: true };
    app(pod).securityContext = {};
    expect(checkObject(pod)).toEqual([]);
  });

  it('separates the levels: baseline, restricted (which includes baseline) and the project rules', () => {
    const pod = goodPod();
    pod.spec.hostNetwork = true;
    pod.spec.securityContext.runAsUser = 0;
    app(pod).imagePullPolicy = 'Always';
    const all = checkObject(pod);
    expect(atLevel(all, 'baseline').map((v) => v.rule)).toEqual(['hostNamespaces']);
    expect(atLevel(all, 'restricted').map((v) => v.rule)).toEqual(['hostNamespaces', 'runAsUser']);
    expect(projectRules(all).map((v) => v.rule)).toEqual(['imagePullPolicy']);
    expect(all[0]).toEqual({ object: 'Pod/p', rule: 'hostNamespaces', profile: 'baseline', message: 'pod sets hostNetwork=true' });
  });

  it('finds the pods of workloads and of Kratix pipelines, and none elsewhere', () => {
    const { spec } = goodPod();
    const template = { metadata: { labels: { a: 'b' } }, spec };
    expect(podTemplatesOf({ kind: 'Deployment', metadata: { name: 'd' }, spec: { template } }).map((t) => t.object)).toEqual(['Deployment/d']);
    expect(podTemplatesOf({ kind: 'Job', metadata: { name: 'j' }, spec: { template } })).toHaveLength(1);
    expect(podTemplatesOf({ kind: 'CronJob', metadata: { name: 'c' }, spec: { jobTemplate: { spec: { template } } } })).toHaveLength(1);
    const pipeline = (name: string) => ({ apiVersion: 'platform.kratix.io/v1alpha1', kind: 'Pipeline', metadata: { name }, spec: { containers: spec.containers } });
    const promise = {
      apiVersion: 'platform.kratix.io/v1alpha1',
      kind: 'Promise',
      metadata: { name: 'ai' },
      spec: { workflows: { promise: { configure: [pipeline('a')] }, resource: { configure: [pipeline('b')], delete: [pipeline('c')] } } },
    };
    expect(podTemplatesOf(promise).map((t) => t.object)).toEqual([
      'Promise/ai promise.configure Pipeline/a',
      'Promise/ai resource.configure Pipeline/b',
      'Promise/ai resource.delete Pipeline/c',
    ]);
    expect(podTemplatesOf({ kind: 'Service', metadata: { name: 's' }, spec: {} })).toEqual([]);
    expect(podTemplatesOf({ apiVersion: 'example.com/v1', kind: 'Promise', metadata: { name: 'x' }, spec: { workflows: {} } })).toEqual([]);
  });

  it.each<[string, boolean]>([
    ['ghcr.io/berriai/litellm-non_root:main-v1.80.12', true],
    [`ghcr.io/x/y@sha256:${'a'.repeat(64)}`, true],
    ['localhost:5000/app:1.0', true],
    ['localhost:5000/app', false],
    ['app', false],
    ['app:latest', false],
    ['app:', false],
  ])('pins %s: %s', (image, pinned) => {
    expect(isPinned(image)).toBe(pinned);
  });
});
