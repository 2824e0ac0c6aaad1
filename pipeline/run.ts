import { type AiPromiseConfig, type AiPromiseConfigProps, CONFIG_ENV, Catalog, TeamTier, gatewayInternalUrl, quote, resolvePromiseConfig } from '../constructs/index.js';
import { resolveCredentials } from './credentials.js';
import { LiteLLMUnavailableError, PipelineError, oneLine, redact } from './errors.js';
import { deriveVirtualKey, deriveWebUISecretKey } from './keys.js';
import { type KratixContext, kratixContext, readObject, unknownWorkflowMessage, writeDestinationSelectors, writeOutputs, writeRetryAfter, writeStatus } from './kratix.js';
import { LiteLLMClient } from './litellm-client.js';
import { deprovision, reconcile } from './reconcile.js';
import { clock, effectiveRotation, keyEpoch } from './rotation.js';
import { parseRequest } from './request.js';
import { PLATFORM_DIR, WORKLOAD_DIR, promiseOutputs, resourceOutputs } from './synth.js';

export interface RunIO {
  readonly env: NodeJS.ProcessEnv;
  readonly log: (line: string) => void;
  readonly error: (line: string) => void;
}

/**
 * One pipeline run, as Kratix starts it: switch on the workflow type and action, do the work, and
 * turn any failure into one sentence on stderr and in `status.message`. Returns the exit code.
 */
export async function runPipeline(io: RunIO): Promise<number> {
  const ctx = kratixContext(io.env);
  let config: AiPromiseConfig | undefined;
  try {
    config = loadConfig(io.env);
    const workflow = `${ctx.workflowType}/${ctx.workflowAction}`;
    switch (workflow) {
      case 'promise/configure':
        return promiseConfigure(ctx, config, io);
      case 'resource/configure':
        return await resourceConfigure(ctx, config, io);
      case 'resource/delete':
        return await resourceDelete(ctx, config, io);
      default:
        throw new PipelineError(unknownWorkflowMessage(ctx));
    }
  } catch (error) {
    // Bugs get the same one-line treatment: a stack trace in a pipeline log helps nobody, and the
    // status must say what failed.
    const message = redact(oneLine(error instanceof PipelineError ? error.message : `unexpected error: ${(error as Error)?.message ?? String(error)}`));
    const retryAfter = config?.retryWhenLiteLLMUnavailable;
    if (error instanceof LiteLLMUnavailableError && retryAfter && ctx.workflowType === 'resource' && ctx.workflowAction === 'configure') {
      // Nothing was written to output yet, and Kratix writes no Work for a retrying pipeline.
      const waiting = `Waiting for LiteLLM, retrying in ${retryAfter}: ${message}`;
      io.error(`warning: ${waiting}`);
      writeRetryAfter(ctx, retryAfter, waiting);
      writeStatus(ctx, { message: waiting });
      return 0;
    }
    io.error(`error: ${message}`);
    try {
      writeStatus(ctx, { message: `Failed: ${message}` });
    } catch {
      // The status is best effort when the metadata dir itself is unusable; stderr already has it.
    }
    return 1;
  }
}

function loadConfig(env: NodeJS.ProcessEnv): AiPromiseConfig {
  const raw = env[CONFIG_ENV];
  if (raw === undefined || raw.trim() === '') return resolvePromiseConfig();
  let props: AiPromiseConfigProps;
  try {
    props = JSON.parse(raw) as AiPromiseConfigProps;
  } catch {
    throw new PipelineError(`${CONFIG_ENV} is not valid JSON: regenerate promise.yaml with npm run synth`);
  }
  try {
    return resolvePromiseConfig(props);
  } catch (error) {
    throw new PipelineError(`${CONFIG_ENV}: ${(error as Error).message}`);
  }
}

function litellmClient(env: NodeJS.ProcessEnv, config: AiPromiseConfig, masterKey: string): LiteLLMClient {
  const baseUrl = env.LITELLM_URL || gatewayInternalUrl(config);
  try {
    new URL(baseUrl);
  } catch {
    throw new PipelineError(`LITELLM_URL ${quote(baseUrl)} is not a URL`);
  }
  const number = (name: string): number | undefined => {
    const value = env[name];
    if (value === undefined || value === '') return undefined;
    const n = Number(value);
    if (!Number.isInteger(n) || n <= 0) throw new PipelineError(`${name} ${quote(value)} is not a positive integer`);
    return n;
  };
  return new LiteLLMClient({
    baseUrl,
    masterKey,
    attemptTimeoutMs: number('LITELLM_TIMEOUT_MS'),
    callTimeoutMs: number('LITELLM_CALL_TIMEOUT_MS'),
    maxAttempts: number('LITELLM_MAX_ATTEMPTS'),
  });
}

function promiseConfigure(ctx: KratixContext, config: AiPromiseConfig, io: RunIO): number {
  let outputs: Map<string, string>;
  try {
    outputs = promiseOutputs(config);
  } catch (error) {
    // The constructs validate the settings; `npm run synth` runs the same checks, so this only
    // fires for a hand-edited promise.yaml.
    throw new PipelineError(`${CONFIG_ENV}: ${(error as Error).message}`);
  }
  writeOutputs(ctx, outputs);
  writeDestinationSelectors(ctx, [{ directory: PLATFORM_DIR, matchLabels: config.destinations.platform }]);
  // Promise workflows keep only `message` in status.
  writeStatus(ctx, { message: `Gateway ${config.gateway.name} and its database requested in ${config.platformNamespace}` });
  io.log(`wrote ${[...outputs.keys()].join(', ')}`);
  return 0;
}

async function resourceConfigure(ctx: KratixContext, config: AiPromiseConfig, io: RunIO): Promise<number> {
  const catalog = new Catalog(config.catalog);
  // Everything that can be checked without LiteLLM is checked first: a bad request writes nothing.
  const request = parseRequest(readObject(ctx), catalog);
  const rotation = effectiveRotation(catalog.tier(request.tier).rotation, request.rotation);
  const now = clock(io.env);
  const epoch = keyEpoch(rotation, request.uid, now);
  const workloadDestination = narrowSelector(config.destinations.workloads, request.destinationSelector);
  const credentials = await resolveCredentials(io.env, config);
  const client = litellmClient(io.env, config, credentials.masterKey);
  const keyOfEpoch = (id: string) => deriveVirtualKey(credentials.saltKey, request.uid, id);
  const apiKey = keyOfEpoch(epoch.id);
  const internalUrl = gatewayInternalUrl(config);
  // Clients may sit on other clusters: they get the public endpoint when the platform has one.
  const gatewayUrl = config.gateway.publicUrl || internalUrl;
  const { outputs, teamTier, uiUrl } = resourceOutputs({
    config,
    catalog,
    teamTier: {
      tier: request.tier,
      models: request.models,
      owner: request.team,
      requestNamespace: request.namespace,
      requestName: request.name,
      requestUid: request.uid,
      apiKey,
      gatewayUrl,
      keyEpoch: epoch.id,
    },
    ui: request.ui,
    webuiSecretKey: deriveWebUISecretKey(credentials.saltKey, request.uid),
  });

  const dryRun = io.env.KRATIX_DRY_RUN === 'true';
  const desired = { team: teamTier.team, key: teamTier.key, apiKey, keyOfEpoch, graceSeconds: rotation.graceSeconds, now };
  const { changes } = await reconcile(client, desired, dryRun);
  for (const change of changes) io.log(change);
  if (changes.length === 0) io.log(`team ${teamTier.team.team_id} and key ${teamTier.key.key_alias} already in place`);

  writeOutputs(ctx, outputs);
  writeDestinationSelectors(ctx, [{ directory: WORKLOAD_DIR, matchLabels: workloadDestination }]);
  const tier = teamTier.tier;
  const models = request.models.length === 1 ? '1 model' : `${request.models.length} models`;
  // Kratix replaces each top-level status key whole: `ai` is always written complete.
  writeStatus(ctx, {
    message: `Ready: ${tier.name} tier, ${models}, key in Secret ${teamTier.secretName}${uiUrl ? `, UI at ${uiUrl}` : ''}`,
    ai: {
      apiEndpoint: gatewayUrl,
      internalApiEndpoint: internalUrl,
      apiCredsSecretName: teamTier.secretName,
      ...(uiUrl ? { uiEndpoint: uiUrl } : {}),
      teamId: teamTier.team.team_id,
      tier: tier.name,
      limits: { rpm: tier.rpmLimit, tpm: tier.tpmLimit, maxBudget: tier.maxBudgetUsd, budgetDuration: tier.budgetDuration },
      models: [...request.models],
      key: {
        alias: teamTier.key.key_alias,
        fingerprint: teamTier.keyFingerprint,
        epoch: epoch.id,
        rotatesAt: epoch.rotatesAt ? epoch.rotatesAt.toISOString() : 'never (bump spec.rotation.trigger to rotate)',
        graceAfterRotation: `${rotation.graceSeconds}s`,
      },
    },
  });
  io.log(`wrote ${[...outputs.keys()].join(', ')}; ${client.counts.reads} read(s), ${client.counts.writes} write(s) to LiteLLM`);
  return 0;
}

/**
 * A request may narrow the platform's workload selector (pick one of the clusters it allows), never
 * escape it: the platform's labels always stay, and a request label that contradicts one is refused.
 */
export function narrowSelector(platform: Readonly<Record<string, string>>, requested: Readonly<Record<string, string>> | undefined): Record<string, string> {
  for (const [key, value] of Object.entries(requested ?? {})) {
    if (Object.hasOwn(platform, key) && platform[key] !== value) {
      throw new PipelineError(`spec.destinationSelector label ${quote(key)} value ${quote(value)} conflicts with the platform's ${key}=${platform[key]}: a request may only add labels`);
    }
  }
  return { ...platform, ...requested };
}

async function resourceDelete(ctx: KratixContext, config: AiPromiseConfig, io: RunIO): Promise<number> {
  const object = readObject(ctx) as { metadata?: { name?: unknown; namespace?: unknown } } | null;
  // Delete must work for any request that ever existed, even one the current catalog would reject
  // (a removed tier or model): only the identity matters.
  const name = object?.metadata?.name;
  const namespace = object?.metadata?.namespace;
  if (typeof name !== 'string' || name === '' || typeof namespace !== 'string' || namespace === '') {
    throw new PipelineError(`metadata.name ${quote(name)} / metadata.namespace ${quote(namespace)} do not identify a request`);
  }
  const credentials = await resolveCredentials(io.env, config);
  const client = litellmClient(io.env, config, credentials.masterKey);
  const changes = await deprovision(client, TeamTier.teamIdFor(namespace, name), `${namespace}/${name}`);
  for (const change of changes) io.log(change);
  return 0;
}
