import { createHash } from 'node:crypto';
import { MANAGED_BY, type KeySpec, type TeamSpec } from '../constructs/index.js';
import { PipelineError } from './errors.js';
import type { LiteLLMClient } from './litellm-client.js';

/** The fields of a LiteLLM team row the pipeline reads (`/team/info` → `team_info`). */
export interface ObservedTeam {
  readonly team_id: string;
  readonly team_alias?: string | null;
  readonly metadata?: Record<string, unknown> | null;
  readonly rpm_limit?: number | null;
  readonly tpm_limit?: number | null;
  readonly max_budget?: number | null;
  readonly budget_duration?: string | null;
  readonly models?: readonly string[] | null;
  /** USD spent since the last budget reset (read for status, never written). */
  readonly spend?: number | null;
  /** When LiteLLM next resets the team's spend (ISO 8601). */
  readonly budget_reset_at?: string | null;
}

/** The fields of a LiteLLM key row the pipeline reads (`/team/info` → `keys[]`, no token). */
export interface ObservedKey {
  readonly key_alias?: string | null;
  /** `sk-...` plus the plaintext's last four characters. */
  readonly key_name?: string | null;
  readonly team_id?: string | null;
  readonly models?: readonly string[] | null;
  readonly metadata?: Record<string, unknown> | null;
  readonly expires?: string | null;
  readonly created_at?: string | null;
}

export interface Observed {
  readonly team: ObservedTeam;
  readonly keys: readonly ObservedKey[];
}

/** What the request should have in LiteLLM. */
export interface Desired {
  readonly team: TeamSpec;
  readonly key: KeySpec;
  /** The key's plaintext: sent to LiteLLM only, never logged. */
  readonly apiKey: string;
  /** Plaintext of this request's key of an earlier epoch (derived), to set its expiry. */
  readonly keyOfEpoch: (epoch: string) => string;
  /** How long the previous key stays valid after a rotation; 0 deletes it at once. */
  readonly graceSeconds: number;
  readonly now: Date;
}

export type Step =
  | { readonly kind: 'create-team'; readonly body: TeamSpec }
  | { readonly kind: 'update-team'; readonly body: Record<string, unknown>; readonly fields: readonly string[] }
  | { readonly kind: 'delete-keys'; readonly aliases: readonly string[]; readonly reason: string }
  | { readonly kind: 'create-key'; readonly body: KeySpec & { readonly key: string } }
  | { readonly kind: 'update-key'; readonly body: Record<string, unknown>; readonly fields: readonly string[] }
  | { readonly kind: 'expire-key'; readonly alias: string; readonly body: { readonly key: string; readonly duration: string } };

const TEAM_FIELDS = ['team_alias', 'rpm_limit', 'tpm_limit', 'max_budget', 'budget_duration'] as const;

/** True when this promise created the team or key for this very request (namespace/name). */
export function isOurs(metadata: Record<string, unknown> | null | undefined, request: string): boolean {
  return metadata?.['managed-by'] === MANAGED_BY && metadata?.request === request;
}

function sameSet(a: readonly string[] | null | undefined, b: readonly string[]): boolean {
  const left = new Set(a ?? []);
  return left.size === new Set(b).size && b.every((x) => left.has(x));
}

/**
 * The writes that take LiteLLM from `observed` to `desired`, fewest first: nothing when they agree.
 * Pure: the reconcile loop and the tests call it with plain data. Refuses (throws) to touch a team
 * that this promise did not create for this request.
 */
export function plan(desired: Desired, observed: Observed | null): Step[] {
  const request = String(desired.team.metadata.request);
  const createKey: Step = { kind: 'create-key', body: { ...desired.key, key: desired.apiKey } };
  if (observed === null) return [{ kind: 'create-team', body: desired.team }, createKey];

  const team = observed.team;
  if (!isOurs(team.metadata, request)) {
    throw new PipelineError(
      `LiteLLM team '${team.team_id}' exists but was not created by this promise for ${request} ` +
        `(metadata managed-by ${JSON.stringify(team.metadata?.['managed-by'] ?? null)}, request ${JSON.stringify(team.metadata?.request ?? null)}); refusing to modify it`,
    );
  }

  const steps: Step[] = [];
  const drifted: string[] = TEAM_FIELDS.filter((f) => team[f] !== desired.team[f]);
  if (!sameSet(team.models, desired.team.models)) drifted.push('models');
  const metadataDrifted = Object.entries(desired.team.metadata).some(([k, v]) => team.metadata?.[k] !== v);
  if (metadataDrifted) drifted.push('metadata');
  if (drifted.length > 0) {
    const body: Record<string, unknown> = { team_id: team.team_id };
    for (const field of drifted) {
      // Keep metadata that others (or LiteLLM) added; overwrite only the keys this promise owns.
      body[field] = field === 'metadata' ? { ...team.metadata, ...desired.team.metadata } : desired.team[field as keyof TeamSpec];
    }
    steps.push({ kind: 'update-team', body, fields: drifted });
  }

  const ours = observed.keys.filter((k) => isOurs(k.metadata, request));
  refuseLowerTrigger(desired, ours);
  const current = ours.find((k) => k.key_alias === desired.key.key_alias);
  // key_name ends in the plaintext's last four characters: a different ending means the alias holds
  // some other key (an older uid or salt key), which must be replaced, not adopted.
  const currentMatches = current !== undefined && (current.key_name ?? '').endsWith(desired.apiKey.slice(-4));
  const { graced, remove } = previousKeys(desired, ours.filter((k) => k !== current));
  const stale = [...(current && !currentMatches ? [current] : []), ...remove].map((k) => String(k.key_alias));
  if (stale.length > 0) steps.push({ kind: 'delete-keys', aliases: stale, reason: 'stale' });

  if (!currentMatches) {
    steps.push(createKey);
  } else {
    const fields: string[] = [];
    const body: Record<string, unknown> = { key: desired.apiKey };
    if (!sameSet(current.models, desired.key.models)) {
      fields.push('models');
      body.models = desired.key.models;
    }
    if (current.expires) {
      // The current key must never expire: re-runs keep it, so an expiry would kill it silently.
      fields.push('expires');
      body.duration = '-1';
    }
    if (fields.length > 0) steps.push({ kind: 'update-key', body, fields });
  }
  // Only once the new key exists does the previous one start its countdown.
  if (graced && !graced.expires) {
    const key = desired.keyOfEpoch(String(graced.metadata?.epoch));
    steps.push({ kind: 'expire-key', alias: String(graced.key_alias), body: { key, duration: `${desired.graceSeconds}s` } });
  }
  return steps;
}

/** Epoch ids start with `r<trigger>` (pipeline/rotation.ts). */
const TRIGGER = /^r(\d+)/;

/**
 * Rotating back to an earlier trigger would revive a key the requester rotated away from, maybe
 * because it leaked: triggers only go up.
 */
function refuseLowerTrigger(desired: Desired, ours: readonly ObservedKey[]): void {
  const wanted = Number(TRIGGER.exec(String(desired.key.metadata.epoch))?.[1] ?? 0);
  const uid = desired.key.metadata['request-uid'];
  const used = ours
    .filter((k) => k.metadata?.['request-uid'] === uid)
    .map((k) => Number(TRIGGER.exec(String(k.metadata?.epoch ?? ''))?.[1] ?? -1));
  const highest = Math.max(-1, ...used);
  if (highest > wanted) {
    throw new PipelineError(`spec.rotation.trigger ${wanted} is lower than ${highest}, which this request already used: triggers only go up`);
  }
}

/**
 * Sorts this request's non-current keys into the one that keeps working through the grace period
 * (the newest still-valid key of the same request uid) and those to delete: expired keys, older
 * ones, keys of an earlier request of the same name, keys whose epoch is unknown. So a request never
 * has more than two live keys.
 */
function previousKeys(desired: Desired, others: readonly ObservedKey[]): { graced?: ObservedKey; remove: ObservedKey[] } {
  const uid = desired.key.metadata['request-uid'];
  const now = desired.now.getTime();
  const valid = (k: ObservedKey) => !k.expires || Date.parse(k.expires) > now;
  const candidates = others
    .filter((k) => k.metadata?.['request-uid'] === uid && typeof k.metadata?.epoch === 'string' && valid(k))
    .sort((a, b) => Date.parse(b.created_at ?? '') - Date.parse(a.created_at ?? '') || String(b.key_alias).localeCompare(String(a.key_alias)));
  const graced = desired.graceSeconds > 0 ? candidates[0] : undefined;
  return { ...(graced ? { graced } : {}), remove: others.filter((k) => k !== graced) };
}

export interface ReconcileResult {
  /** One line per change, for the run's log. */
  readonly changes: string[];
  /**
   * The newest team row this run saw, for status: observed, or as the last team write returned it
   * (null when neither told). No read is made for it.
   */
  readonly team: ObservedTeam | null;
}

/** `GET /team/info`: the one read of a steady-state run. */
export async function observe(client: LiteLLMClient, teamId: string): Promise<Observed | null> {
  const response = await client.get('/team/info', { team_id: teamId });
  if (response.status === 404) return null;
  if (response.status !== 200) throw new PipelineError(client.describe('GET', '/team/info', response));
  const body = response.body as { team_info?: ObservedTeam; keys?: ObservedKey[] } | undefined;
  if (!body?.team_info || body.team_info.team_id !== teamId) {
    throw new PipelineError(`LiteLLM GET /team/info for '${teamId}' answered 200 without that team`);
  }
  return { team: body.team_info, keys: Array.isArray(body.keys) ? body.keys : [] };
}

const ALREADY_EXISTS = /already exists/i;
const MAX_ROUNDS = 3;

/**
 * Observe, plan, apply; again when a write lost a race against another run of the same request
 * (LiteLLM's "already exists", or a 404 on something just observed). Converges from any partial
 * state a failed run left behind.
 */
export async function reconcile(client: LiteLLMClient, desired: Desired, dryRun = false): Promise<ReconcileResult> {
  const changes: string[] = [];
  const teamId = desired.team.team_id;
  for (let round = 1; round <= MAX_ROUNDS; round++) {
    const observed = await observe(client, teamId);
    const seen: TeamRowSeen = { team: observed?.team ?? null };
    const steps = plan(desired, observed);
    if (steps.length === 0) return { changes, team: seen.team };
    // A Kratix dry run previews a request: it may read LiteLLM, never change it.
    if (dryRun) return { changes: steps.map((step) => `dry run: would ${describe(step)}`), team: seen.team };
    let lostRace = false;
    for (const step of steps) {
      const outcome = await apply(client, desired, step, seen);
      if (outcome === 'lost-race') {
        lostRace = true;
        break;
      }
      changes.push(outcome);
    }
    if (!lostRace) return { changes, team: seen.team };
  }
  throw new PipelineError(`LiteLLM team '${teamId}' kept changing while ${MAX_ROUNDS} reconcile rounds ran; another writer is racing this pipeline`);
}

/** A step in words, without secrets: for dry-run logs. */
export function describe(step: Step): string {
  switch (step.kind) {
    case 'create-team':
      return `create team ${step.body.team_id}`;
    case 'update-team':
      return `update team ${String(step.body.team_id)}: ${step.fields.join(', ')}`;
    case 'delete-keys':
      return `delete ${step.reason} keys ${step.aliases.join(', ')}`;
    case 'create-key':
      return `create key ${step.body.key_alias}`;
    case 'update-key':
      return `update the current key: ${step.fields.join(', ')}`;
    case 'expire-key':
      return `keep previous key ${step.alias} valid for ${step.body.duration}`;
  }
}

/** The newest team row a run has seen: observed, or returned by /team/new or /team/update. */
interface TeamRowSeen {
  team: ObservedTeam | null;
}

/** A write's answer carries the team row (`/team/new`: the row; `/team/update`: `data`): status reads it for free. */
function teamRowOf(body: unknown, teamId: string): ObservedTeam | null {
  const row = (body as { data?: unknown } | null)?.data ?? body;
  return typeof row === 'object' && row !== null && (row as ObservedTeam).team_id === teamId ? (row as ObservedTeam) : null;
}

async function apply(client: LiteLLMClient, desired: Desired, step: Step, seen: TeamRowSeen): Promise<string | 'lost-race'> {
  const teamId = desired.team.team_id;
  switch (step.kind) {
    case 'create-team': {
      const response = await client.post('/team/new', step.body);
      if (response.status === 400 && ALREADY_EXISTS.test(JSON.stringify(response.body))) return 'lost-race';
      if (response.status !== 200) throw new PipelineError(client.describe('POST', '/team/new', response));
      seen.team = teamRowOf(response.body, teamId) ?? seen.team;
      return `created team ${teamId}`;
    }
    case 'update-team': {
      const response = await client.post('/team/update', step.body);
      if (response.status === 404) return 'lost-race';
      if (response.status !== 200) throw new PipelineError(client.describe('POST', '/team/update', response));
      seen.team = teamRowOf(response.body, teamId) ?? seen.team;
      return `updated team ${teamId}: ${step.fields.join(', ')}`;
    }
    case 'delete-keys': {
      const response = await client.post('/key/delete', { key_aliases: step.aliases });
      // 404 "No keys found": already deleted, by an overlapping run or by hand.
      if (response.status !== 200 && response.status !== 404) throw new PipelineError(client.describe('POST', '/key/delete', response));
      return `deleted ${step.reason} key${step.aliases.length === 1 ? '' : 's'} ${step.aliases.join(', ')}`;
    }
    case 'create-key': {
      await refuseRevived(client, step.body);
      const response = await client.post('/key/generate', step.body);
      if (response.status === 400 && ALREADY_EXISTS.test(JSON.stringify(response.body))) {
        const again = await observe(client, teamId);
        if (again?.keys.some((k) => k.key_alias === step.body.key_alias)) return 'lost-race';
        throw new PipelineError(`LiteLLM key alias '${step.body.key_alias}' is taken by a key outside team '${teamId}'; refusing to modify it`);
      }
      if (response.status !== 200) throw new PipelineError(client.describe('POST', '/key/generate', response));
      await verifyStored(client, step.body);
      return `created key ${step.body.key_alias}`;
    }
    case 'update-key': {
      const response = await client.post('/key/update', step.body);
      if (response.status === 404) return 'lost-race';
      if (response.status !== 200) throw new PipelineError(client.describe('POST', '/key/update', response));
      return `updated key ${desired.key.key_alias}: ${step.fields.join(', ')}`;
    }
    case 'expire-key': {
      const response = await client.post('/key/update', step.body);
      if (response.status === 404) {
        // The alias holds a key this run cannot derive (the salt key changed): it cannot be given
        // a grace period, and a key nobody can name must not stay valid forever.
        const deleted = await client.post('/key/delete', { key_aliases: [step.alias] });
        if (deleted.status !== 200 && deleted.status !== 404) throw new PipelineError(client.describe('POST', '/key/delete', deleted));
        return `deleted previous key ${step.alias} (not derivable, so no grace period)`;
      }
      if (response.status !== 200) throw new PipelineError(client.describe('POST', '/key/update', response));
      return `previous key ${step.alias} stays valid for ${step.body.duration}`;
    }
  }
}

/**
 * Keys are derived from the epoch, so going back to an earlier rotation trigger or period would
 * derive a key that was already revoked. LiteLLM keeps deleted keys on record; one read before each
 * new key (never in steady state) makes sure a revoked key is never brought back.
 */
async function refuseRevived(client: LiteLLMClient, body: KeySpec & { key: string }): Promise<void> {
  const response = await client.get('/key/list', { key_alias: body.key_alias, status: 'deleted', return_full_object: 'true', size: '100' });
  if (response.status !== 200) throw new PipelineError(client.describe('GET', '/key/list', response));
  const rows = (response.body as { keys?: unknown[] } | undefined)?.keys ?? [];
  const token = createHash('sha256').update(body.key).digest('hex');
  if (rows.some((row) => typeof row === 'object' && row !== null && (row as { token?: unknown }).token === token)) {
    throw new PipelineError(`key '${body.key_alias}' was revoked before (the request went back to an earlier rotation); bump spec.rotation.trigger to get a new key`);
  }
}

/**
 * `/key/generate` with a custom key that already exists answers 200 and stores nothing, echoing the
 * request. So a created key is read back before anyone is told it works.
 */
async function verifyStored(client: LiteLLMClient, body: KeySpec & { key: string }): Promise<void> {
  // By hash: a plaintext key in a query string would land in LiteLLM's and any proxy's access logs.
  const response = await client.get('/key/info', { key: createHash('sha256').update(body.key).digest('hex') });
  const info = (response.body as { info?: ObservedKey } | undefined)?.info;
  if (response.status !== 200 || info?.key_alias !== body.key_alias || info?.team_id !== body.team_id) {
    const found = response.status === 200 ? `alias ${JSON.stringify(info?.key_alias ?? null)} in team ${JSON.stringify(info?.team_id ?? null)}` : `status ${response.status}`;
    throw new PipelineError(`LiteLLM did not store key '${body.key_alias}' (the same key value already exists: ${found}); delete that key in LiteLLM, then re-run`);
  }
}

/** Removes the request's keys and team. "Not found" is success: a repeated delete converges. */
export async function deprovision(client: LiteLLMClient, teamId: string, request: string): Promise<string[]> {
  const observed = await observe(client, teamId);
  if (observed === null) return [`team ${teamId} already gone`];
  if (!isOurs(observed.team.metadata, request)) {
    return [`team ${teamId} was not created by this promise for ${request}; left untouched`];
  }
  const changes: string[] = [];
  const aliases = observed.keys.filter((k) => isOurs(k.metadata, request)).map((k) => String(k.key_alias));
  if (aliases.length > 0) {
    // Deleting keys by name first evicts them from LiteLLM's auth cache; a team delete alone can
    // leave cached keys usable for a while.
    const response = await client.post('/key/delete', { key_aliases: aliases });
    if (response.status !== 200 && response.status !== 404) throw new PipelineError(client.describe('POST', '/key/delete', response));
    changes.push(`deleted key${aliases.length === 1 ? '' : 's'} ${aliases.join(', ')}`);
  }
  const response = await client.post('/team/delete', { team_ids: [teamId] });
  if (response.status !== 200 && response.status !== 404) throw new PipelineError(client.describe('POST', '/team/delete', response));
  changes.push(`deleted team ${teamId}`);
  return changes;
}
