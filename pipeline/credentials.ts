import type { AiPromiseConfig } from '../constructs/index.js';
import { PipelineError } from './errors.js';

export interface Credentials {
  readonly masterKey: string;
  /** The secret every request's key derives from (config `derivationSecretKey`). */
  readonly saltKey: string;
}

/**
 * LITELLM_MASTER_KEY and LITELLM_SALT_KEY from the environment, where Kratix puts them through the
 * `secretKeyRef`s of promise.yaml. The pipelines run in the platform namespace next to the
 * credentials Secret, so nothing here calls the Kubernetes API and no service account of the
 * promise may read a Secret.
 */
export function resolveCredentials(env: NodeJS.ProcessEnv, config: AiPromiseConfig): Credentials {
  const masterKey = env.LITELLM_MASTER_KEY ?? '';
  const saltKey = env.LITELLM_SALT_KEY ?? '';
  const where = `Secret ${config.platformNamespace}/${config.credentialsSecret}`;
  const source = { LITELLM_MASTER_KEY: 'LITELLM_MASTER_KEY', LITELLM_SALT_KEY: config.derivationSecretKey } as const;
  for (const [name, value] of [['LITELLM_MASTER_KEY', masterKey], ['LITELLM_SALT_KEY', saltKey]] as const) {
    if (value === '') {
      throw new PipelineError(`${name} is not set: promise.yaml passes it from key ${source[name]} of ${where}; create that Secret in the platform namespace (see README)`);
    }
    // The gateway reads the same Secret through secretKeyRef, untrimmed: trimming here would make
    // the pipeline and the gateway disagree on the key, and every call would answer 401.
    if (value !== value.trim()) {
      throw new PipelineError(`${name} (key ${source[name]} of ${where}) has leading or trailing whitespace, often a newline from echo: recreate it with kubectl create secret --from-literal`);
    }
  }
  if (saltKey === masterKey) {
    // LiteLLM encrypts stored credentials with the salt key; sharing the master key's value means a
    // master key rotation breaks them (and our derived keys would change with it).
    throw new PipelineError(`LITELLM_SALT_KEY must differ from LITELLM_MASTER_KEY (${where})`);
  }
  return { masterKey, saltKey };
}
