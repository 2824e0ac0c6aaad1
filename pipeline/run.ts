import { type AiPromiseConfig, type AiPromiseConfigProps, CONFIG_ENV, Catalog, TeamTier, gatewayInternalUrl, labelText, quote, resolvePromiseConfig } from '../constructs/index.js';
import { resolveCredentials } from './credentials.js';
import { LiteLLMUnavailableError, PipelineError, RequestError, UnsupportedLiteLLMError, sanitize } from './errors.js';
import { deriveSealingFingerprintKey, deriveVirtualKey, deriveWebUIAdminPassword, deriveWebUISecretKey } from './keys.js';
import { type KratixContext, clearPreviousAttempt, kratixContext, readObject, unknownWorkflowMessage, writeDestinationSelectors, writeOutputs, writeRetryAfter, writeStatus } from './kratix.js';
import { LiteLLMClient } from './litellm-client.js';
import { VersionCheckedClient } from './litellm-version.js';
import { deprovision, reconcile } from './reconcile.js';
import { clock, effectiveRotation, keyEpoch } from './rotation.js';
import { parseRequest } from './request.js';
import { ReusingSealer, sealedSecretsStatusKey, sealingCertificate } from './sealing.js';
import { PLATFORM_DIR, WORKLOAD_DIR, backstageSelectors, promiseOutputs, resourceOutputs } from './synth.js';
import { usageStatus } from './usage.js';

export interface RunIO {
  readonly env: NodeJS.ProcessEnv;
  readonly log: (line: string) => void;
  readonly error: (line: string) => void;
  /** Called as each phase of a resource configure ends; only the benchmark's phase breakdown sets it. */
  readonly phaseEnded?: (phase: RunPhase) => void;
}

/** What the run was doing, for a status message that says what failed without LiteLLM's words. */
interface Stage {
  now: string;
}

/** Phases of a resource configure, in order: input read and checked, outputs synthesized, LiteLLM observed (and changed), files written. */
export type RunPhase = 'read' | 'synth' | 'observe' | 'write';

/**
 * One pipeline run, as Kratix starts it: switch on the workflow type and action, do the work, and
 * turn any failure into one line on stderr and one short sentence in `status.message`. Returns the
 * exit code.
 */
export async function runPipeline(io: RunIO): Promise<number> {
  const ctx = kratixContext(io.env);
  const stage: Stage = { now: 'clearing what an earlier attempt left' };
  let config: AiPromiseConfig | undefined;
  try {
    // First, so that a same-pod restart starts from what Kratix gave, not what a failed attempt left.
    clearPreviousAttempt(ctx, [PLATFORM_DIR, WORKLOAD_DIR]);
    stage.now = 'reading the promise configuration';
    config = loadConfig(io.env);
    const workflow = `${ctx.workflowType}/${ctx.workflowAction}`;
    switch (workflow) {
      case 'promise/configure':
        return promiseConfigure(ctx, config, io, stage);
      case 'resource/configure':
        return await resourceConfigure(ctx, config, io, stage);
      case 'resource/delete':
        return await resourceDelete(ctx, config, io, stage);
      default:
        throw new PipelineError(unknownWorkflowMessage(ctx));
    }
  } catch (error) {
    return reportFailure(ctx, config, io, error, stage.now);
  }
}

/**
 * The sentence `status.message` gets for a failure. The status is tenant-visible, so it repeats the
 * detail only for a RequestError (which quotes the requester's own input) and an
 * UnsupportedLiteLLMError (two version numbers); anything else says what
 * the run was doing and who should act, and the detail stays in the pipeline log, which lives in the
 * platform namespace.
 */
function statusSentence(error: unknown, stage: string): string {
  if (error instanceof RequestError || error instanceof UnsupportedLiteLLMError) return sanitize(error.message, 300);
  if (error instanceof LiteLLMUnavailableError) {
    return `LiteLLM did not answer while ${stage}; the platform team should check that LiteLLM is up (details in the pipeline log)`;
  }
  return `the pipeline failed while ${stage}; the platform team can find the reason in the pipeline log`;
}

/**
 * Every failure ends here, and here nothing may throw: one line on stderr with the full, sanitized
 * and redacted detail, a short sentence in the status when the metadata dir takes it, and the exit
 * code. A stack trace in a pipeline log helps nobody.
 */
function reportFailure(ctx: KratixContext, config: AiPromiseConfig | undefined, io: RunIO, error: unknown, stage: string): number {
  // Bugs get the same one-line treatment.
  const detail = sanitize(error instanceof PipelineError ? error.message : `unexpected error: ${(error as Error)?.message ?? String(error)}`);
  const retryAfter = config?.retryWhenLiteLLMUnavailable;
  if (error instanceof LiteLLMUnavailableError && retryAfter && ctx.workflowType === 'resource' && ctx.workflowAction === 'configure') {
    // Nothing was written to output yet, and Kratix writes no Work for a retrying pipeline.
    const waiting = `Waiting for LiteLLM, retrying in ${retryAfter}: it did not answer while ${stage}`;
    try {
      writeRetryAfter(ctx, retryAfter, waiting);
      writeStatus(ctx, { message: waiting });
      io.error(`warning: Waiting for LiteLLM, retrying in ${retryAfter}: ${detail}`);
      return 0;
    } catch (writeError) {
      // Without workflow-control.yaml Kratix would take exit 0 for success: fail instead.
      io.error(`error: ${detail}; the retry could not be requested: ${sanitize((writeError as Error)?.message ?? String(writeError))}`);
      return 1;
    }
  }
  io.error(`error: ${detail}`);
  try {
    writeStatus(ctx, { message: `Failed: ${statusSentence(error, stage)}` });
  } catch {
    // The status is best effort when the metadata dir itself is unusable; stderr already has it.
  }
  return 1;
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

function litellmClient(env: NodeJS.ProcessEnv, config: AiPromiseConfig, masterKey: string, checkVersionBeforeWrites = false): LiteLLMClient {
  const baseUrl = checkedBaseUrl(env.LITELLM_URL || gatewayInternalUrl(config));
  const number = (name: string): number | undefined => {
    const value = env[name];
    if (value === undefined || value === '') return undefined;
    const n = Number(value);
    if (!Number.isInteger(n) || n <= 0) throw new PipelineError(`${name} ${quote(value)} is not a positive integer`);
    return n;
  };
  // Configure runs need the APIs of a recent release (pipeline/litellm-version.ts). Delete uses only
  // /team/info, /key/delete and /team/delete, which every release has: refusing it would block a teardown.
  const Client = checkVersionBeforeWrites ? VersionCheckedClient : LiteLLMClient;
  return new Client({
    baseUrl,
    masterKey,
    attemptTimeoutMs: number('LITELLM_TIMEOUT_MS'),
    callTimeoutMs: number('LITELLM_CALL_TIMEOUT_MS'),
    maxAttempts: number('LITELLM_MAX_ATTEMPTS'),
  });
}

/**
 * LITELLM_URL must be a plain http(s) base URL. A `user:password@` makes got send Basic auth instead
 * of the master key, and a query or fragment would be mangled into every call's path. The messages
 * never repeat the value: it may carry a password or a token, and they reach the log and status.
 */
function checkedBaseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new PipelineError('LITELLM_URL is not a URL (its value is not repeated here: it may hold a credential); set it to the proxy base URL, e.g. http://litellm.ai-platform.svc:4000');
  }
  if (url.username !== '' || url.password !== '') {
    throw new PipelineError(`LITELLM_URL for ${url.host} carries a user or password; remove it: the pipeline authenticates with LITELLM_MASTER_KEY only`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new PipelineError(`LITELLM_URL is not an http or https URL (its value is not repeated here: it may hold a credential)`);
  }
  if (url.search !== '' || url.hash !== '' || value.includes('?') || value.includes('#')) {
    throw new PipelineError(`LITELLM_URL for ${url.host} has a query or fragment; remove it: the value must be the proxy base URL`);
  }
  return value;
}

function promiseConfigure(ctx: KratixContext, config: AiPromiseConfig, io: RunIO, stage: Stage): number {
  stage.now = 'generating the gateway manifests';
  let outputs: Map<string, string>;
  try {
    outputs = promiseOutputs(config);
  } catch (error) {
    // The constructs validate the settings; `npm run synth` runs the same checks, so this only
    // fires for a hand-edited promise.yaml.
    throw new PipelineError(`${CONFIG_ENV}: ${(error as Error).message}`);
  }
  writeOutputs(ctx, outputs);
  writeDestinationSelectors(ctx, [{ directory: PLATFORM_DIR, matchLabels: config.destinations.platform }, ...backstageSelectors(config)]);
  // Promise workflows keep only `message` in status.
  writeStatus(ctx, { message: `Gateway ${config.gateway.name} and its database requested in ${config.platformNamespace}` });
  io.log(`wrote ${[...outputs.keys()].join(', ')}`);
  return 0;
}

async function resourceConfigure(ctx: KratixContext, config: AiPromiseConfig, io: RunIO, stage: Stage): Promise<number> {
  stage.now = 'checking the request';
  const catalog = new Catalog(config.catalog);
  // Everything that can be checked without LiteLLM is checked first: a bad request writes nothing.
  const object = readObject(ctx);
  const request = parseRequest(object, catalog);
  const previousStatus = (object as { status?: unknown } | null)?.status;
  const rotation = effectiveRotation(catalog.tier(request.tier).rotation, request.rotation);
  const now = clock(io.env);
  const epoch = keyEpoch(rotation, request.uid, now);
  const workloadDestination = narrowSelector(config.destinations.workloads, request.destinationSelector);
  const certificate = sealingCertificate(config, workloadDestination, now);
  stage.now = 'reading the LiteLLM settings and credentials';
  const credentials = resolveCredentials(io.env, config);
  const client = litellmClient(io.env, config, credentials.masterKey, true);
  io.phaseEnded?.('read');
  const keyOfEpoch = (id: string) => deriveVirtualKey(credentials.saltKey, request.uid, id);
  const sealer = certificate && new ReusingSealer(certificate, deriveSealingFingerprintKey(credentials.saltKey), previousStatus);
  const apiKey = keyOfEpoch(epoch.id);
  const internalUrl = gatewayInternalUrl(config);
  // Clients may sit on other clusters: they get the public endpoint when the platform has one.
  const gatewayUrl = config.gateway.publicUrl || internalUrl;
  stage.now = 'generating the manifests';
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
    sealer: sealer?.seal,
    webuiAdminPassword: deriveWebUIAdminPassword(credentials.saltKey, request.uid),
  });
  io.phaseEnded?.('synth');

  const dryRun = io.env.KRATIX_DRY_RUN === 'true';
  const legacyTeamId = TeamTier.legacyTeamIdFor(request.namespace, request.name);
  const desired = { team: teamTier.team, key: teamTier.key, apiKey, keyOfEpoch, graceSeconds: rotation.graceSeconds, now, ...(legacyTeamId ? { legacyTeamId } : {}) };
  stage.now = 'provisioning the team and key in LiteLLM';
  const { changes, team: observedTeam } = await reconcile(client, desired, dryRun);
  for (const change of changes) io.log(change);
  if (changes.length === 0) io.log(`team ${teamTier.team.team_id} and key ${teamTier.key.key_alias} already in place`);
  io.phaseEnded?.('observe');

  stage.now = 'writing the outputs';
  writeOutputs(ctx, outputs);
  writeDestinationSelectors(ctx, [{ directory: WORKLOAD_DIR, matchLabels: workloadDestination }, ...backstageSelectors(config)]);
  for (const name of sealer?.sealedAnew ?? []) io.log(`sealed Secret ${request.namespace}/${name} for ${labelText(certificate!.destination)} (certificate ${certificate!.fingerprint})`);
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
      usage: usageStatus(observedTeam, teamTier.team),
    },
    ...sealedSecretsStatusKey(sealer, previousStatus),
  });
  io.log(`wrote ${[...outputs.keys()].join(', ')}; ${client.counts.reads} read(s), ${client.counts.writes} write(s) to LiteLLM`);
  io.phaseEnded?.('write');
  return 0;
}

/**
 * A request may narrow the platform's workload selector (pick one of the clusters it allows), never
 * escape it: the platform's labels always stay, and a request label that contradicts one is refused.
 */
export function narrowSelector(platform: Readonly<Record<string, string>>, requested: Readonly<Record<string, string>> | undefined): Record<string, string> {
  for (const [key, value] of Object.entries(requested ?? {})) {
    if (Object.hasOwn(platform, key) && platform[key] !== value) {
      throw new RequestError(`spec.destinationSelector label ${quote(key)} value ${quote(value)} conflicts with the platform's ${key}=${platform[key]}: a request may only add labels`);
    }
  }
  return { ...platform, ...requested };
}

async function resourceDelete(ctx: KratixContext, config: AiPromiseConfig, io: RunIO, stage: Stage): Promise<number> {
  stage.now = 'reading the request';
  const object = readObject(ctx) as { metadata?: { name?: unknown; namespace?: unknown } } | null;
  // Delete must work for any request that ever existed, even one the current catalog would reject
  // (a removed tier or model): only the identity matters.
  const name = object?.metadata?.name;
  const namespace = object?.metadata?.namespace;
  if (typeof name !== 'string' || name === '' || typeof namespace !== 'string' || namespace === '') {
    throw new RequestError(`metadata.name ${quote(name)} / metadata.namespace ${quote(namespace)} do not identify a request`);
  }
  stage.now = 'reading the LiteLLM settings and credentials';
  const credentials = resolveCredentials(io.env, config);
  const client = litellmClient(io.env, config, credentials.masterKey);
  const legacyTeamId = TeamTier.legacyTeamIdFor(namespace, name);
  const teamIds = [TeamTier.teamIdFor(namespace, name), ...(legacyTeamId ? [legacyTeamId] : [])];
  stage.now = 'removing the team and keys from LiteLLM';
  const changes = await deprovision(client, teamIds, `${namespace}/${name}`);
  for (const change of changes) io.log(change);
  return 0;
}
