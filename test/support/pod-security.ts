/**
 * A pure checker for the Kubernetes Pod Security Standards (kubernetes.io/docs/concepts/security/
 * pod-security-standards, as the PodSecurity admission controller applies them), plus this
 * project's own rules for every container: cpu and memory requests and limits, no `Always` pull
 * policy, pinned images.
 *
 * It reads manifests as plain objects and never calls a cluster, so tests can run it over
 * everything the promise emits. Rule ids follow the admission controller's check ids where it has
 * one, so a violation here reads like the warning `kubectl apply` would print.
 */

/** `baseline` and `restricted` are the published profiles; `project` is this repository's own rules. */
export type Profile = 'baseline' | 'restricted' | 'project';

export type RuleId =
  // baseline
  | 'hostProcess'
  | 'hostNamespaces'
  | 'privileged'
  | 'capabilities_baseline'
  | 'hostPathVolumes'
  | 'hostPorts'
  | 'hostProbesAndLifecycleHooks'
  | 'appArmorProfile'
  | 'seLinuxOptions'
  | 'procMount'
  | 'seccompProfile_baseline'
  | 'sysctls'
  // restricted
  | 'restrictedVolumes'
  | 'allowPrivilegeEscalation'
  | 'runAsNonRoot'
  | 'runAsUser'
  | 'seccompProfile_restricted'
  | 'capabilities_restricted'
  // project
  | 'resources'
  | 'imagePullPolicy'
  | 'imagePinned';

export const RULE_PROFILE: Readonly<Record<RuleId, Profile>> = {
  hostProcess: 'baseline',
  hostNamespaces: 'baseline',
  privileged: 'baseline',
  capabilities_baseline: 'baseline',
  hostPathVolumes: 'baseline',
  hostPorts: 'baseline',
  hostProbesAndLifecycleHooks: 'baseline',
  appArmorProfile: 'baseline',
  seLinuxOptions: 'baseline',
  procMount: 'baseline',
  seccompProfile_baseline: 'baseline',
  sysctls: 'baseline',
  restrictedVolumes: 'restricted',
  allowPrivilegeEscalation: 'restricted',
  runAsNonRoot: 'restricted',
  runAsUser: 'restricted',
  seccompProfile_restricted: 'restricted',
  capabilities_restricted: 'restricted',
  resources: 'project',
  imagePullPolicy: 'project',
  imagePinned: 'project',
};

export interface Violation {
  /** `Kind/name`, or for a Kratix pipeline `Promise/<name> <type>.<action> Pipeline/<name>`. */
  readonly object: string;
  /** The container at fault; absent when a pod-level field is. */
  readonly container?: string;
  readonly rule: RuleId;
  readonly profile: Profile;
  readonly message: string;
}

/** A pod spec with the metadata that carries pod-level annotations, and where it was found. */
export interface PodTemplate {
  readonly object: string;
  readonly annotations: Readonly<Record<string, string>>;
  readonly spec: any;
}

/** Capabilities baseline allows adding (the container runtimes' default set). */
const BASELINE_CAPABILITIES = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);
/** Namespaced sysctls baseline allows (the 1.27 and 1.29 additions included). */
const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
]);
const SELINUX_TYPES = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']);
/** Volume sources restricted allows: core ephemeral types and those backed by PersistentVolumes. */
const RESTRICTED_VOLUME_TYPES = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);
const GOOD_SECCOMP = new Set(['RuntimeDefault', 'Localhost']);
const APPARMOR_ANNOTATION = 'container.apparmor.security.beta.kubernetes.io/';
const TEMPLATE_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Job']);

/** Whether `kind` runs pods this checker knows how to find. */
export function isWorkloadKind(object: any): boolean {
  return object?.kind === 'Pod' || TEMPLATE_KINDS.has(object?.kind) || object?.kind === 'CronJob' || isKratix(object, 'Promise') || isKratix(object, 'Pipeline');
}

function isKratix(object: any, kind: string): boolean {
  return object?.kind === kind && String(object?.apiVersion).startsWith('platform.kratix.io/');
}

/** Every pod spec an object runs; an empty list for objects that run none. */
export function podTemplatesOf(object: any): PodTemplate[] {
  const id = `${object?.kind}/${object?.metadata?.name}`;
  const template = (t: any, where = id): PodTemplate[] => (t?.spec ? [{ object: where, annotations: t.metadata?.annotations ?? {}, spec: t.spec }] : []);
  if (object?.kind === 'Pod') return template(object);
  if (TEMPLATE_KINDS.has(object?.kind)) return template(object.spec?.template);
  if (object?.kind === 'CronJob') return template(object.spec?.jobTemplate?.spec?.template);
  // Kratix runs each Pipeline's containers in a Job's pod; the Pipeline has no pod-level settings.
  if (isKratix(object, 'Pipeline')) return template({ spec: object.spec });
  if (isKratix(object, 'Promise')) {
    const out: PodTemplate[] = [];
    for (const [type, actions] of Object.entries<any>(object.spec?.workflows ?? {})) {
      for (const [action, pipelines] of Object.entries<any>(actions ?? {})) {
        for (const pipeline of pipelines ?? []) {
          out.push(...template({ spec: pipeline.spec }, `${id} ${type}.${action} Pipeline/${pipeline.metadata?.name}`));
        }
      }
    }
    return out;
  }
  return [];
}

/** All violations of one object's pods, of every profile; filter with `atLevel`. */
export function checkObject(object: any): Violation[] {
  return podTemplatesOf(object).flatMap(checkPod);
}

/** The violations that fail `level`: baseline's for baseline, baseline's and restricted's for restricted. */
export function atLevel(violations: readonly Violation[], level: 'baseline' | 'restricted'): Violation[] {
  return violations.filter((v) => v.profile === 'baseline' || (level === 'restricted' && v.profile === 'restricted'));
}

/** Only this project's own rules. */
export function projectRules(violations: readonly Violation[]): Violation[] {
  return violations.filter((v) => v.profile === 'project');
}

interface Container {
  readonly name: string;
  readonly sc: any;
  readonly c: any;
  readonly ephemeral: boolean;
}

/** All violations of one pod spec. */
export function checkPod(pod: PodTemplate): Violation[] {
  const out: Violation[] = [];
  const spec = pod.spec ?? {};
  const psc = spec.securityContext ?? {};
  const add = (rule: RuleId, message: string, container?: string): void => {
    out.push({ object: pod.object, ...(container !== undefined ? { container } : {}), rule, profile: RULE_PROFILE[rule], message });
  };
  const containers: Container[] = [
    ...(spec.initContainers ?? []).map((c: any) => ({ name: c.name, sc: c.securityContext ?? {}, c, ephemeral: false })),
    ...(spec.containers ?? []).map((c: any) => ({ name: c.name, sc: c.securityContext ?? {}, c, ephemeral: false })),
    ...(spec.ephemeralContainers ?? []).map((c: any) => ({ name: c.name, sc: c.securityContext ?? {}, c, ephemeral: true })),
  ];
  const isWindows = spec.os?.name === 'windows';

  // ---- baseline ----
  if (psc.windowsOptions?.hostProcess === true) add('hostProcess', 'pod sets securityContext.windowsOptions.hostProcess=true');
  for (const c of containers) {
    if (c.sc.windowsOptions?.hostProcess === true) add('hostProcess', `container "${c.name}" sets windowsOptions.hostProcess=true`, c.name);
  }
  for (const field of ['hostNetwork', 'hostPID', 'hostIPC']) {
    if (spec[field] === true) add('hostNamespaces', `pod sets ${field}=true`);
  }
  for (const c of containers) {
    if (c.sc.privileged === true) add('privileged', `container "${c.name}" sets securityContext.privileged=true`, c.name);
    const added: string[] = c.sc.capabilities?.add ?? [];
    const notBaseline = added.filter((cap) => !BASELINE_CAPABILITIES.has(cap));
    if (notBaseline.length > 0) add('capabilities_baseline', `container "${c.name}" adds capabilities ${notBaseline.join(', ')}`, c.name);
    for (const port of c.c.ports ?? []) {
      if (port.hostPort !== undefined && port.hostPort !== 0) add('hostPorts', `container "${c.name}" uses hostPort ${port.hostPort}`, c.name);
    }
    for (const [where, handler] of handlers(c.c)) {
      for (const kind of ['httpGet', 'tcpSocket']) {
        const host = handler?.[kind]?.host;
        if (host !== undefined && host !== '') add('hostProbesAndLifecycleHooks', `container "${c.name}" ${where}.${kind}.host is ${JSON.stringify(host)}`, c.name);
      }
    }
    if (c.sc.procMount !== undefined && c.sc.procMount !== 'Default') add('procMount', `container "${c.name}" sets procMount=${c.sc.procMount}`, c.name);
  }
  for (const volume of spec.volumes ?? []) {
    if (volume.hostPath !== undefined) add('hostPathVolumes', `volume "${volume.name}" is a hostPath`);
  }
  checkAppArmor(psc.appArmorProfile, undefined, add);
  for (const c of containers) checkAppArmor(c.sc.appArmorProfile, c.name, add);
  for (const [key, value] of Object.entries(pod.annotations)) {
    if (key.startsWith(APPARMOR_ANNOTATION) && value !== 'runtime/default' && !value.startsWith('localhost/')) {
      add('appArmorProfile', `annotation ${key}=${value} is neither runtime/default nor localhost/*`);
    }
  }
  checkSeLinux(psc.seLinuxOptions, undefined, add);
  for (const c of containers) checkSeLinux(c.sc.seLinuxOptions, c.name, add);
  if (psc.seccompProfile?.type === 'Unconfined') add('seccompProfile_baseline', 'pod sets seccompProfile.type=Unconfined');
  for (const c of containers) {
    if (c.sc.seccompProfile?.type === 'Unconfined') add('seccompProfile_baseline', `container "${c.name}" sets seccompProfile.type=Unconfined`, c.name);
  }
  for (const sysctl of psc.sysctls ?? []) {
    if (!SAFE_SYSCTLS.has(sysctl.name)) add('sysctls', `pod sets the unsafe sysctl ${sysctl.name}`);
  }

  // ---- restricted ----
  for (const volume of spec.volumes ?? []) {
    const types = Object.keys(volume).filter((k) => k !== 'name');
    const bad = types.filter((t) => !RESTRICTED_VOLUME_TYPES.has(t));
    if (bad.length > 0) add('restrictedVolumes', `volume "${volume.name}" is of type ${bad.join(', ')}`);
  }
  // Linux-only controls: the admission controller skips them for pods that declare Windows.
  if (!isWindows) {
    for (const c of containers) {
      if (c.sc.allowPrivilegeEscalation !== false) add('allowPrivilegeEscalation', `container "${c.name}" must set securityContext.allowPrivilegeEscalation=false`, c.name);
    }
    const podSeccomp = psc.seccompProfile?.type;
    const podSeccompGood = podSeccomp !== undefined && GOOD_SECCOMP.has(podSeccomp);
    if (podSeccomp !== undefined && !podSeccompGood) add('seccompProfile_restricted', `pod sets seccompProfile.type=${podSeccomp}`);
    for (const c of containers) {
      const type = c.sc.seccompProfile?.type;
      if (type !== undefined ? !GOOD_SECCOMP.has(type) : !podSeccompGood) {
        add('seccompProfile_restricted', `container "${c.name}" must have seccompProfile.type RuntimeDefault or Localhost (set on it or on the pod)`, c.name);
      }
    }
    for (const c of containers) {
      const drop: string[] = c.sc.capabilities?.drop ?? [];
      const added: string[] = c.sc.capabilities?.add ?? [];
      if (!drop.includes('ALL')) add('capabilities_restricted', `container "${c.name}" must drop ALL capabilities`, c.name);
      const extra = added.filter((cap) => cap !== 'NET_BIND_SERVICE');
      if (extra.length > 0) add('capabilities_restricted', `container "${c.name}" may add only NET_BIND_SERVICE, not ${extra.join(', ')}`, c.name);
    }
  }
  // runAsNonRoot: true on the pod, or on every container; an explicit false anywhere fails.
  const podNonRoot = psc.runAsNonRoot;
  if (podNonRoot === false) add('runAsNonRoot', 'pod sets securityContext.runAsNonRoot=false');
  for (const c of containers) {
    const own = c.sc.runAsNonRoot;
    if (own === false) add('runAsNonRoot', `container "${c.name}" sets securityContext.runAsNonRoot=false`, c.name);
    else if (own === undefined && podNonRoot !== true) add('runAsNonRoot', `container "${c.name}" must set runAsNonRoot=true (on it or on the pod)`, c.name);
  }
  if (psc.runAsUser === 0) add('runAsUser', 'pod sets securityContext.runAsUser=0');
  for (const c of containers) {
    if (c.sc.runAsUser === 0) add('runAsUser', `container "${c.name}" sets securityContext.runAsUser=0`, c.name);
  }

  // ---- project ----
  for (const c of containers) {
    // Ephemeral (debug) containers cannot declare resources.
    if (!c.ephemeral) {
      const missing = ['requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory'].filter((path) => {
        const [group, resource] = path.split('.') as [string, string];
        return c.c.resources?.[group]?.[resource] === undefined;
      });
      if (missing.length > 0) add('resources', `container "${c.name}" has no ${missing.join(', ')}`, c.name);
    }
    if (c.c.imagePullPolicy === 'Always') add('imagePullPolicy', `container "${c.name}" pulls Always`, c.name);
    if (!isPinned(c.c.image)) add('imagePinned', `container "${c.name}" image ${JSON.stringify(c.c.image)} is not pinned to a tag or digest`, c.name);
  }
  return out;
}

/** A tag other than `latest` on the last path segment, or a digest. */
export function isPinned(image: unknown): boolean {
  if (typeof image !== 'string' || image === '') return false;
  if (/@sha256:[0-9a-f]{64}$/.test(image)) return true;
  const last = image.split('/').pop() ?? '';
  const colon = last.lastIndexOf(':');
  return colon > 0 && colon < last.length - 1 && last.slice(colon + 1) !== 'latest';
}

function handlers(c: any): [string, any][] {
  return [
    ['livenessProbe', c.livenessProbe],
    ['readinessProbe', c.readinessProbe],
    ['startupProbe', c.startupProbe],
    ['lifecycle.postStart', c.lifecycle?.postStart],
    ['lifecycle.preStop', c.lifecycle?.preStop],
  ];
}

type Add = (rule: RuleId, message: string, container?: string) => void;

function checkAppArmor(profile: any, container: string | undefined, add: Add): void {
  const type = profile?.type;
  if (type !== undefined && type !== 'RuntimeDefault' && type !== 'Localhost') {
    add('appArmorProfile', `${container ? `container "${container}"` : 'pod'} sets appArmorProfile.type=${type}`, container);
  }
}

function checkSeLinux(options: any, container: string | undefined, add: Add): void {
  if (options === undefined || options === null) return;
  const who = container ? `container "${container}"` : 'pod';
  if (options.type !== undefined && !SELINUX_TYPES.has(options.type)) add('seLinuxOptions', `${who} sets seLinuxOptions.type=${options.type}`, container);
  for (const field of ['user', 'role']) {
    if (options[field] !== undefined && options[field] !== '') add('seLinuxOptions', `${who} sets seLinuxOptions.${field}=${options[field]}`, container);
  }
}
