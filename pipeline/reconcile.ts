import { createHash } from 'node:crypto';
import { MANAGED_BY, type KeySpec, type TeamSpec } from '../constructs/index.js';
import { PipelineError, RequestError } from './errors.js';
import { type LiteLLMClient, type LiteLLMResponse, errorMessage } from './litellm-client.js';

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

/** The fields of a LiteLLM key row the pipeline reads (`/team/info` → `keys[]`, expired ones too). */
export interface ObservedKey {
  /**
   * SHA-256 hex of the plaintext: `/team/info` returns it (its loop meant to drop it edits a copy),
   * and LiteLLM accepts it wherever it accepts the key.
   */
  readonly token?: string | null;
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
  /** The key's plaintext: sent to LiteLLM only by /key/generate, never logged. */
  readonly apiKey: string;
  /** Plaintext of this request's key of an earlier epoch (derived), to set its expiry. */
  readonly keyOfEpoch: (epoch: string) => string;
  /** How long the previous key stays valid after a rotation; 0 deletes it at once. */
  readonly graceSeconds: number;
  readonly now: Date;
  /**
   * The team id an earlier version of this promise gave this request (TeamTier.legacyTeamIdFor):
   * looked up once when the current id has no team, and removed if it is this request's.
   */
  readonly legacyTeamId?: string;
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
  if (current !== undefined && currentMatches) refuseRetired(desired, current, ours);
  const { graced, remove } = previousKeys(desired, ours.filter((k) => k !== current));
  const stale = [...(current && !currentMatches ? [current] : []), ...remove].map((k) => String(k.key_alias));
  if (stale.length > 0) steps.push({ kind: 'delete-keys', aliases: stale, reason: 'stale' });

  if (!currentMatches) {
    steps.push(createKey);
  } else {
    const fields: string[] = [];
    const body: Record<string, unknown> = { key: keyHash(desired.apiKey) };
    if (!sameSet(current.models, desired.key.models)) {
      fields.push('models');
      body.models = desired.key.models;
    }
    if (fields.length > 0) steps.push({ kind: 'update-key', body, fields });
  }
  // Only once the new key exists does the previous one start its countdown.
  if (graced && !graced.expires) {
    // The observed hash names the key even when it can no longer be derived (the salt key changed).
    const key = graced.token || keyHash(desired.keyOfEpoch(String(graced.metadata?.epoch)));
    steps.push({ kind: 'expire-key', alias: String(graced.key_alias), body: { key, duration: `${desired.graceSeconds}s` } });
  }
  return steps;
}

/**
 * A key this request rotated away from never comes back (docs/design.md, "Rotation"). The epoch of a
 * run can recur: the request changes its rotation policy and back, or the clock steps back. Then the
 * desired alias names a key that was already superseded, and adopting it would revive a key the
 * requester may have rotated because it leaked. Retired, for good, is a key of this request that has
 * an expiry (the pipeline sets one only on a key it rotated away from; an expired key has one too) or
 * that is older than another key of the same request uid: the current key only moves forward.
 */
function refuseRetired(desired: Desired, current: ObservedKey, ours: readonly ObservedKey[]): void {
  const uid = desired.key.metadata['request-uid'];
  const created = Date.parse(current.created_at ?? '');
  const newer = ours.find((k) => k !== current && k.metadata?.['request-uid'] === uid && Date.parse(k.created_at ?? '') > created);
  const why = current.expires ? `it expires or expired at ${current.expires}` : newer ? `key ${String(newer.key_alias)} is newer` : undefined;
  if (why !== undefined) {
    throw new RequestError(
      `key '${desired.key.key_alias}' was rotated away from (${why}) and never becomes current again; the request's epoch went back (a rotation policy changed back, or the clock stepped back): bump spec.rotation.trigger to get a new key`,
    );
  }
}

/**
 * LiteLLM's `token`: the sha256 hex of a plaintext key. Every endpoint but /key/generate is sent
 * this instead of the plaintext, because LiteLLM echoes the key it was sent in errors (and so into
 * logs and status) and query strings land in access logs.
 */
export function keyHash(plaintext: string): string {
  return createHash('sha256').update(plaintext).digest('hex');
}

/**
 * `/key/update` on a key that does not exist: 404 on older releases (the handler's own check);
 * 401 "user key does not exist in db" on newer ones, where `PrismaClient.get_data(find_unique)`
 * raises first (litellm/proxy/utils.py). A 401 for any other reason (a bad master key) is not this.
 */
export function isMissingKey(response: LiteLLMResponse): boolean {
  if (response.status === 404) return true;
  return response.status === 401 && /user key does not exist in db/i.test(JSON.stringify(response.body ?? ''));
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
  // A loop, not Math.max(...spread): a team may hold any number of keys, and a spread of that size
  // overflows the stack.
  let highest = -1;
  for (const k of ours) {
    if (k.metadata?.['request-uid'] !== uid) continue;
    highest = Math.max(highest, Number(TRIGGER.exec(String(k.metadata?.epoch ?? ''))?.[1] ?? -1));
  }
  if (highest > wanted) {
    throw new RequestError(`spec.rotation.trigger ${wanted} is lower than ${highest}, which this request already used: triggers only go up`);
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

/** LiteLLM's own answer for a missing team (and, alas, for a failing lookup of one). */
const TEAM_NOT_FOUND = /team not found/i;

/**
 * `GET /team/info`: the one read of a steady-state run. Null only for LiteLLM's "Team not found";
 * any other 404 (a LITELLM_URL with a wrong path answers FastAPI's `{"detail":"Not Found"}`) fails.
 */
export async function observe(client: LiteLLMClient, teamId: string): Promise<Observed | null> {
  const response = await client.get('/team/info', { team_id: teamId });
  if (response.status === 404) {
    if (TEAM_NOT_FOUND.test(errorMessage(response.body))) return null;
    throw new PipelineError(`${client.describe('GET', '/team/info', response)}, which is not LiteLLM's "Team not found": check that LITELLM_URL is the proxy's base URL`);
  }
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
    if (observed === null && round === 1 && desired.legacyTeamId !== undefined) {
      const moved = await retireLegacyTeam(client, desired.legacyTeamId, String(desired.team.metadata.request), dryRun);
      changes.push(...moved);
    }
    const steps = plan(desired, observed);
    if (steps.length === 0) return { changes, team: seen.team };
    // A Kratix dry run previews a request: it may read LiteLLM, never change it.
    if (dryRun) return { changes: [...changes, ...steps.map((step) => `dry run: would ${describe(step)}`)], team: seen.team };
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

/** Aliases for a log line: a team can hold any number of keys, a log line should not. */
function listed(aliases: readonly string[]): string {
  const shown = aliases.slice(0, 5).join(', ');
  return aliases.length > 5 ? `${shown} and ${aliases.length - 5} more` : shown;
}

/** A step in words, without secrets: for dry-run logs. */
export function describe(step: Step): string {
  switch (step.kind) {
    case 'create-team':
      return `create team ${step.body.team_id}`;
    case 'update-team':
      return `update team ${String(step.body.team_id)}: ${step.fields.join(', ')}`;
    case 'delete-keys':
      return `delete ${step.reason} keys ${listed(step.aliases)}`;
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
      await deleteKeys(client, { key_aliases: step.aliases });
      return `deleted ${step.reason} key${step.aliases.length === 1 ? '' : 's'} ${listed(step.aliases)}`;
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
      if (isMissingKey(response)) return 'lost-race';
      if (response.status !== 200) throw new PipelineError(client.describe('POST', '/key/update', response));
      return `updated key ${desired.key.key_alias}: ${step.fields.join(', ')}`;
    }
    case 'expire-key': {
      const response = await client.post('/key/update', step.body);
      if (isMissingKey(response)) {
        // The alias holds a key this run cannot derive (the salt key changed): it cannot be given
        // a grace period, and a key nobody can name must not stay valid forever.
        await deleteKeys(client, { key_aliases: [step.alias] });
        return `deleted previous key ${step.alias} (not derivable, so no grace period)`;
      }
      if (response.status !== 200) throw new PipelineError(client.describe('POST', '/key/update', response));
      return `previous key ${step.alias} stays valid for ${step.body.duration}`;
    }
  }
}

/**
 * `POST /key/delete` by aliases or by hashes. 404 "No keys found" means already deleted (by an
 * overlapping run or by hand), which is what the caller wants; anything else but 200 fails.
 */
async function deleteKeys(client: LiteLLMClient, body: { readonly key_aliases: readonly string[] } | { readonly keys: readonly string[] }): Promise<void> {
  const response = await client.post('/key/delete', body);
  if (response.status !== 200 && response.status !== 404) throw new PipelineError(client.describe('POST', '/key/delete', response));
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
  const token = keyHash(body.key);
  if (rows.some((row) => typeof row === 'object' && row !== null && (row as { token?: unknown }).token === token)) {
    throw new RequestError(`key '${body.key_alias}' was revoked before (the request went back to an earlier rotation); bump spec.rotation.trigger to get a new key`);
  }
}

/**
 * `/key/generate` with a custom key that already exists answers 200 and stores nothing, echoing the
 * request. So a created key is read back before anyone is told it works.
 */
async function verifyStored(client: LiteLLMClient, body: KeySpec & { key: string }): Promise<void> {
  // By hash: a plaintext key in a query string would land in LiteLLM's and any proxy's access logs.
  const response = await client.get('/key/info', { key: keyHash(body.key) });
  const info = (response.body as { info?: ObservedKey } | undefined)?.info;
  if (response.status !== 200 || info?.key_alias !== body.key_alias || info?.team_id !== body.team_id) {
    const found = response.status === 200 ? `alias ${JSON.stringify(info?.key_alias ?? null)} in team ${JSON.stringify(info?.team_id ?? null)}` : `status ${response.status}`;
    throw new PipelineError(`LiteLLM did not store key '${body.key_alias}' (the same key value already exists: ${found}); delete that key in LiteLLM, then re-run`);
  }
}

/**
 * A team under the id an earlier version gave this request is moved, not left behind: its keys and
 * the team are deleted (only if they carry this request's marker), and the caller creates the team
 * under the current id with the same derived key. Its key works again seconds later.
 */
async function retireLegacyTeam(client: LiteLLMClient, legacyTeamId: string, request: string, dryRun: boolean): Promise<string[]> {
  const legacy = await observe(client, legacyTeamId);
  if (legacy === null || !isOurs(legacy.team.metadata, request)) return [];
  if (dryRun) return [`dry run: would move team ${legacyTeamId} (an id of an earlier version) to the current id`];
  return (await removeTeam(client, legacyTeamId, legacy, request)).map((change) => `${change} (an id of an earlier version)`);
}

/**
 * Removes the request's keys and teams (the current id and, for a long name, the id an earlier
 * version used). Exits only with evidence that no key of the request is left: see confirmGone.
 */
export async function deprovision(client: LiteLLMClient, teamIds: readonly string[], request: string): Promise<string[]> {
  const changes: string[] = [];
  for (const teamId of teamIds) {
    const observed = await observe(client, teamId);
    if (observed === null) changes.push(await confirmGone(client, teamId, request));
    else if (!isOurs(observed.team.metadata, request)) changes.push(`team ${teamId} was not created by this promise for ${request}; left untouched`);
    else changes.push(...(await removeTeam(client, teamId, observed, request)));
  }
  return changes;
}

async function removeTeam(client: LiteLLMClient, teamId: string, observed: Observed, request: string): Promise<string[]> {
  const changes: string[] = [];
  const aliases = observed.keys.filter((k) => isOurs(k.metadata, request)).map((k) => String(k.key_alias));
  if (aliases.length > 0) {
    // Deleting keys by name first evicts them from LiteLLM's auth cache; a team delete alone can
    // leave cached keys usable for a while.
    await deleteKeys(client, { key_aliases: aliases });
    changes.push(aliases.length === 1 ? `deleted key ${aliases[0]}` : `deleted ${aliases.length} keys`);
  }
  const response = await client.post('/team/delete', { team_ids: [teamId] });
  if (response.status === 404) {
    // Deleted meanwhile by an overlapping run, or a 404 that proves nothing: the same evidence rule.
    changes.push(await confirmGone(client, teamId, request));
    return changes;
  }
  if (response.status !== 200) throw new PipelineError(client.describe('POST', '/team/delete', response));
  const deleted = (response.body as { deleted_teams?: unknown } | undefined)?.deleted_teams;
  if (!Array.isArray(deleted) || !deleted.includes(teamId)) {
    throw new PipelineError(`LiteLLM POST /team/delete answered 200 without listing team '${teamId}' in deleted_teams, so the delete is not confirmed; Kratix retries it`);
  }
  changes.push(`deleted team ${teamId}`);
  return changes;
}

/** Rows LiteLLM's `/key/list` answers with; `keys` holds full rows with `return_full_object=true`. */
interface KeyListPage {
  readonly keys: readonly unknown[];
  readonly total_count: number;
}

function isKeyListPage(body: unknown): body is KeyListPage {
  const page = body as Partial<KeyListPage> | undefined;
  return Array.isArray(page?.keys) && typeof page?.total_count === 'number';
}

/**
 * The evidence a delete needs before it reports a team gone (docs/design.md, "Resource delete").
 * `/team/info` answers 404 "Team not found" for a missing team and also when its own database lookup
 * throws, so that answer alone proves nothing. An independent read must agree: `GET /key/list
 * ?team_id=<id>` answers 200 in LiteLLM's shape (`keys` a list, `total_count` a number) and lists no
 * key of that team. Keys it does list are deleted if they are this request's, and the run still
 * fails: the team lookup contradicted the key table, so Kratix retries and the next run decides on
 * fresh reads.
 */
async function confirmGone(client: LiteLLMClient, teamId: string, request: string): Promise<string> {
  const response = await client.get('/key/list', { team_id: teamId, return_full_object: 'true', size: '100' });
  if (response.status !== 200 || !isKeyListPage(response.body)) {
    const answer = response.status === 200 ? 'GET /key/list answered 200 without a key list' : client.describe('GET', '/key/list', response);
    throw new PipelineError(`cannot confirm that LiteLLM team '${teamId}' is gone: /team/info said "Team not found" but ${answer}; Kratix retries the delete`);
  }
  const page = response.body;
  if (page.total_count === 0 && page.keys.length === 0) return `team ${teamId} already gone (LiteLLM lists no key of it)`;
  const tokens = page.keys
    .filter((row): row is ObservedKey => typeof row === 'object' && row !== null && isOurs((row as ObservedKey).metadata, request))
    .map((row) => row.token)
    .filter((token): token is string => typeof token === 'string');
  if (tokens.length > 0) {
    await deleteKeys(client, { keys: tokens });
  }
  throw new PipelineError(
    `LiteLLM said team '${teamId}' is not found but still lists ${page.total_count} key(s) of it` +
      `${tokens.length > 0 ? ` (deleted the ${tokens.length} of this request)` : ''}; Kratix retries the delete`,
  );
}
