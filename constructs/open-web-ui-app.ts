import { k8s } from './k8s.js';
import { Construct } from 'constructs';
import { ADMIN_PASSWORD_KEY, type OpenWebUIAuthConfig, openWebUIAuthEnv, resolveOpenWebUIAuth } from './open-web-ui-auth.js';
import { OPEN_WEBUI_IMAGE, requirePinnedImage } from './promise-config.js';
import { MANAGED_BY } from './team-tier.js';
import type { UiSize } from './tiers.js';
import { DNS_1035_LABEL, DNS_LABEL, QUANTITY, quote, requireMatch } from './validation.js';

export interface OpenWebUIAppProps {
  /** The request's name; every object is called `<name>-openwebui` (the volume claim `<name>-openwebui-data`). */
  readonly name: string;
  /** The request's namespace, where the UI runs next to the key Secret. */
  readonly namespace: string;
  /**
   * Open WebUI image, pinned to an exact tag or digest.
   * @default OPEN_WEBUI_IMAGE
   */
  readonly image?: string;
  /** Resources and volume size, from the request's tier. */
  readonly size: UiSize;
  /** Base URL of the LiteLLM gateway, without `/v1` (e.g. `http://litellm.default.svc.cluster.local:4000`). */
  readonly gatewayUrl: string;
  /** Secret in `namespace` that holds the team's virtual key. */
  readonly keySecretName: string;
  /**
   * Key of `keySecretName` that holds the virtual key.
   * @default 'OPENAI_API_KEY'
   */
  readonly keySecretKey?: string;
  /**
   * Short, non-secret fingerprint of the virtual key. It goes into a pod-template annotation, so a
   * new key replaces the pod (env from a Secret is only read at container start).
   */
  readonly keyFingerprint: string;
  /** Models preselected for new chats (`DEFAULT_MODELS`); LiteLLM model names visible to the key. */
  readonly models: readonly string[];
  /**
   * Session-signing secret (`WEBUI_SECRET_KEY`), at least 32 characters. Derive it
   * deterministically: a new value on a re-run would log every user out.
   */
  readonly webuiSecretKey: string;
  /**
   * How people sign in (config `openWebUIAuth`).
   * @default resolveOpenWebUIAuth(): closed sign-up with a bootstrap admin
   */
  readonly auth?: OpenWebUIAuthConfig;
  /**
   * Password of the bootstrap admin, 16 characters to 72 bytes (bcrypt's limit); required in closed mode. Derive it
   * deterministically, like `webuiSecretKey`.
   * @default none
   */
  readonly adminPassword?: string;
}

const HTTP_PORT = 8080;
const SERVICE_PORT = 80;
const DATA_DIR = '/app/backend/data';
const MAX_LABEL = 63;
const SUFFIX = '-openwebui';
const MIN_SECRET_KEY = 32;
const MIN_ADMIN_PASSWORD = 16;
const MAX_ADMIN_PASSWORD_BYTES = 72;
/** Kubernetes Secret names are DNS subdomains. */
const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** What Kubernetes accepts as a key of a Secret's data. */
const SECRET_KEY = /^[-._a-zA-Z0-9]{1,253}$/;
const FINGERPRINT = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Open WebUI for one request, talking to the LiteLLM gateway with the team's virtual key: a Secret
 * with `WEBUI_SECRET_KEY`, a volume claim for `/app/backend/data` (SQLite, uploads, caches), a
 * single-replica Deployment and a ClusterIP Service on port 80.
 *
 * Security: the image runs as root, and non-root is untested upstream (`runAsNonRoot` broke on
 * v0.11.0, an arbitrary UID cannot write its files, and a read-only root needs writable
 * `/app/backend`, `/tmp`, `$HOME` and the data dir). So the container runs as root on a writable
 * root filesystem, but with no privilege escalation, every capability dropped and the runtime's
 * seccomp profile. That meets the Pod Security "baseline" profile, not "restricted" (which demands
 * non-root): run these namespaces at baseline. Dropping every capability also drops
 * DAC_OVERRIDE, so the data volume's root directory must be writable by its owner, root, as
 * dynamically provisioned volumes are.
 */
export class OpenWebUIApp extends Construct {
  /** Pod-template annotation with the key's fingerprint: a new key rolls the pod. */
  static readonly KEY_FINGERPRINT_ANNOTATION = 'ai.kratix.io/key-fingerprint';

  /** `<name>-openwebui` */
  readonly serviceName: string;
  /** `http://<name>-openwebui.<namespace>.svc.cluster.local`: the Service listens on port 80. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: OpenWebUIAppProps) {
    super(scope, id);
    const { name, namespace, size, gatewayUrl, keySecretName, keyFingerprint, models, webuiSecretKey } = props;
    const image = props.image ?? OPEN_WEBUI_IMAGE;
    const keySecretKey = props.keySecretKey ?? 'OPENAI_API_KEY';

    requireMatch('open-webui name', name, DNS_1035_LABEL, 'is not a DNS-1035 label (lowercase letters, digits and -, starting with a letter)');
    const objectName = `${name}${SUFFIX}`;
    if (objectName.length > MAX_LABEL) {
      throw new Error(
        `open-webui name ${quote(name)} is longer than ${MAX_LABEL - SUFFIX.length} characters: ` +
          `the Service name ${quote(objectName)} must fit in ${MAX_LABEL}`,
      );
    }
    requireMatch('open-webui namespace', namespace, DNS_LABEL, 'is not a namespace name (lowercase DNS label)');
    if (namespace.length > MAX_LABEL) throw new Error(`open-webui namespace ${quote(namespace)} is longer than ${MAX_LABEL} characters`);
    requirePinnedImage('open-webui image', image);
    for (const field of ['cpuRequest', 'cpuLimit', 'memoryRequest', 'memoryLimit', 'storage'] as const) {
      requireMatch(`open-webui size.${field}`, size[field], QUANTITY, 'is not a Kubernetes quantity such as 500m, 1, 512Mi or 2Gi');
    }
    const baseUrl = requireGatewayUrl(gatewayUrl);
    requireMatch('open-webui keySecretName', keySecretName, DNS_SUBDOMAIN, 'is not a Secret name (DNS subdomain)');
    requireMatch('open-webui keySecretKey', keySecretKey, SECRET_KEY, 'is not a Secret key (letters, digits, -, _ and .)');
    // Refuse what looks like the key itself, without echoing it into an error message or log.
    if (keyFingerprint.startsWith('sk-')) throw new Error('open-webui keyFingerprint looks like a virtual key: pass its fingerprint, never the key');
    requireMatch('open-webui keyFingerprint', keyFingerprint, FINGERPRINT, 'is not a short fingerprint (1-64 letters, digits, ., _ and -)');
    if (models.length === 0) throw new Error('open-webui models is empty: list at least one model for DEFAULT_MODELS');
    for (const model of models) {
      if (model === '' || model.includes(',')) {
        throw new Error(`open-webui model ${quote(model)} cannot be listed in DEFAULT_MODELS: it is empty or contains ','`);
      }
    }
    if (webuiSecretKey.length < MIN_SECRET_KEY) {
      throw new Error(`open-webui webuiSecretKey has ${webuiSecretKey.length} characters: give at least ${MIN_SECRET_KEY}`);
    }

    const auth = props.auth ?? resolveOpenWebUIAuth();
    const adminPassword = auth.mode === 'closed' ? props.adminPassword : undefined;
    if (auth.mode === 'closed' && (adminPassword === undefined || adminPassword.length < MIN_ADMIN_PASSWORD)) {
      throw new Error(`open-webui adminPassword has ${adminPassword?.length ?? 0} characters: closed sign-up needs a bootstrap admin password of at least ${MIN_ADMIN_PASSWORD}`);
    }
    if (adminPassword !== undefined && Buffer.byteLength(adminPassword, 'utf8') > MAX_ADMIN_PASSWORD_BYTES) {
      // Open WebUI hashes passwords with bcrypt by default (PASSWORD_HASH_ALGORITHM), which refuses
      // more than 72 bytes: the bootstrap admin would silently not be created.
      throw new Error(`open-webui adminPassword has ${Buffer.byteLength(adminPassword, 'utf8')} bytes: Open WebUI's bcrypt takes at most ${MAX_ADMIN_PASSWORD_BYTES}`);
    }

    this.serviceName = objectName;
    this.url = `http://${objectName}.${namespace}.svc.cluster.local`;

    const labels = {
      'app.kubernetes.io/name': 'open-webui',
      'app.kubernetes.io/instance': name,
      'app.kubernetes.io/managed-by': MANAGED_BY,
    };
    // Selectors are immutable: keep them to the two labels that identify this UI for good.
    const selector = { 'app.kubernetes.io/name': 'open-webui', 'app.kubernetes.io/instance': name };

    const secret = new k8s.KubeSecret(this, 'Secret', {
      metadata: { name: objectName, namespace, labels },
      type: 'Opaque',
      // `data`, not `stringData`: what is applied is then exactly what the API server stores, so
      // GitOps agents see no drift.
      data: {
        WEBUI_SECRET_KEY: Buffer.from(webuiSecretKey, 'utf8').toString('base64'),
        ...(adminPassword !== undefined ? { [ADMIN_PASSWORD_KEY]: Buffer.from(adminPassword, 'utf8').toString('base64') } : {}),
      },
    });

    const pvc = new k8s.KubePersistentVolumeClaim(this, 'Data', {
      metadata: { name: `${objectName}-data`, namespace, labels },
      spec: {
        accessModes: ['ReadWriteOnce'],
        resources: { requests: { storage: k8s.Quantity.fromString(size.storage) } },
      },
    });

    const httpGet: k8s.HttpGetAction = { path: '/health', port: k8s.IntOrString.fromString('http') };
    const resources: k8s.ResourceRequirements = {
      requests: { cpu: k8s.Quantity.fromString(size.cpuRequest), memory: k8s.Quantity.fromString(size.memoryRequest) },
      limits: { cpu: k8s.Quantity.fromString(size.cpuLimit), memory: k8s.Quantity.fromString(size.memoryLimit) },
    };
    const securityContext: k8s.SecurityContext = {
      // Root on purpose, see the class comment; everything else is locked down.
      runAsNonRoot: false,
      runAsUser: 0,
      allowPrivilegeEscalation: false,
      privileged: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
      readOnlyRootFilesystem: false,
    };

    new k8s.KubeDeployment(this, 'Deployment', {
      metadata: { name: objectName, namespace, labels },
      spec: {
        // SQLite on a ReadWriteOnce volume: one writer. Recreate stops the old pod before the new
        // one starts, so a rollout never waits on a volume the old pod still holds (or, on one
        // node, lets two processes write one database).
        replicas: 1,
        strategy: { type: 'Recreate' },
        selector: { matchLabels: selector },
        template: {
          metadata: { labels, annotations: { [OpenWebUIApp.KEY_FINGERPRINT_ANNOTATION]: keyFingerprint } },
          spec: {
            // Open WebUI never calls the Kubernetes API.
            automountServiceAccountToken: false,
            // Service links only add env noise, and a Service named after the app can shadow its
            // settings; the official chart turns them off too.
            enableServiceLinks: false,
            securityContext: {
              runAsNonRoot: false,
              runAsUser: 0,
              seccompProfile: { type: 'RuntimeDefault' },
            },
            // As the official chart does: seed the empty volume with what the image keeps in its
            // data dir (embedding, whisper and tiktoken caches) without overwriting anything, so
            // the first start needs no downloads and works on clusters without internet access.
            initContainers: [
              {
                name: 'copy-app-data',
                image,
                imagePullPolicy: 'IfNotPresent',
                command: ['sh', '-c', `cp -R -n ${DATA_DIR}/. /tmp/app-data/`],
                volumeMounts: [{ name: 'data', mountPath: '/tmp/app-data' }],
                resources,
                securityContext,
              },
            ],
            containers: [
              {
                name: 'open-webui',
                image,
                imagePullPolicy: 'IfNotPresent',
                ports: [{ name: 'http', containerPort: HTTP_PORT, protocol: 'TCP' }],
                env: [
                  { name: 'OPENAI_API_BASE_URL', value: `${baseUrl}/v1` },
                  { name: 'OPENAI_API_KEY', valueFrom: { secretKeyRef: { name: keySecretName, key: keySecretKey, optional: false } } },
                  { name: 'ENABLE_OPENAI_API', value: 'True' },
                  { name: 'ENABLE_OLLAMA_API', value: 'False' },
                  // Otherwise the first boot's URL and key are saved in the database and win over
                  // env for good, so a rotated key or a moved gateway would never take effect.
                  { name: 'ENABLE_PERSISTENT_CONFIG', value: 'False' },
                  { name: 'WEBUI_SECRET_KEY', valueFrom: { secretKeyRef: { name: secret.name, key: 'WEBUI_SECRET_KEY', optional: false } } },
                  { name: 'DEFAULT_MODELS', value: models.join(',') },
                  { name: 'DATA_DIR', value: DATA_DIR },
                  ...openWebUIAuthEnv(auth, objectName),
                ],
                volumeMounts: [{ name: 'data', mountPath: DATA_DIR }],
                resources,
                // /health answers without touching dependencies, so a slow gateway never restarts
                // the UI; readiness also checks its database (SQLite on the volume). The paths the
                // release's own chart suggests (helm-charts 16.0.0, values.yaml).
                livenessProbe: { httpGet },
                readinessProbe: { httpGet: { ...httpGet, path: '/health/db' } },
                // The first start creates the database and runs its migrations: allow up to five
                // minutes before liveness takes over.
                startupProbe: { httpGet, failureThreshold: 30, periodSeconds: 10 },
                securityContext,
              },
            ],
            volumes: [{ name: 'data', persistentVolumeClaim: { claimName: pvc.name } }],
          },
        },
      },
    });

    new k8s.KubeService(this, 'Service', {
      metadata: { name: objectName, namespace, labels },
      spec: {
        type: 'ClusterIP',
        selector,
        ports: [{ name: 'http', port: SERVICE_PORT, targetPort: k8s.IntOrString.fromNumber(HTTP_PORT), protocol: 'TCP' }],
      },
    });
  }
}

/** The gateway base URL without a trailing slash; rejects non-http(s) URLs and a trailing `/v1`. */
function requireGatewayUrl(value: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new Error(`open-webui gatewayUrl ${quote(value)} is not an http(s) URL`);
  }
  const base = value.replace(/\/+$/, '');
  if (base.endsWith('/v1')) throw new Error(`open-webui gatewayUrl ${quote(value)} must be the gateway's base URL, without /v1`);
  return base;
}
