import { Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { OpenWebUIApp, type OpenWebUIAppProps } from '../constructs/open-web-ui-app.js';
import { synthYaml, validateWithKubernetesModels } from './support/manifests.js';
import { OPEN_WEBUI_PROPS } from './support/open-webui-props.js';
import { TEST_CATALOG } from './support/test-catalog.js';

const WEBUI_SECRET_KEY = 'w'.repeat(20) + 'EBUI-secret-key-0123456789';

const BASE: OpenWebUIAppProps = {
  ...OPEN_WEBUI_PROPS,
  models: ['gpt-5', 'gemini-2.5-pro'],
  webuiSecretKey: WEBUI_SECRET_KEY,
  adminPassword: 'admin-password-0123456789',
};

function app(overrides: Partial<OpenWebUIAppProps> = {}) {
  const chart = Testing.chart();
  const construct = new OpenWebUIApp(chart, 'open-webui', { ...BASE, ...overrides });
  const objects = Testing.synth(chart);
  const find = (kind: string) => {
    const found = objects.find((o) => o.kind === kind);
    if (!found) throw new Error(`no ${kind} synthesized`);
    return found;
  };
  const deployment = find('Deployment');
  return { chart, construct, objects, find, deployment, pod: deployment.spec.template.spec, container: deployment.spec.template.spec.containers[0] };
}

describe('OpenWebUIApp', () => {
  it.each(TEST_CATALOG.tierNames)('synthesizes the %s tier as valid Kubernetes objects', async (tier) => {
    // GIVEN a request on a default tier
    // WHEN its UI is synthesized
    const { chart, objects } = app({ size: TEST_CATALOG.tier(tier).ui });

    // THEN the Secret, volume claim, Deployment and Service pass schema validation
    expect(validateWithKubernetesModels(objects)).toEqual([
      'Secret/team-a-openwebui',
      'PersistentVolumeClaim/team-a-openwebui-data',
      'Deployment/team-a-openwebui',
      'Service/team-a-openwebui',
    ]);
    await expect(synthYaml(chart)).toMatchFileSnapshot(`__snapshots__/open-web-ui-app-${tier}.yaml`);
  });

  it('exposes the Service on port 80, not the container port', () => {
    // GIVEN the base props
    const { construct, find } = app();
    // THEN the URL has no port (80) and the Service forwards 80 to 8080
    expect(construct.serviceName).toBe('team-a-openwebui');
    expect(construct.url).toBe('http://team-a-openwebui.engineering.svc.cluster.local');
    expect(find('Service').spec).toEqual({
      type: 'ClusterIP',
      selector: { 'app.kubernetes.io/name': 'open-webui', 'app.kubernetes.io/instance': 'team-a' },
      ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }],
    });
  });

  it('runs one replica, recreated, on a ReadWriteOnce volume sized by the tier', () => {
    // GIVEN the medium tier
    const { deployment, pod, container, find } = app({ size: TEST_CATALOG.tier('medium').ui });

    // THEN a single pod is replaced, never rolled, and mounts the claim at the data dir
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.strategy).toEqual({ type: 'Recreate' });
    expect(find('PersistentVolumeClaim').spec).toEqual({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } });
    expect(pod.volumes).toEqual([{ name: 'data', persistentVolumeClaim: { claimName: 'team-a-openwebui-data' } }]);
    expect(container.volumeMounts).toEqual([{ name: 'data', mountPath: '/app/backend/data' }]);
  });

  it.each(TEST_CATALOG.tierNames)('sets the %s tier resources on the container', (tier) => {
    // GIVEN a tier's UI size
    const size = TEST_CATALOG.tier(tier).ui;
    // WHEN the UI is synthesized
    const { container, find } = app({ size });
    // THEN requests, limits and the volume size are the tier's
    expect(container.resources).toEqual({
      requests: { cpu: size.cpuRequest, memory: size.memoryRequest },
      limits: { cpu: size.cpuLimit, memory: size.memoryLimit },
    });
    expect(find('PersistentVolumeClaim').spec.resources.requests.storage).toBe(size.storage);
  });

  it('points Open WebUI at the gateway with the key by reference and env-authoritative config', () => {
    // GIVEN the base props
    // WHEN the UI is synthesized
    const { container } = app();

    // THEN the env is exactly this, with both secrets as secretKeyRefs
    expect(container.name).toBe('open-webui');
    expect(container.image).toBe('ghcr.io/open-webui/open-webui:0.11.0');
    expect(container.imagePullPolicy).toBe('IfNotPresent');
    expect(container.ports).toEqual([{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
    expect(container.env).toEqual([
      { name: 'OPENAI_API_BASE_URL', value: 'http://litellm.default.svc.cluster.local:4000/v1' },
      { name: 'OPENAI_API_KEY', valueFrom: { secretKeyRef: { name: 'team-a-litellm-key', key: 'OPENAI_API_KEY', optional: false } } },
      { name: 'ENABLE_OPENAI_API', value: 'True' },
      { name: 'ENABLE_OLLAMA_API', value: 'False' },
      { name: 'ENABLE_PERSISTENT_CONFIG', value: 'False' },
      { name: 'WEBUI_SECRET_KEY', valueFrom: { secretKeyRef: { name: 'team-a-openwebui', key: 'WEBUI_SECRET_KEY', optional: false } } },
      { name: 'DEFAULT_MODELS', value: 'gpt-5,gemini-2.5-pro' },
      { name: 'DATA_DIR', value: '/app/backend/data' },
      // The default sign-in: closed sign-up with a bootstrap admin (open-web-ui-auth.test.ts).
      { name: 'WEBUI_AUTH', value: 'True' },
      { name: 'DEFAULT_USER_ROLE', value: 'pending' },
      { name: 'ENABLE_SIGNUP', value: 'False' },
      { name: 'ENABLE_LOGIN_FORM', value: 'True' },
      { name: 'ENABLE_OAUTH_SIGNUP', value: 'False' },
      { name: 'WEBUI_ADMIN_EMAIL', value: 'admin@openwebui.local' },
      { name: 'WEBUI_ADMIN_NAME', value: 'Admin' },
      { name: 'WEBUI_ADMIN_PASSWORD', valueFrom: { secretKeyRef: { name: 'team-a-openwebui', key: 'WEBUI_ADMIN_PASSWORD', optional: false } } },
    ]);
    expect(container.envFrom).toBeUndefined();
  });

  it('reads the key from a custom Secret key and tolerates a trailing slash on the gateway URL', () => {
    // GIVEN a custom key name and a base URL with a trailing slash
    const { container } = app({ keySecretKey: 'api-key', gatewayUrl: 'https://gateway.example.com/' });
    const env = Object.fromEntries(container.env.map((e: { name: string }) => [e.name, e]));
    // THEN the key comes from that Secret key, and the URL gets exactly one /v1
    expect(env.OPENAI_API_KEY.valueFrom.secretKeyRef.key).toBe('api-key');
    expect(env.OPENAI_API_BASE_URL.value).toBe('https://gateway.example.com/v1');
  });

  it('keeps WEBUI_SECRET_KEY in its own Secret only, and no virtual key anywhere', () => {
    // GIVEN the base props
    // WHEN the UI is synthesized
    const { objects, find } = app();
    const secret = find('Secret');

    // THEN the session secret and the bootstrap admin's password are stored once, base64-encoded, in the Secret's data
    expect(secret.type).toBe('Opaque');
    expect(secret.data).toEqual({
      WEBUI_SECRET_KEY: Buffer.from(WEBUI_SECRET_KEY).toString('base64'),
      WEBUI_ADMIN_PASSWORD: Buffer.from(BASE.adminPassword!).toString('base64'),
    });
    expect(JSON.stringify(objects)).not.toContain(BASE.adminPassword);
    expect(secret.stringData).toBeUndefined();
    // AND no other object carries it or any virtual key in plain text
    const yaml = JSON.stringify(objects);
    expect(yaml).not.toContain(WEBUI_SECRET_KEY);
    expect(yaml).not.toMatch(/sk-/);
    expect(JSON.stringify(objects.filter((o) => o.kind !== 'Secret'))).not.toContain(secret.data.WEBUI_SECRET_KEY);
  });

  it('rolls the pod when the key fingerprint changes', () => {
    // GIVEN two fingerprints
    const annotations = (keyFingerprint: string) => app({ keyFingerprint }).deployment.spec.template.metadata.annotations;
    // WHEN the UI is synthesized for each
    // THEN the pod template annotation follows the fingerprint, and nothing else differs there
    expect(annotations('0123456789ab')).toEqual({ 'ai.kratix.io/key-fingerprint': '0123456789ab' });
    expect(annotations('ba9876543210')).toEqual({ 'ai.kratix.io/key-fingerprint': 'ba9876543210' });
  });

  it('runs as root with everything else locked down (Pod Security baseline)', () => {
    // GIVEN the base props
    // WHEN the UI is synthesized
    const { pod, container } = app();

    // THEN root is explicit, and privilege escalation, capabilities and syscalls are restricted
    expect(pod.securityContext).toEqual({ runAsNonRoot: false, runAsUser: 0, seccompProfile: { type: 'RuntimeDefault' } });
    expect(container.securityContext).toEqual({
      runAsNonRoot: false,
      runAsUser: 0,
      allowPrivilegeEscalation: false,
      privileged: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
      readOnlyRootFilesystem: false,
    });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.enableServiceLinks).toBe(false);
  });

  it('probes /health, readiness also its database, with a startup probe that allows a slow first start', () => {
    // GIVEN the base props
    const { container } = app();
    const httpGet = { path: '/health', port: 'http' };
    // THEN liveness uses /health, readiness /health/db, and startup allows 5 minutes
    expect(container.livenessProbe).toEqual({ httpGet });
    expect(container.readinessProbe).toEqual({ httpGet: { path: '/health/db', port: 'http' } });
    expect(container.startupProbe).toEqual({ httpGet, failureThreshold: 30, periodSeconds: 10 });
  });

  it('seeds the data volume from the image without overwriting it, as locked down as the app', () => {
    const { deployment, container } = app();
    const [init] = deployment.spec.template.spec.initContainers;
    expect(init).toMatchObject({ name: 'copy-app-data', image: container.image, command: ['sh', '-c', 'cp -R -n /app/backend/data/. /tmp/app-data/'] });
    expect(init.volumeMounts).toEqual([{ name: 'data', mountPath: '/tmp/app-data' }]);
    expect(init.securityContext).toEqual(container.securityContext);
    expect(init.resources).toEqual(container.resources);
  });

  it('labels everything and selects on name and instance only', () => {
    // GIVEN the base props
    const { objects, deployment } = app();
    const labels = { 'app.kubernetes.io/name': 'open-webui', 'app.kubernetes.io/instance': 'team-a', 'app.kubernetes.io/managed-by': 'kratix-ai-promise' };
    // THEN every object and the pod template carry the labels, and no cdk8s-generated label
    expect(objects.map((o) => o.kind).sort()).toEqual(['Deployment', 'PersistentVolumeClaim', 'Secret', 'Service']);
    for (const o of objects) expect(o.metadata.labels, o.kind).toEqual(labels);
    expect(objects.every((o) => o.metadata.namespace === 'engineering')).toBe(true);
    expect(deployment.spec.template.metadata.labels).toEqual(labels);
    expect(deployment.spec.selector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'open-webui', 'app.kubernetes.io/instance': 'team-a' } });
  });

  it('accepts a name of 53 characters', () => {
    // GIVEN the longest name whose Service name still fits 63 characters ('-openwebui' is 10)
    const { construct } = app({ name: 'a'.repeat(53) });
    // THEN the Service name is at the limit
    expect(construct.serviceName).toHaveLength(63);
  });

  it('accepts a bootstrap admin password of 16 characters and one of 72 bytes', () => {
    // GIVEN both ends of the range: 16 characters, and 72 bytes (bcrypt's limit; 36 two-byte characters)
    for (const adminPassword of ['p'.repeat(16), 'é'.repeat(36)]) {
      // THEN the UI's Secret holds it
      const { objects } = app({ adminPassword });
      const secret = objects.find((o) => o.kind === 'Secret')!;
      expect(Buffer.from(secret.data.WEBUI_ADMIN_PASSWORD, 'base64').toString('utf8')).toBe(adminPassword);
    }
  });

  it.each<[string, Partial<OpenWebUIAppProps>, string]>([
    [
      'a name starting with a digit',
      { name: '1team' },
      "open-webui name '1team' is not a DNS-1035 label (lowercase letters, digits and -, starting with a letter)",
    ],
    [
      'a name over 53 characters',
      { name: 'a'.repeat(54) },
      `open-webui name '${'a'.repeat(54)}' is longer than 53 characters: the Service name '${'a'.repeat(54)}-openw... must fit in 63`,
    ],
    ['an invalid namespace', { namespace: 'Engineering' }, "open-webui namespace 'Engineering' is not a namespace name (lowercase DNS label)"],
    [
      'an unpinned image',
      { image: 'ghcr.io/open-webui/open-webui:latest' },
      "open-webui image 'ghcr.io/open-webui/open-webui:latest' is not pinned: give an exact tag or digest, not latest",
    ],
    [
      'an invalid size',
      { size: { ...BASE.size, storage: 'lots' } },
      "open-webui size.storage 'lots' is not a Kubernetes quantity such as 500m, 1, 512Mi or 2Gi",
    ],
    ['a non-http gateway URL', { gatewayUrl: 'litellm:4000' }, "open-webui gatewayUrl 'litellm:4000' is not an http(s) URL"],
    [
      'a gateway URL ending in /v1',
      { gatewayUrl: 'http://litellm.default.svc.cluster.local:4000/v1' },
      "open-webui gatewayUrl 'http://litellm.default.svc.cluster.local:4000/v1' must be the gateway's base URL, without /v1",
    ],
    ['an invalid key Secret name', { keySecretName: 'Team_A' }, "open-webui keySecretName 'Team_A' is not a Secret name (DNS subdomain)"],
    ['an invalid key Secret key', { keySecretKey: 'api key' }, "open-webui keySecretKey 'api key' is not a Secret key (letters, digits, -, _ and .)"],
    [
      'a virtual key as fingerprint',
      { keyFingerprint: 'sk-secret' },
      'open-webui keyFingerprint looks like a virtual key: pass its fingerprint, never the key',
    ],
    [
      'a fingerprint with spaces',
      { keyFingerprint: 'abc def' },
      "open-webui keyFingerprint 'abc def' is not a short fingerprint (1-64 letters, digits, ., _ and -)",
    ],
    ['no models', { models: [] }, 'open-webui models is empty: list at least one model for DEFAULT_MODELS'],
    ['a model with a comma', { models: ['a,b'] }, "open-webui model 'a,b' cannot be listed in DEFAULT_MODELS: it is empty or contains ','"],
    ['a short webuiSecretKey', { webuiSecretKey: 'short' }, 'open-webui webuiSecretKey has 5 characters: give at least 32'],
    [
      'closed sign-up without a bootstrap admin password',
      { adminPassword: undefined },
      'open-webui adminPassword has 0 characters: closed sign-up needs a bootstrap admin password of at least 16',
    ],
    ['a 15-character admin password', { adminPassword: 'p'.repeat(15) }, 'open-webui adminPassword has 15 characters: closed sign-up needs a bootstrap admin password of at least 16'],
    ['a 73-byte admin password', { adminPassword: 'p'.repeat(73) }, "open-webui adminPassword has 73 bytes: Open WebUI's bcrypt takes at most 72"],
    // 37 characters of two bytes each: few characters, but too many bytes for bcrypt.
    ['an admin password of 37 two-byte characters', { adminPassword: 'é'.repeat(37) }, "open-webui adminPassword has 74 bytes: Open WebUI's bcrypt takes at most 72"],
  ])('rejects %s', (_what, overrides, message) => {
    // GIVEN an invalid prop
    // WHEN the UI is built
    // THEN construction fails with an error that quotes the value (never a secret) and says what is allowed
    expect(() => app(overrides)).toThrow(message);
  });
});
