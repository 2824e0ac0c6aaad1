/**
 * Contract tests of the LiteLLM emulator: each behaviour names the upstream source it follows, so a
 * reader can tell a fact from a guess. Paths are in BerriAI/litellm.
 * - `@ vX.Y.Z` / `release notes vX.Y.Z`: the release that brought the change, per its release notes or PR.
 * - `@ main`: read in the current upstream source (2026); assumed unchanged back to the pinned
 *   v1.81.0, not checked release by release.
 * - `[reported]`: from issue or PR text or third-party observation, not from source.
 */
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LiteLLMEmulator, pyRepr } from './support/litellm-emulator.js';

const T0 = new Date('2025-01-15T10:00:00.000Z');
const T0_ISO = '2025-01-15T10:00:00+00:00';

let emu: LiteLLMEmulator;
let clock: Date;

beforeEach(async () => {
  clock = T0;
  emu = await LiteLLMEmulator.start({ now: () => clock });
});

afterEach(async () => {
  await emu.stop();
});

interface CallResult {
  status: number;
  text: string;
  body: any;
  headers: Headers;
}

interface CallOptions {
  /** Authorization value; null sends none. @default `Bearer <master key>` */
  auth?: string | null;
  headers?: Record<string, string>;
  /** Raw request body (overrides the JSON one) */
  raw?: string;
}

async function call(method: string, path: string, body?: unknown, options: CallOptions = {}): Promise<CallResult> {
  const headers: Record<string, string> = { ...options.headers };
  const auth = options.auth === undefined ? `Bearer ${emu.masterKey}` : options.auth;
  if (auth !== null) headers.authorization = auth;
  let payload: string | undefined;
  if (options.raw !== undefined) payload = options.raw;
  else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers['content-type'] = 'application/json';
  }
  const res = await fetch(`${emu.url}${path}`, { method, headers, ...(payload !== undefined ? { body: payload } : {}) });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, text, body: parsed, headers: res.headers };
}

const get = (path: string, options?: CallOptions) => call('GET', path, undefined, options);
const post = (path: string, body?: unknown, options?: CallOptions) => call('POST', path, body, options);
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

function proxyError(status: number, message: string, type: string, param: string | null = 'None') {
  return { error: { message, type, param, code: String(status) } };
}

async function newKey(body: Record<string, unknown> = {}): Promise<{ key: string; token: string }> {
  const res = await post('/key/generate', body);
  expect(res.status).toBe(200);
  return { key: res.body.key, token: res.body.token };
}

// -----------------------------------------------------------------------------------------------
// Source: litellm/proxy/auth/user_api_key_auth.py (get_api_key, _get_bearer_token, master-key compare_digest, virtual-key hash lookup) @ main
describe('authentication', () => {
  it('rejects a request without any key', async () => {
    // GIVEN no credentials WHEN a management endpoint is called
    const res = await get('/team/list', { auth: null });
    // THEN 401 ProxyException auth_error
    expect(res.status).toBe(401);
    expect(res.body).toEqual(proxyError(401, 'Authentication Error, No api key passed in.', 'auth_error'));
  });

  it('rejects an Authorization header without the Bearer prefix as malformed', async () => {
    // GIVEN the master key sent without "Bearer "
    const res = await get('/team/list', { auth: emu.masterKey });
    // THEN 401 with the documented malformed-key message
    expect(res.status).toBe(401);
    expect(res.body).toEqual(
      proxyError(401, 'Authentication Error, Malformed API Key passed in. Ensure Key has `Bearer ` prefix.', 'auth_error'),
    );
  });

  it('rejects a wrong key that is not a virtual key', async () => {
    // GIVEN a key without sk- that is not the master key
    const res = await get('/team/list', { auth: 'Bearer not-the-master-key' });
    // THEN 401 auth_error naming the masked key
    expect(res.status).toBe(401);
    expect(res.body).toEqual(
      proxyError(401, "LiteLLM Virtual Key expected. Received=not-****-key, expected to start with 'sk-'.", 'auth_error'),
    );
  });

  // litellm/proxy/auth/user_api_key_auth.py + litellm/proxy/utils.py (token hashed with hash_token before the DB lookup) @ main
  it('rejects an unknown sk- key after looking up its hash', async () => {
    // GIVEN an sk- key that was never generated
    const res = await get('/team/list', { auth: 'Bearer sk-unknown-1234' });
    // THEN 401 token_not_found_in_db naming the hash
    expect(res.status).toBe(401);
    expect(res.body.error).toMatchObject({ type: 'token_not_found_in_db', param: 'key', code: '401' });
    expect(res.body.error.message).toBe(
      `Authentication Error, Invalid proxy server token passed. Received API Key = sk-...1234, Key Hash (Token) =${sha256('sk-unknown-1234')}. ` +
        'Unable to find token in cache or `LiteLLM_VerificationTokenTable`',
    );
  });

  it('accepts the lowercase "bearer " prefix', async () => {
    const res = await get('/team/list', { auth: `bearer ${emu.masterKey}` });
    expect(res.status).toBe(200);
  });

  it('gives x-litellm-api-key precedence over Authorization', async () => {
    // GIVEN a wrong Authorization but the master key in x-litellm-api-key (with or without Bearer)
    const ok1 = await get('/team/list', { auth: 'Bearer wrong', headers: { 'x-litellm-api-key': emu.masterKey } });
    const ok2 = await get('/team/list', { auth: 'Bearer wrong', headers: { 'x-litellm-api-key': `Bearer ${emu.masterKey}` } });
    // AND the reverse
    const bad = await get('/team/list', { headers: { 'x-litellm-api-key': 'Bearer sk-nope' } });
    // THEN the custom header decides
    expect(ok1.status).toBe(200);
    expect(ok2.status).toBe(200);
    expect(bad.status).toBe(401);
    expect(bad.body.error.type).toBe('token_not_found_in_db');
  });

  // litellm/proxy/auth/route_checks.py (non_proxy_admin_allowed_routes_check) @ main
  it('refuses management endpoints to virtual keys', async () => {
    // GIVEN a valid virtual key
    const { key } = await newKey();
    // WHEN it calls /team/new
    const res = await post('/team/new', { team_id: 't' }, { auth: `Bearer ${key}` });
    // THEN 401 "Only proxy admin"
    expect(res.status).toBe(401);
    expect(res.body.error.type).toBe('auth_error');
    expect(res.body.error.message).toContain(
      'Authentication Error, Only proxy admin can be used to generate, delete, update info for new keys/users/teams. Route=/team/new.',
    );
    expect(emu.teams()).toEqual([]);
  });

  // litellm/proxy/health_endpoints/_health_endpoints.py (health_liveliness, health_readiness low-detail answer) @ main; public routes: litellm/proxy/_types.py LiteLLMRoutes.public_routes
  it('serves the public health routes without a key', async () => {
    const liveliness = await get('/health/liveliness', { auth: null });
    const liveness = await get('/health/liveness', { auth: null });
    const readiness = await get('/health/readiness', { auth: null });
    expect(liveliness.status).toBe(200);
    expect(liveliness.text).toBe('"I\'m alive!"');
    expect(liveness.body).toBe("I'm alive!");
    expect(readiness.status).toBe(200);
    expect(readiness.body).toEqual({ status: 'healthy' });
  });

  // FastAPI/Starlette routing defaults (not LiteLLM code)
  it('answers FastAPI 404 for unknown routes and 405 for wrong methods', async () => {
    const unknown = await get('/team/nope');
    const wrongMethod = await get('/team/new');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ detail: 'Not Found' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.body).toEqual({ detail: 'Method Not Allowed' });
  });
});

// -----------------------------------------------------------------------------------------------
// Source: FastAPI/pydantic v2 request validation of the models in litellm/proxy/_types.py (NewTeamRequest, GenerateKeyRequest, …) @ main
describe('request validation (422)', () => {
  it('rejects a body that is not JSON', async () => {
    const res = await post('/team/new', undefined, { raw: '{not json', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(422);
    expect(res.body.detail[0]).toMatchObject({ type: 'json_invalid', msg: 'JSON decode error' });
    expect(res.body.detail[0].loc[0]).toBe('body');
  });

  it('rejects a JSON body that is not an object, and a missing body', async () => {
    const array = await post('/team/new', [1, 2]);
    const empty = await post('/key/generate');
    expect(array.status).toBe(422);
    expect(array.body.detail).toEqual([
      { type: 'model_attributes_type', loc: ['body'], msg: 'Input should be a valid dictionary or object to extract fields from', input: [1, 2] },
    ]);
    expect(empty.status).toBe(422);
    expect(empty.body.detail).toEqual([{ type: 'missing', loc: ['body'], msg: 'Field required', input: null }]);
  });

  it('rejects fields of the wrong type with pydantic errors', async () => {
    const res = await post('/team/new', { team_id: 't1', tpm_limit: 'lots', models: null });
    expect(res.status).toBe(422);
    expect(res.body.detail).toEqual([
      { type: 'int_parsing', loc: ['body', 'tpm_limit'], msg: 'Input should be a valid integer, unable to parse string as an integer', input: 'lots' },
      { type: 'list_type', loc: ['body', 'models'], msg: 'Input should be a valid list', input: null },
    ]);
    expect(emu.teams()).toEqual([]);
  });
});

// -----------------------------------------------------------------------------------------------
// Source: litellm/proxy/management_endpoints/team_endpoints.py new_team @ main (caller added as admin: #7983 [reported])
describe('POST /team/new', () => {
  it('creates the team row and adds the caller as admin', async () => {
    // GIVEN a caller-chosen id and limits
    const res = await post('/team/new', {
      team_id: 'team-a',
      team_alias: 'Team A',
      models: ['gpt-5'],
      rpm_limit: 100,
      tpm_limit: 1000,
      max_budget: 10,
      budget_duration: '30d',
      metadata: { owner: 'x' },
      max_parallel_requests: 5,
    });
    // THEN the response is the stored row
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      team_id: 'team-a',
      team_alias: 'Team A',
      models: ['gpt-5'],
      rpm_limit: 100,
      tpm_limit: 1000,
      max_budget: 10,
      budget_duration: '30d',
      budget_reset_at: '2025-02-14T10:00:00+00:00',
      metadata: { owner: 'x' },
      blocked: false,
      spend: 0,
      max_parallel_requests: null,
      members_with_roles: [{ role: 'admin', user_id: 'default_user_id', user_email: null }],
      created_at: T0_ISO,
      updated_at: T0_ISO,
    });
    expect(emu.teams()).toEqual([res.body]);
  });

  it('generates a uuid4 team_id when none is given', async () => {
    const res = await post('/team/new', {});
    expect(res.status).toBe(200);
    expect(res.body.team_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(res.body.metadata).toEqual({});
    expect(res.body.models).toEqual([]);
  });

  // litellm/proxy/management_endpoints/team_endpoints.py new_team raises HTTPException(400, detail={'error': …}), converted by handle_exception_on_proxy @ main [status and text reported]
  it('answers 400 with a dict-repr message for a duplicate team_id', async () => {
    // GIVEN an existing team
    await post('/team/new', { team_id: 'team-a' });
    // WHEN it is created again
    const res = await post('/team/new', { team_id: 'team-a', team_alias: 'other' });
    // THEN 400 "already exists", nothing changed
    expect(res.status).toBe(400);
    expect(res.body).toEqual(
      proxyError(400, "{'error': 'Team id = team-a already exists. Please use a different team id.'}", 'internal_server_error'),
    );
    expect(emu.teams()).toHaveLength(1);
    expect(emu.teams()[0]!.team_alias).toBeNull();
  });

  // team_alias has no unique constraint: schema.prisma LiteLLM_TeamTable @ main; PR #3572 [reported]
  it('creates a second team for a duplicate alias', async () => {
    const first = await post('/team/new', { team_alias: 'same' });
    const second = await post('/team/new', { team_alias: 'same' });
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.body.team_id).not.toBe(first.body.team_id);
    expect(emu.teams().map((t) => t.team_alias)).toEqual(['same', 'same']);
  });
});

// -----------------------------------------------------------------------------------------------
// Source: litellm/proxy/management_endpoints/team_endpoints.py team_info (+ _convert_team_info_exception: HTTPException → auth_error, status kept) @ main
describe('GET /team/info', () => {
  it('returns the team, all its keys with their hashed token (expired ones too), and memberships', async () => {
    // Upstream: BerriAI/litellm litellm/proxy/management_endpoints/team_endpoints.py, team_info():
    // `get_data(team_id=..., table_name="key", query_type="find_all", expires=...)` takes the team_id
    // branch, which filters on team_id only; "REMOVE HASHED TOKEN INFO" does `key = key.model_dump();
    // key.pop("token", None)` on a local copy, so the returned rows keep `token`.
    // GIVEN a team with a live key and an expired one
    await post('/team/new', { team_id: 'team-a', team_alias: 'A' });
    const live = await newKey({ team_id: 'team-a', key_alias: 'a-key' });
    const expired = await newKey({ team_id: 'team-a', key_alias: 'a-old', duration: '1h' });
    clock = new Date(T0.getTime() + 2 * 3_600_000);
    // WHEN the team is read
    const res = await get('/team/info?team_id=team-a');
    // THEN
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['keys', 'team_id', 'team_info', 'team_memberships']);
    expect(res.body.team_id).toBe('team-a');
    expect(res.body.team_info).toMatchObject({ team_id: 'team-a', team_alias: 'A', team_member_budget_table: null });
    expect(res.body.team_memberships).toEqual([]);
    expect(res.body.keys).toHaveLength(2);
    expect(res.body.keys[0]).toMatchObject({ key_alias: 'a-key', team_id: 'team-a', token: live.token, expires: null });
    expect(res.body.keys[1]).toMatchObject({ key_alias: 'a-old', token: expired.token, expires: '2025-01-15T11:00:00+00:00' });
    // AND the plaintext never
    expect(JSON.stringify(res.body)).not.toContain(live.key);
  });

  it('answers 404 auth_error with a dict-repr message for an unknown team', async () => {
    const res = await get('/team/info?team_id=ghost');
    expect(res.status).toBe(404);
    expect(res.body).toEqual(proxyError(404, "{'message': 'Team not found, passed team id: ghost.'}", 'auth_error'));
  });

  it('answers the same 404 "Team not found" when the lookup itself fails, so a 404 alone proves nothing', async () => {
    // Upstream: team_endpoints.py team_info() wraps `prisma_client.db.litellm_teamtable.find_unique`
    // in `try: ... except Exception: raise HTTPException(status_code=404, detail={"message": "Team not
    // found, passed team id: ..."})`: a database error reads exactly like a missing team.
    // GIVEN a team that exists, and a failing lookup
    await post('/team/new', { team_id: 'present' });
    emu.inject({ path: '/team/info', teamLookupFails: true });
    // WHEN it is read twice
    const failed = await get('/team/info?team_id=present');
    const found = await get('/team/info?team_id=present');
    // THEN the failing lookup is indistinguishable from a missing team, and the next one finds it
    expect(failed.status).toBe(404);
    expect(failed.body).toEqual(proxyError(404, "{'message': 'Team not found, passed team id: present.'}", 'auth_error'));
    expect(found.status).toBe(200);
    expect(emu.requests.map((r) => r.faulted)).toEqual([false, true, false]);
  });

  it('answers 422 in the ProxyException shape without team_id', async () => {
    const res = await get('/team/info');
    expect(res.status).toBe(422);
    expect(res.body).toEqual(proxyError(422, "{'message': 'Malformed request. No team id passed in.'}", 'auth_error'));
  });
});

// -----------------------------------------------------------------------------------------------
// Source: litellm/proxy/management_endpoints/team_endpoints.py update_team (exclude_unset; no try/except, so FastAPI's {"detail":…} shape) @ main; spend kept: #34270 [reported]
describe('POST /team/update', () => {
  it('writes only the fields present, an explicit null clears', async () => {
    // GIVEN a team with limits
    await post('/team/new', { team_id: 'team-a', team_alias: 'A', rpm_limit: 10, tpm_limit: 20, models: ['gpt-5'] });
    clock = new Date('2025-01-16T00:00:00.000Z');
    // WHEN rpm_limit is changed and tpm_limit cleared
    const res = await post('/team/update', { team_id: 'team-a', rpm_limit: 50, tpm_limit: null });
    // THEN {team_id, data} with the other fields untouched
    expect(res.status).toBe(200);
    expect(res.body.team_id).toBe('team-a');
    expect(res.body.data).toMatchObject({
      team_alias: 'A',
      rpm_limit: 50,
      tpm_limit: null,
      models: ['gpt-5'],
      created_at: T0_ISO,
      updated_at: '2025-01-16T00:00:00+00:00',
    });
    expect(emu.teams()[0]).toEqual(res.body.data);
  });

  it('recomputes budget_reset_at from budget_duration without resetting spend', async () => {
    emu.seedTeam({ team_id: 'team-a', spend: 3.5 });
    const res = await post('/team/update', { team_id: 'team-a', budget_duration: '1h', max_budget: 5 });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ budget_duration: '1h', budget_reset_at: '2025-01-15T11:00:00+00:00', spend: 3.5, max_budget: 5 });
  });

  it('answers 404 in the detail shape for an unknown team', async () => {
    const res = await post('/team/update', { team_id: 'ghost', rpm_limit: 1 });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ detail: { error: 'Team not found, passed team_id=ghost' } });
  });

  it('answers 422 without team_id', async () => {
    const res = await post('/team/update', { rpm_limit: 1 });
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ detail: [{ type: 'missing', loc: ['body', 'team_id'], msg: 'Field required', input: { rpm_limit: 1 } }] });
  });
});

// -----------------------------------------------------------------------------------------------
// Source: litellm/proxy/management_endpoints/team_endpoints.py delete_team (checks every id, then deletes keys, memberships, teams) @ main
describe('POST /team/delete', () => {
  it("deletes the teams and their keys, leaving other teams' keys", async () => {
    // GIVEN two teams with a key each
    await post('/team/new', { team_id: 'a' });
    await post('/team/new', { team_id: 'b' });
    await newKey({ team_id: 'a', key_alias: 'ka' });
    await newKey({ team_id: 'b', key_alias: 'kb' });
    // WHEN team a is deleted
    const res = await post('/team/delete', { team_ids: ['a'] });
    // THEN
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ deleted_teams: ['a'] });
    expect(emu.teams().map((t) => t.team_id)).toEqual(['b']);
    expect(emu.keys().map((k) => k.key_alias)).toEqual(['kb']);
  });

  it('checks every id first and deletes nothing when one is missing', async () => {
    await post('/team/new', { team_id: 'a' });
    await newKey({ team_id: 'a' });
    const res = await post('/team/delete', { team_ids: ['a', 'ghost'] });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ detail: { error: 'Team not found, passed team_id=ghost' } });
    expect(emu.teams()).toHaveLength(1);
    expect(emu.keys()).toHaveLength(1);
  });

  it('answers 404 on a repeat delete and 422 without team_ids', async () => {
    await post('/team/new', { team_id: 'a' });
    expect((await post('/team/delete', { team_ids: ['a'] })).status).toBe(200);
    const repeat = await post('/team/delete', { team_ids: ['a'] });
    const invalid = await post('/team/delete', {});
    expect(repeat.status).toBe(404);
    expect(repeat.body.detail.error).toContain('not found');
    expect(invalid.status).toBe(422);
    expect(invalid.body.detail[0]).toMatchObject({ type: 'missing', loc: ['body', 'team_ids'] });
  });
});

// -----------------------------------------------------------------------------------------------
// Source: litellm/proxy/management_endpoints/team_endpoints.py list_team (bare array) and list_team_v2 (paginated) @ main
describe('team listing', () => {
  it('GET /team/list returns a bare array sorted by team_alias, with keys', async () => {
    await post('/team/new', { team_id: 'z', team_alias: 'zeta' });
    await post('/team/new', { team_id: 'n' });
    await post('/team/new', { team_id: 'a', team_alias: 'alpha' });
    await newKey({ team_id: 'a' });
    const res = await get('/team/list');
    expect(res.status).toBe(200);
    expect(Array.isArray(res.body)).toBe(true);
    expect(res.body.map((t: { team_id: string }) => t.team_id)).toEqual(['n', 'a', 'z']);
    expect(res.body[1].keys).toHaveLength(1);
    expect(res.body[1].team_memberships).toEqual([]);
  });

  it('GET /v2/team/list paginates and filters team_alias case-insensitively', async () => {
    for (let i = 0; i < 3; i++) await post('/team/new', { team_id: `p${i}`, team_alias: `Platform-${i}` });
    await post('/team/new', { team_id: 'other', team_alias: 'Data' });
    const page = await get('/v2/team/list?team_alias=platform&page=2&page_size=2&sort_by=team_id&sort_order=asc');
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ total: 3, page: 2, page_size: 2, total_pages: 2 });
    expect(page.body.teams.map((t: { team_id: string }) => t.team_id)).toEqual(['p2']);
    const tooBig = await get('/v2/team/list?page_size=101');
    expect(tooBig.status).toBe(422);
    expect(tooBig.body.detail[0]).toMatchObject({ type: 'less_than_equal', loc: ['query', 'page_size'] });
  });
});

// -----------------------------------------------------------------------------------------------
// Source: litellm/proxy/management_endpoints/key_management_endpoints.py generate_key_fn / generate_key_helper_fn @ main
describe('POST /key/generate', () => {
  it('returns the plaintext once and stores only its hash', async () => {
    // GIVEN a team
    await post('/team/new', { team_id: 'team-a' });
    // WHEN a key is generated
    const res = await post('/key/generate', {
      team_id: 'team-a',
      key_alias: 'alias-1',
      models: ['gpt-5'],
      max_budget: 5,
      rpm_limit: 7,
      metadata: { purpose: 'test' },
    });
    // THEN the response carries key, token, token_id, key_name and echoes the request
    expect(res.status).toBe(200);
    const key: string = res.body.key;
    expect(key).toMatch(/^sk-[A-Za-z0-9_-]{22}$/);
    expect(res.body).toMatchObject({
      token: sha256(key),
      token_id: sha256(key),
      key_name: `sk-...${key.slice(-4)}`,
      key_alias: 'alias-1',
      team_id: 'team-a',
      models: ['gpt-5'],
      max_budget: 5,
      rpm_limit: 7,
      metadata: { purpose: 'test' },
      expires: null,
      spend: 0,
      created_by: 'default_user_id',
      created_at: T0_ISO,
      litellm_budget_table: null,
    });
    // AND the stored row has the hash but never the plaintext
    const rows = emu.keys();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.token).toBe(sha256(key));
    expect(JSON.stringify(rows)).not.toContain(key);
  });

  it('rejects a custom key without the sk- prefix', async () => {
    const res = await post('/key/generate', { key: 'my-custom-key-123' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(
      proxyError(400, `{'error': "Invalid key format. LiteLLM Virtual Key must start with 'sk-'. Received: my-c****-123"}`, 'internal_server_error'),
    );
    expect(emu.keys()).toEqual([]);
  });

  // litellm/proxy/management_endpoints/key_management_endpoints.py _enforce_unique_key_alias @ main [response body reported]
  it('rejects a duplicate key_alias from any team with the exact documented body', async () => {
    // GIVEN a key with alias X in team a
    await newKey({ team_id: 'a', key_alias: 'X' });
    // WHEN another key with alias X is requested for team b, with a new custom key
    const res = await post('/key/generate', { team_id: 'b', key_alias: 'X', key: 'sk-brand-new-0001' });
    // THEN 400 before anything is inserted
    expect(res.status).toBe(400);
    expect(res.text).toBe(
      '{"error":{"message":"Key with alias \'X\' already exists. Unique key aliases across all keys are required.","type":"bad_request_error","param":"key_alias","code":"400"}}',
    );
    expect(emu.keys()).toHaveLength(1);
  });

  // #40705 [reported]
  it('counts the empty alias as an alias', async () => {
    await newKey({ key_alias: '' });
    const res = await post('/key/generate', { key_alias: '' });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain("Key with alias '' already exists");
  });

  // litellm/proxy/utils.py insert_data: upsert on the token with an empty update @ main; #20494 [reported]
  it('treats a duplicate custom key with a new alias as a silent no-op', async () => {
    // GIVEN a custom key with alias old
    clock = T0;
    await newKey({ key: 'sk-custom-0001', key_alias: 'old', team_id: 't1' });
    const before = emu.keys();
    // WHEN the same key is generated again with another alias and team
    clock = new Date('2025-01-20T00:00:00.000Z');
    const res = await post('/key/generate', { key: 'sk-custom-0001', key_alias: 'new', team_id: 't2' });
    // THEN 200 echoing the new request, but the stored row is unchanged
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ key: 'sk-custom-0001', key_alias: 'new', team_id: 't2', token: sha256('sk-custom-0001') });
    expect(res.body.created_at).toBe(T0_ISO);
    expect(emu.keys()).toEqual(before);
    // AND repeating the identical original request fails the alias check
    const again = await post('/key/generate', { key: 'sk-custom-0001', key_alias: 'old', team_id: 't1' });
    expect(again.status).toBe(400);
    expect(again.body.error.param).toBe('key_alias');
  });

  // no team lookup without litellm.key_generation_settings @ main; failure at use [reported]
  it('accepts a team_id that does not exist', async () => {
    const res = await post('/key/generate', { team_id: 'no-such-team' });
    expect(res.status).toBe(200);
    expect(emu.keys()[0]!.team_id).toBe('no-such-team');
  });

  // litellm/litellm_core_utils/duration_parser.py duration_in_seconds @ main
  it('sets expires to now + duration, never for null', async () => {
    const cases: [string | null, string | null][] = [
      [null, null],
      ['30s', '2025-01-15T10:00:30+00:00'],
      ['15m', '2025-01-15T10:15:00+00:00'],
      ['2h', '2025-01-15T12:00:00+00:00'],
      ['30d', '2025-02-14T10:00:00+00:00'],
      ['1mo', '2025-02-15T10:00:00+00:00'],
    ];
    for (const [duration, expires] of cases) {
      const res = await post('/key/generate', { duration });
      expect(res.status).toBe(200);
      expect(res.body.expires).toBe(expires);
    }
  });

  it('answers 500 for an unparsable duration and 400 for a negative max_budget', async () => {
    const badDuration = await post('/key/generate', { duration: 'forever' });
    const negative = await post('/key/generate', { max_budget: -1 });
    expect(badDuration.status).toBe(500);
    expect(badDuration.body).toEqual(proxyError(500, 'Invalid duration format', 'internal_server_error'));
    expect(negative.status).toBe(400);
    expect(negative.body).toEqual(proxyError(400, "{'error': 'max_budget cannot be negative. Received: -1.0'}", 'internal_server_error'));
    expect(emu.keys()).toEqual([]);
  });
});

// -----------------------------------------------------------------------------------------------
// Source: litellm/proxy/management_endpoints/key_management_endpoints.py info_key_fn (token removed from the row) @ main; 404 body: #9861 [reported]
describe('GET /key/info', () => {
  it('finds a key by plaintext or by hash and hides the token', async () => {
    const { key, token } = await newKey({ key_alias: 'info-me', team_id: 't' });
    for (const passed of [key, token]) {
      const res = await get(`/key/info?key=${passed}`);
      expect(res.status).toBe(200);
      expect(res.body.key).toBe(passed);
      expect(res.body.info).toMatchObject({ key_alias: 'info-me', team_id: 't', key_name: `sk-...${key.slice(-4)}`, expires: null });
      expect(res.body.info).not.toHaveProperty('token');
    }
  });

  it('answers 404 with the exact documented body for an unknown key', async () => {
    const res = await get('/key/info?key=sk-missing');
    expect(res.status).toBe(404);
    expect(res.text).toBe('{"error":{"message":"Key not found in database","type":"not_found_error","param":"key","code":"404"}}');
  });
});

// -----------------------------------------------------------------------------------------------
// Source: litellm/proxy/management_endpoints/key_management_endpoints.py update_key_fn / prepare_key_update_data @ main
describe('POST /key/update', () => {
  it('applies only the fields sent and echoes the key as passed', async () => {
    const { key, token } = await newKey({ key_alias: 'k1', rpm_limit: 5, tpm_limit: 50, metadata: { a: 1 } });
    const res = await post('/key/update', { key: token, rpm_limit: 9, max_budget: null });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ key: token, rpm_limit: 9, max_budget: null });
    expect(emu.keys()[0]).toMatchObject({ key_alias: 'k1', rpm_limit: 9, tpm_limit: 50, metadata: { a: 1 } });
    // plaintext works as well
    expect((await post('/key/update', { key, tpm_limit: 1 })).status).toBe(200);
    expect(emu.keys()[0]!.tpm_limit).toBe(1);
  });

  // "-1" = never expires: PR #18278, release notes v1.80.15 (older releases: see 'as an older release' below)
  it('extends expiry with duration and removes it with "-1"', async () => {
    const { token } = await newKey({ duration: '1h' });
    clock = new Date('2025-01-15T10:30:00.000Z');
    const extended = await post('/key/update', { key: token, duration: '7d' });
    expect(extended.status).toBe(200);
    expect(extended.body.expires).toBe('2025-01-22T10:30:00+00:00');
    expect(emu.keys()[0]!.expires).toBe('2025-01-22T10:30:00+00:00');
    const forever = await post('/key/update', { key: token, duration: '-1' });
    expect(forever.status).toBe(200);
    expect(emu.keys()[0]!.expires).toBeNull();
  });

  it('re-checks alias uniqueness excluding the key itself', async () => {
    const { token } = await newKey({ key_alias: 'mine' });
    await newKey({ key_alias: 'theirs' });
    const self = await post('/key/update', { key: token, key_alias: 'mine' });
    const clash = await post('/key/update', { key: token, key_alias: 'theirs' });
    expect(self.status).toBe(200);
    expect(clash.status).toBe(400);
    expect(clash.body).toEqual(
      proxyError(400, "Key with alias 'theirs' already exists. Unique key aliases across all keys are required.", 'bad_request_error', 'key_alias'),
    );
  });

  // litellm/proxy/utils.py PrismaClient.get_data(query_type="find_unique") raises HTTPException(401)
  // before update_key_fn's own check, which _convert… turns into auth_error @ main
  it('answers 401 "user key does not exist in db" for an unknown key, echoing the key as sent', async () => {
    const byHash = await post('/key/update', { key: sha256('sk-missing'), rpm_limit: 1 });
    const byPlaintext = await post('/key/update', { key: 'sk-missing', rpm_limit: 1 });
    expect(byHash.status).toBe(401);
    expect(byHash.body).toEqual(
      proxyError(401, `Authentication Error: invalid user key - user key does not exist in db. User Key=${sha256('sk-missing')}`, 'auth_error'),
    );
    // The echo is why the pipeline sends hashes: a plaintext would come back in the error.
    expect(byPlaintext.body.error.message).toBe('Authentication Error: invalid user key - user key does not exist in db. User Key=sk-missing');
    expect(emu.keys()).toEqual([]);
  });

  // PR #34851 [reported]: newer than the pinned v1.81.0, kept because the pipeline never relies on it
  it('identifies a key by key_alias alone: one match updates, none 404, several 400', async () => {
    await newKey({ key_alias: 'solo' });
    emu.seedKey('sk-twin-0001', { key_alias: 'twin' });
    emu.seedKey('sk-twin-0002', { key_alias: 'twin' });
    const one = await post('/key/update', { key_alias: 'solo', rpm_limit: 3 });
    const none = await post('/key/update', { key_alias: 'nobody', rpm_limit: 3 });
    const many = await post('/key/update', { key_alias: 'twin', rpm_limit: 3 });
    const neither = await post('/key/update', { rpm_limit: 3 });
    expect(one.status).toBe(200);
    expect(emu.keys().find((k) => k.key_alias === 'solo')!.rpm_limit).toBe(3);
    expect(none.status).toBe(404);
    expect(none.body.error).toMatchObject({ type: 'auth_error', code: '404' });
    expect(many.status).toBe(400);
    expect(many.body.error.message).toContain("Multiple keys share key_alias='twin'");
    expect(neither.status).toBe(422);
    expect(neither.body.detail[0]).toMatchObject({ type: 'missing', loc: ['body', 'key'] });
  });
});

// -----------------------------------------------------------------------------------------------
// Source: litellm/proxy/management_endpoints/key_management_endpoints.py delete_key_fn + litellm/proxy/_types.py KeyRequest.validate_at_least_one @ main
describe('POST /key/delete', () => {
  it('deletes by plaintext or hash and echoes exactly what was sent', async () => {
    const a = await newKey();
    const b = await newKey();
    const sent = [a.key, b.token, 'sk-never-existed'];
    const res = await post('/key/delete', { keys: sent });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ deleted_keys: sent });
    expect(emu.keys()).toEqual([]);
  });

  it('deletes by key_aliases', async () => {
    await newKey({ key_alias: 'gone' });
    await newKey({ key_alias: 'stays' });
    const res = await post('/key/delete', { key_aliases: ['gone'] });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ deleted_keys: ['gone'] });
    expect(emu.keys().map((k) => k.key_alias)).toEqual(['stays']);
  });

  it('answers 404 internal_server_error when nothing matches', async () => {
    const byKey = await post('/key/delete', { keys: ['sk-none'] });
    const byAlias = await post('/key/delete', { key_aliases: ['none'] });
    for (const res of [byKey, byAlias]) {
      expect(res.status).toBe(404);
      expect(res.body).toEqual(proxyError(404, "{'error': 'No keys found'}", 'internal_server_error'));
    }
  });

  it('answers 422 with neither keys nor key_aliases', async () => {
    const res = await post('/key/delete', {});
    const emptyList = await post('/key/delete', { keys: [] });
    expect(res.status).toBe(422);
    expect(res.body.detail).toEqual([
      { type: 'value_error', loc: ['body'], msg: "Value error, At least one of 'keys' or 'key_aliases' must be provided.", input: {}, ctx: { error: {} } },
    ]);
    expect(emptyList.status).toBe(422);
  });

  // deleted-keys table and `status` query: PRs #18228/#19260, release notes v1.81.0
  it('archives deleted keys, listed by /key/list?status=deleted', async () => {
    const { token } = await newKey({ key_alias: 'old' });
    await post('/key/delete', { keys: [token] });
    const live = await get('/key/list');
    const deleted = await get('/key/list?status=deleted');
    expect(live.body.keys).toEqual([]);
    expect(deleted.body.keys).toEqual([token]);
  });
});

// -----------------------------------------------------------------------------------------------
// Source: litellm/proxy/management_endpoints/key_management_endpoints.py regenerate_key_fn (premium_user check) @ main; #11210, #9883 [reported]
describe('key regeneration', () => {
  it('is an Enterprise feature on both routes', async () => {
    const { key } = await newKey();
    for (const res of [await post('/key/regenerate', { key }), await post(`/key/${key}/regenerate`, {})]) {
      expect(res.status).toBe(500);
      expect(res.body.error).toMatchObject({ type: 'internal_server_error', param: 'None', code: '500' });
      expect(res.body.error.message).toMatch(/^Regenerating Virtual Keys is an Enterprise feature, You must be a LiteLLM Enterprise user/);
    }
    expect(emu.writes().map((w) => w.path)).toEqual(['/key/generate', '/key/regenerate', `/key/${key}/regenerate`]);
  });
});

// -----------------------------------------------------------------------------------------------
// Source: litellm/proxy/management_endpoints/key_management_endpoints.py list_keys / _list_key_helper @ main
describe('GET /key/list', () => {
  it('orders by created_at desc then token desc and paginates', async () => {
    const tokens: string[] = [];
    for (let i = 0; i < 3; i++) {
      clock = new Date(T0.getTime() + i * 1000);
      tokens.push((await newKey()).token);
    }
    clock = new Date(T0.getTime() + 5000);
    const twins = [(await newKey()).token, (await newKey()).token].sort().reverse();
    const expected = [...twins, tokens[2], tokens[1], tokens[0]];
    const page1 = await get('/key/list?size=3');
    const page2 = await get('/key/list?size=3&page=2');
    expect(page1.status).toBe(200);
    expect(page1.body).toEqual({ keys: expected.slice(0, 3), total_count: 5, current_page: 1, total_pages: 2 });
    expect(page2.body.keys).toEqual(expected.slice(3));
  });

  it('filters by team_id, key_alias and key_hash, returning full objects on request', async () => {
    const a = await newKey({ team_id: 'a', key_alias: 'ka' });
    await newKey({ team_id: 'b', key_alias: 'kb' });
    const byTeam = await get('/key/list?team_id=a');
    const byAlias = await get('/key/list?key_alias=kb&return_full_object=true');
    const byHash = await get(`/key/list?key_hash=${a.token}`);
    expect(byTeam.body.keys).toEqual([a.token]);
    expect(byAlias.body.keys).toHaveLength(1);
    expect(byAlias.body.keys[0]).toMatchObject({ key_alias: 'kb', team_id: 'b' });
    expect(byAlias.body.keys[0].token).toMatch(/^[0-9a-f]{64}$/);
    expect(byHash.body.total_count).toBe(1);
  });

  it('validates page and size', async () => {
    const res = await get('/key/list?size=0');
    expect(res.status).toBe(422);
    expect(res.body.detail[0]).toMatchObject({ type: 'greater_than_equal', loc: ['query', 'size'], msg: 'Input should be greater than or equal to 1' });
  });
});

// -----------------------------------------------------------------------------------------------
// Source: litellm/proxy/auth/model_checks.py get_complete_model_list, litellm/proxy/auth/auth_checks.py @ main [OpenAI list shape read in an older release]
describe('GET /v1/models', () => {
  const ids = (res: CallResult) => res.body.data.map((m: { id: string }) => m.id);

  it('lists every proxy model for the master key in the OpenAI shape', async () => {
    const res = await get('/v1/models');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      object: 'list',
      data: ['gpt-5', 'gemini-2.5-pro', 'claude-opus-4'].map((id) => ({ id, object: 'model', created: 1677610602, owned_by: 'openai' })),
    });
    expect((await get('/models')).body).toEqual(res.body);
  });

  it('uses the key models, then the team models, then the proxy list', async () => {
    await post('/team/new', { team_id: 'restricted', models: ['gpt-5', 'claude-opus-4'] });
    await post('/team/new', { team_id: 'open' });
    const keyModels = await newKey({ team_id: 'restricted', models: ['gpt-5'] });
    const teamModels = await newKey({ team_id: 'restricted' });
    const allTeam = await newKey({ team_id: 'restricted', models: ['all-team-models'] });
    const allProxy = await newKey({ team_id: 'restricted', models: ['all-proxy-models'] });
    const openTeam = await newKey({ team_id: 'open' });
    const as = (k: { key: string }) => get('/v1/models', { auth: `Bearer ${k.key}` });
    expect(ids(await as(keyModels))).toEqual(['gpt-5']);
    expect(ids(await as(teamModels))).toEqual(['gpt-5', 'claude-opus-4']);
    expect(ids(await as(allTeam))).toEqual(['gpt-5', 'claude-opus-4']);
    expect(ids(await as(allProxy))).toEqual(['gpt-5', 'gemini-2.5-pro', 'claude-opus-4']);
    expect(ids(await as(openTeam))).toEqual(['gpt-5', 'gemini-2.5-pro', 'claude-opus-4']);
  });

  it('rejects an expired key and a key of a missing team', async () => {
    const expiring = await newKey({ duration: '1h' });
    const orphan = await newKey({ team_id: 'ghost-team' });
    clock = new Date('2025-01-15T11:00:01.000Z');
    const expired = await get('/v1/models', { auth: `Bearer ${expiring.key}` });
    const missingTeam = await get('/v1/models', { auth: `Bearer ${orphan.key}` });
    expect(expired.status).toBe(401);
    expect(expired.body.error).toMatchObject({ type: 'expired_key', code: '401' });
    expect(expired.body.error.message).toBe(
      'Authentication Error - Expired Key. Key Expiry time 2025-01-15 11:00:00+00:00 and current time 2025-01-15 11:00:01+00:00',
    );
    expect(missingTeam.status).toBe(404);
    expect(missingTeam.body.error.message).toContain("Team doesn't exist in db. Team=ghost-team");
  });
});

// -----------------------------------------------------------------------------------------------
// Emulator-only: fault injection has no upstream counterpart.
describe('fault injection', () => {
  it('answers an injected status with Retry-After and a ProxyException body, once by default', async () => {
    // GIVEN a 503 fault on /team/info
    emu.inject({ path: '/team/info', status: 503, headers: { 'retry-after': '1' } });
    // WHEN the endpoint is called twice
    const faulted = await get('/team/info?team_id=x');
    const normal = await get('/team/info?team_id=x');
    // THEN the first gets the fault, the second the real 404
    expect(faulted.status).toBe(503);
    expect(faulted.headers.get('retry-after')).toBe('1');
    expect(faulted.body.error).toMatchObject({ type: 'internal_server_error', code: '503' });
    expect(normal.status).toBe(404);
    expect(emu.requests.map((r) => [r.status, r.faulted])).toEqual([
      [503, true],
      [404, false],
    ]);
  });

  it('counts down `times`, honours the method, and Infinity lasts until clearFaults', async () => {
    emu.inject({ method: 'POST', path: '/team/new', status: 500, times: 2 });
    emu.inject({ path: '/team/list', status: 502, times: Infinity });
    expect((await get('/team/new')).status).toBe(405); // GET does not match the POST rule
    expect((await post('/team/new', { team_id: 'a' })).status).toBe(500);
    expect((await post('/team/new', { team_id: 'a' })).status).toBe(500);
    expect((await post('/team/new', { team_id: 'a' })).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await get('/team/list')).status).toBe(502);
    emu.clearFaults();
    expect((await get('/team/list')).status).toBe(200);
  });

  it('delays and then handles normally', async () => {
    emu.inject({ path: '/team/new', delayMs: 120 });
    const started = Date.now();
    const res = await post('/team/new', { team_id: 'slow' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    expect(res.status).toBe(200);
    expect(emu.teams()).toHaveLength(1);
  });

  it('drops the connection so fetch rejects, and records status 0', async () => {
    emu.inject({ path: '*', drop: true });
    await expect(fetch(`${emu.url}/team/list`, { headers: { authorization: `Bearer ${emu.masterKey}` } })).rejects.toThrow();
    expect(emu.requests[0]).toMatchObject({ path: '/team/list', status: 0, faulted: true });
    expect((await get('/team/list')).status).toBe(200);
  });

  it('sends a 200 with a malformed JSON body', async () => {
    emu.inject({ path: '/key/generate', malformed: true });
    const res = await post('/key/generate', { key_alias: 'x' });
    expect(res.status).toBe(200);
    expect(res.body).toBeUndefined();
    expect(() => JSON.parse(res.text)).toThrow();
    expect(emu.keys()).toEqual([]);
  });

  it('sends a custom body, verbatim when it is a string', async () => {
    emu.inject({ path: '/team/info', status: 429, body: { detail: 'slow down' } });
    emu.inject({ path: '/team/info', status: 502, body: '<html>bad gateway</html>' });
    const json = await get('/team/info?team_id=a');
    const html = await get('/team/info?team_id=a');
    expect(json.status).toBe(429);
    expect(json.body).toEqual({ detail: 'slow down' });
    expect(html.status).toBe(502);
    expect(html.text).toBe('<html>bad gateway</html>');
  });
});

// -----------------------------------------------------------------------------------------------
// Emulator-only test conveniences; pyRepr follows Python's repr().
describe('recording and test conveniences', () => {
  it('records every request in order and splits writes from reads', async () => {
    emu.inject({ path: '/team/new', status: 500 });
    await post('/team/new', { team_id: 'a' });
    await post('/team/new', { team_id: 'a' });
    await get('/team/info?team_id=a');
    await get('/health/readiness', { auth: null });
    await get('/v2/team/list');
    expect(emu.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /team/new',
      'POST /team/new',
      'GET /team/info',
      'GET /health/readiness',
      'GET /v2/team/list',
    ]);
    expect(emu.requests[0]).toMatchObject({ body: { team_id: 'a' }, status: 500, faulted: true });
    expect(emu.requests[2]!.query).toEqual({ team_id: 'a' });
    expect(emu.writes().map((w) => w.status)).toEqual([500, 200]);
    expect(emu.reads().map((r) => r.path)).toEqual(['/team/info', '/v2/team/list']);
    emu.resetRequests();
    expect(emu.requests).toEqual([]);
  });

  it('seeds foreign teams and keys, and snapshots are deep copies', async () => {
    emu.seedTeam({ team_id: 'foreign', team_alias: 'Foreign', models: ['gpt-5'] });
    emu.seedKey('sk-foreign-key-0001', { team_id: 'foreign', key_alias: 'foreign-key' });
    const info = await get('/team/info?team_id=foreign');
    expect(info.body.team_info).toMatchObject({ team_alias: 'Foreign', models: ['gpt-5'] });
    expect(info.body.keys[0]).toMatchObject({ key_alias: 'foreign-key', key_name: 'sk-...0001' });
    expect(emu.keys()[0]!.token).toBe(sha256('sk-foreign-key-0001'));
    const snapshot = emu.teams();
    snapshot[0]!.models.push('mutated');
    expect(emu.teams()[0]!.models).toEqual(['gpt-5']);
    const models = await get('/v1/models', { auth: 'Bearer sk-foreign-key-0001' });
    expect(models.body.data.map((m: { id: string }) => m.id)).toEqual(['gpt-5']);
  });

  it('uses the injected clock, replaceable with setNow', async () => {
    emu.setNow(() => new Date('2030-06-01T00:00:00.250Z'));
    const res = await post('/team/new', { team_id: 'future' });
    expect(res.body.created_at).toBe('2030-06-01T00:00:00.250000+00:00');
  });

  it('honours a custom master key and model list', async () => {
    const custom = await LiteLLMEmulator.start({ masterKey: 'sk-custom-master', models: ['m1'] });
    try {
      expect(custom.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const res = await fetch(`${custom.url}/v1/models`, { headers: { authorization: 'Bearer sk-custom-master' } });
      expect(((await res.json()) as { data: { id: string }[] }).data.map((m) => m.id)).toEqual(['m1']);
    } finally {
      await custom.stop();
    }
  });

  it('closes every connection on stop', async () => {
    const other = await LiteLLMEmulator.start();
    other.inject({ path: '*', delayMs: 200 });
    const pending = fetch(`${other.url}/health/readiness`).then(
      () => 'answered',
      () => 'failed',
    );
    await new Promise((r) => setTimeout(r, 20));
    await other.stop();
    expect(await pending).toBe('failed');
    await expect(fetch(`${other.url}/health/readiness`)).rejects.toThrow();
  });

  it('renders Python reprs like LiteLLM messages', () => {
    expect(pyRepr({ error: "it's" })).toBe(`{'error': "it's"}`);
    expect(pyRepr({ message: 'a\\b', n: null, ok: true })).toBe("{'message': 'a\\\\b', 'n': None, 'ok': True}");
  });
});

// -----------------------------------------------------------------------------------------------
// Source: litellm/proxy/health_endpoints/_health_endpoints.py health_readiness /
// health_readiness_details / _get_health_readiness_details @ main
describe('version reporting', () => {
  it('serves litellm_version at /health/readiness/details to any valid key, not anonymously', async () => {
    const details = await get('/health/readiness/details');
    const anonymous = await get('/health/readiness/details', { auth: null });
    expect(details.status).toBe(200);
    expect(details.body).toMatchObject({ status: 'healthy', db: 'connected', litellm_version: '1.81.0' });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.type).toBe('auth_error');
  });

  it('keeps the public /health/readiness low-detail, without the version', async () => {
    const res = await get('/health/readiness', { auth: null });
    expect(res.body).toEqual({ status: 'healthy' });
  });
});

// -----------------------------------------------------------------------------------------------
// The 1.80.x behaviour (the gateway pinned before v1.81.0), so tests can prove the pipeline refuses it.
describe('as an older release (1.80.12)', () => {
  let old: LiteLLMEmulator;
  beforeEach(async () => {
    old = await LiteLLMEmulator.start({ release: '1.80.12', now: () => clock });
  });
  afterEach(async () => {
    await old.stop();
  });
  const oldCall = async (method: string, path: string, body?: unknown, auth: string | null = `Bearer ${old.masterKey}`) => {
    const res = await fetch(`${old.url}${path}`, {
      method,
      headers: { ...(auth ? { authorization: auth } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as any };
  };

  // _health_endpoints.py before the readiness/details split: the public probe returned every detail
  it('has no /health/readiness/details; /health/readiness carries litellm_version, anonymously', async () => {
    const details = await oldCall('GET', '/health/readiness/details');
    const readiness = await oldCall('GET', '/health/readiness', undefined, null);
    expect(details.status).toBe(404);
    expect(details.body).toEqual({ detail: 'Not Found' });
    expect(readiness.status).toBe(200);
    expect(readiness.body).toMatchObject({ status: 'healthy', db: 'connected', litellm_version: '1.80.12' });
  });

  // key_management_endpoints.py list_keys before PR #19260 (release notes v1.81.0) had no `status`
  it('ignores /key/list?status=deleted and lists the live keys', async () => {
    const live = await oldCall('POST', '/key/generate', { key_alias: 'live' });
    const gone = await oldCall('POST', '/key/generate', { key_alias: 'gone' });
    expect((await oldCall('POST', '/key/delete', { keys: [gone.body.token] })).status).toBe(200);
    const deleted = await oldCall('GET', '/key/list?status=deleted');
    expect(deleted.status).toBe(200);
    expect(deleted.body.keys).toEqual([live.body.token]);
  });

  // before PR #18278 (release notes v1.80.15) "-1" went through duration_in_seconds and failed
  it('rejects duration "-1" on /key/update as an invalid duration', async () => {
    const { body } = await oldCall('POST', '/key/generate', { duration: '1h' });
    const res = await oldCall('POST', '/key/update', { key: body.token, duration: '-1' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(proxyError(400, 'Authentication Error, Invalid duration format', 'auth_error'));
    expect(old.keys()[0]!.expires).toBe('2025-01-15T11:00:00+00:00');
  });

  // update_key_fn's own check: 404 with a misleading team message (reference §3.8 [code], older releases)
  it('answers 404 auth_error with the misleading team message for an unknown key', async () => {
    const res = await oldCall('POST', '/key/update', { key: 'sk-missing', rpm_limit: 1 });
    expect(res.status).toBe(404);
    expect(res.body).toEqual(proxyError(404, "{'error': 'Team not found, passed team_id=None'}", 'auth_error'));
  });

  it('as 1.80.15 accepts duration "-1" (PR #18278 shipped there) but still ignores status=deleted', async () => {
    emu.setRelease('1.80.15');
    const { token } = await newKey({ duration: '1h', key_alias: 'k' });
    expect((await post('/key/update', { key: token, duration: '-1' })).status).toBe(200);
    expect(emu.keys()[0]!.expires).toBeNull();
    await post('/key/delete', { keys: [token] });
    expect((await get('/key/list?status=deleted')).body.keys).toEqual([]);
  });

  it('can be switched to and from at runtime, and refuses a release that is not X.Y.Z', async () => {
    emu.setRelease('1.80.12');
    expect((await get('/health/readiness/details')).status).toBe(404);
    emu.setRelease('1.81.0');
    expect((await get('/health/readiness/details')).body.litellm_version).toBe('1.81.0');
    expect(() => emu.setRelease('latest')).toThrow("emulator release 'latest' is not X.Y.Z");
    await expect(LiteLLMEmulator.start({ release: 'v1.81' })).rejects.toThrow("emulator release 'v1.81' is not X.Y.Z");
  });
});
