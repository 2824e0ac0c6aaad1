import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import got from 'got';
import type { AiPromiseConfig } from '../constructs/index.js';
import { PipelineError, oneLine } from './errors.js';

export interface Credentials {
  readonly masterKey: string;
  readonly saltKey: string;
}

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/**
 * LITELLM_MASTER_KEY and LITELLM_SALT_KEY from the environment; whatever is missing there comes from
 * the credentials Secret through the Kubernetes API. The pipeline's RBAC allows `get` on that one
 * Secret only. Resource pipelines run in the requester's namespace, where a `secretKeyRef` to the
 * platform namespace cannot reach, hence the API call.
 */
export async function resolveCredentials(env: NodeJS.ProcessEnv, config: AiPromiseConfig): Promise<Credentials> {
  let masterKey = env.LITELLM_MASTER_KEY ?? '';
  let saltKey = env.LITELLM_SALT_KEY ?? '';
  if (masterKey === '' || saltKey === '') {
    const data = await readSecret(env, config.platformNamespace, config.credentialsSecret);
    masterKey ||= data.LITELLM_MASTER_KEY ?? '';
    saltKey ||= data.LITELLM_SALT_KEY ?? '';
  }
  const where = `Secret ${config.platformNamespace}/${config.credentialsSecret}`;
  if (masterKey === '') throw new PipelineError(`LITELLM_MASTER_KEY is neither in the environment nor in ${where}`);
  if (saltKey === '') throw new PipelineError(`LITELLM_SALT_KEY is neither in the environment nor in ${where}`);
  for (const [name, value] of [['LITELLM_MASTER_KEY', masterKey], ['LITELLM_SALT_KEY', saltKey]] as const) {
    // The gateway reads the same Secret through secretKeyRef, untrimmed: trimming here would make
    // the pipeline and the gateway disagree on the key, and every call would answer 401.
    if (value !== value.trim()) {
      throw new PipelineError(`${name} (${where} or the environment) has leading or trailing whitespace, often a newline from echo: recreate it with kubectl create secret --from-literal`);
    }
  }
  if (saltKey === masterKey) {
    // LiteLLM encrypts stored credentials with the salt key; sharing the master key's value means a
    // master key rotation breaks them (and our derived keys would change with it).
    throw new PipelineError(`LITELLM_SALT_KEY must differ from LITELLM_MASTER_KEY (${where})`);
  }
  return { masterKey, saltKey };
}

/** GET one Secret with the pod's service account; values are decoded, never logged. */
async function readSecret(env: NodeJS.ProcessEnv, namespace: string, name: string): Promise<Record<string, string>> {
  const saDir = env.KUBERNETES_SERVICEACCOUNT_DIR || SERVICE_ACCOUNT_DIR;
  const host = env.KUBERNETES_SERVICE_HOST;
  const apiUrl = env.KUBERNETES_API_URL || (host ? `https://${host.includes(':') ? `[${host}]` : host}:${env.KUBERNETES_SERVICE_PORT || '443'}` : '');
  const what = `Secret ${namespace}/${name}`;
  if (apiUrl === '') {
    throw new PipelineError(`LITELLM_MASTER_KEY/LITELLM_SALT_KEY are not set and no Kubernetes API is reachable (KUBERNETES_SERVICE_HOST unset) to read ${what}`);
  }
  let token: string;
  let ca: string | undefined;
  try {
    token = readFileSync(join(saDir, 'token'), 'utf8').trim();
    ca = apiUrl.startsWith('https:') ? readFileSync(join(saDir, 'ca.crt'), 'utf8') : undefined;
  } catch (error) {
    throw new PipelineError(`cannot read the service account token in ${saDir} to read ${what}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
  const url = `${apiUrl.replace(/\/+$/, '')}/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets/${encodeURIComponent(name)}`;
  let response;
  try {
    response = await got(url, {
      headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
      https: ca ? { certificateAuthority: ca } : {},
      timeout: { request: 10_000 },
      retry: { limit: 3, methods: ['GET'] },
      throwHttpErrors: false,
      responseType: 'text',
    });
  } catch (error) {
    throw new PipelineError(`reading ${what} from ${apiUrl} failed: ${(error as { code?: string }).code ?? oneLine(String(error), 120)}`);
  }
  if (response.statusCode === 404) throw new PipelineError(`${what} not found: create it with LITELLM_MASTER_KEY and LITELLM_SALT_KEY (see README)`);
  if (response.statusCode === 401 || response.statusCode === 403) {
    throw new PipelineError(`reading ${what} was refused (${response.statusCode}): the pipeline's service account needs get on that Secret (spec.rbac in promise.yaml)`);
  }
  if (response.statusCode !== 200) throw new PipelineError(`reading ${what} from ${apiUrl} answered ${response.statusCode}`);
  let secret: { data?: Record<string, string> };
  try {
    secret = JSON.parse(response.body);
  } catch {
    throw new PipelineError(`reading ${what} answered 200 with a body that is not JSON`);
  }
  const decoded: Record<string, string> = {};
  for (const [key, value] of Object.entries(secret.data ?? {})) decoded[key] = Buffer.from(value, 'base64').toString('utf8');

  return decoded;
}
