import { createHash } from 'node:crypto';
import { Testing } from 'cdk8s';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TeamTier } from '../constructs/index.js';
import { PipelineError } from '../pipeline/errors.js';
import { deriveVirtualKey } from '../pipeline/keys.js';
import { LiteLLMClient, type LiteLLMResponse } from '../pipeline/litellm-client.js';
import { type Desired, type Observed, type ObservedKey, type Step, describe as describeStep, isMissingKey, keyHash, observe, plan, reconcile } from '../pipeline/reconcile.js';
import { effectiveRotation, keyEpoch } from '../pipeline/rotation.js';
import { LiteLLMEmulator } from './support/litellm-emulator.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
import { TEST_CATALOG } from './support/test-catalog.js';

const KEY = 'sk-desired-key-0123456789abcdefghijklmnopqrstuvWXYZ';
/** sha256 hex of KEY and of the derived keys below (`printf %s <key> | sha256sum`). */
const KEY_HASH = '93c0d275f1a4e2e0558f15cac3496e1407c78ae2f4ef62c2e4e984153826e319';
const E1_HASH = '6b2d1b81f2a4fea46c557b7f9c509b61bc8786cad3b11490a7afafb3ec1b6a6b';
const E2_HASH = 'c6a1536a4b1c0c54a0020f82c0aac6c7a79add79ea6db8f4cb547bef9ca8efd8';
const NOW = new Date('2026-06-01T12:00:00Z');

function desired(tier = 'small', models = ['gpt-5']): Desired {
  const t = new TeamTier(Testing.chart(), 'tt', {
    catalog: TEST_CATALOG,
    tier,
    models,
    owner: 'engineering',
    requestNamespace: 'default',
    requestName: 'example',
    requestUid: 'uid-1',
    apiKey: KEY,
    gatewayUrl: 'http://gw:4000',
  });
  return { team: t.team, key: t.key, apiKey: KEY, keyOfEpoch: (epoch) => `sk-derived-for-${epoch}`, graceSeconds: 172800, now: NOW };
}

/** What LiteLLM reports after the desired state was applied. */
function inSync(d: Desired, keyChanges: Partial<ObservedKey> = {}): Observed {
  return {
    team: { ...d.team, metadata: { ...d.team.metadata, extra: 'kept' }, models: [...d.team.models] },
    keys: [{ key_alias: d.key.key_alias, key_name: `sk-...${KEY.slice(-4)}`, team_id: d.team.team_id, models: [...d.key.models], metadata: { ...d.key.metadata }, expires: null, ...keyChanges }],
  };
}

describe('plan', () => {
  it('creates the team, then the key, when nothing exists', () => {
    const d = desired();
    expect(plan(d, null)).toEqual([
      { kind: 'create-team', body: d.team },
      { kind: 'create-key', body: { ...d.key, key: KEY } },
    ]);
  });

  it('plans nothing in steady state', () => {
    const d = desired();
    expect(plan(d, inSync(d))).toEqual([]);
  });

  it('ignores model order', () => {
    const d = desired('small', ['gpt-5', 'claude-opus-4']);
    const observed = inSync(d);
    expect(plan(d, { team: { ...observed.team, models: ['claude-opus-4', 'gpt-5'] }, keys: observed.keys })).toEqual([]);
  });

  it('updates only the drifted team fields on a tier change', () => {
    const before = desired('small');
    const after = desired('large');
    const steps = plan(after, inSync(before));
    expect(steps).toEqual([
      {
        kind: 'update-team',
        fields: ['rpm_limit', 'tpm_limit', 'max_budget', 'metadata'],
        body: { team_id: 'ai.default.example', rpm_limit: 1200, tpm_limit: 600000, max_budget: 1000, metadata: { ...after.team.metadata, extra: 'kept' } },
      },
    ]);
  });

  it('updates team and key models on a model change', () => {
    const before = desired('small', ['gpt-5']);
    const after = desired('small', ['gpt-5', 'gemini-2.5-pro']);
    expect(plan(after, inSync(before))).toEqual([
      { kind: 'update-team', fields: ['models'], body: { team_id: 'ai.default.example', models: ['gpt-5', 'gemini-2.5-pro'] } },
      { kind: 'update-key', fields: ['models'], body: { key: KEY_HASH, models: ['gpt-5', 'gemini-2.5-pro'] } },
    ]);
  });

  it('never lifts the expiry of a key: one with an expiry was rotated away from, and is refused as current', () => {
    const d = desired();
    for (const expires of ['2026-01-01T00:00:00Z', '2026-06-02T00:00:00+00:00']) {
      expect(() => plan(d, inSync(d, { expires }))).toThrow(
        `key 'ai.default.example/key-r0' was rotated away from (it expires or expired at ${expires}) and never becomes current again`,
      );
    }
  });

  it('refuses a current key older than another key of the same request uid: the current key only moves forward', () => {
    const d = desired();
    const observed = inSync(d, { created_at: '2026-05-01T00:00:00+00:00' });
    const newer = { ...observed.keys[0]!, key_alias: 'ai.default.example/key-r0-p604800-e2900', key_name: 'sk-...nwer', created_at: '2026-05-02T00:00:00+00:00' };
    expect(() => plan(d, { team: observed.team, keys: [...observed.keys, newer] })).toThrow('(key ai.default.example/key-r0-p604800-e2900 is newer)');
  });

  it('copes with a team holding 200k keys (nothing sized by the key count on the stack)', () => {
    const d = desired();
    const observed = inSync(d, { created_at: '2026-05-01T00:00:00+00:00' });
    const expired = (i: number): ObservedKey => ({
      key_alias: `ai.default.example/key-old-${i}`,
      metadata: { ...d.key.metadata, epoch: `r0-old-${i}` },
      created_at: '2026-04-01T00:00:00+00:00',
      expires: '2026-04-02T00:00:00+00:00',
    });
    const many = Array.from({ length: 200_000 }, (_, i) => expired(i));
    const steps = plan(d, { team: observed.team, keys: [...observed.keys, ...many] });
    expect(steps).toHaveLength(1);
    expect(steps[0]).toMatchObject({ kind: 'delete-keys', reason: 'stale' });
    expect(steps[0]!.kind === 'delete-keys' && steps[0]!.aliases.length).toBe(200_000);
  });

  it('creates the key when only the team exists (a half-finished run)', () => {
    const d = desired();
    expect(plan(d, { team: inSync(d).team, keys: [] })).toEqual([{ kind: 'create-key', body: { ...d.key, key: KEY } }]);
  });

  it('replaces a key whose alias holds another value', () => {
    const d = desired();
    expect(plan(d, inSync(d, { key_name: 'sk-...zzzz' }))).toEqual([
      { kind: 'delete-keys', aliases: [d.key.key_alias], reason: 'stale' },
      { kind: 'create-key', body: { ...d.key, key: KEY } },
    ]);
  });

  it('replaces, never refuses, a key of another value that was rotated away from (the derivation secret changed at a rotation)', () => {
    // GIVEN the current alias holds a key of another value that already has an expiry, and a newer key of the request exists
    const d = desired();
    const observed = inSync(d, { key_name: 'sk-...zzzz', expires: '2026-06-02T00:00:00+00:00', created_at: '2026-05-01T00:00:00+00:00' });
    const newer = { ...observed.keys[0]!, key_alias: 'ai.default.example/key-r0-p604800-e2900', key_name: 'sk-...nwer', token: 'b'.repeat(64), expires: null, created_at: '2026-05-02T00:00:00+00:00' };
    // THEN the run replaces it (the retired-key refusal is for this value only), and the newer key
    // gets the grace period, so later runs converge
    expect(plan(d, { team: observed.team, keys: [observed.keys[0]!, newer] })).toEqual([
      { kind: 'delete-keys', aliases: [d.key.key_alias], reason: 'stale' },
      { kind: 'create-key', body: { ...d.key, key: KEY } },
      { kind: 'expire-key', alias: newer.key_alias, body: { key: 'b'.repeat(64), duration: '172800s' } },
    ]);
  });

  it('deletes keys of an earlier request of the same name at once, and never foreign ones', () => {
    const d = desired();
    const observed = inSync(d);
    const earlier = { ...observed.keys[0]!, key_alias: 'ai.default.example/key-old', metadata: { ...observed.keys[0]!.metadata, 'request-uid': 'uid-0' } };
    const foreign = { ...observed.keys[0]!, key_alias: 'someone-elses', metadata: { owner: 'ops' } };
    expect(plan(d, { team: observed.team, keys: [...observed.keys, earlier, foreign] })).toEqual([
      { kind: 'delete-keys', aliases: ['ai.default.example/key-old'], reason: 'stale' },
    ]);
  });

  describe('after a rotation', () => {
    const d = desired();
    const observed = inSync(d);
    const previous = (epoch: string, createdAt: string, expires: string | null = null): ObservedKey => ({
      ...observed.keys[0]!,
      key_alias: `ai.default.example/key-${epoch}`,
      key_name: 'sk-...prev',
      metadata: { ...observed.keys[0]!.metadata, epoch },
      created_at: createdAt,
      expires,
    });

    it('starts the grace period of the previous key once the new key exists', () => {
      const steps = plan(d, { team: observed.team, keys: [previous('r0-p100-e1', '2026-05-01T00:00:00+00:00')] });
      expect(steps).toEqual([
        { kind: 'create-key', body: { ...d.key, key: KEY } },
        { kind: 'expire-key', alias: 'ai.default.example/key-r0-p100-e1', body: { key: E1_HASH, duration: '172800s' } },
      ]);
    });

    it("names the previous key by the hash LiteLLM reports, which survives a change of the salt key", () => {
      // GIVEN /team/info reports the previous key's token, made under another salt key
      const token = 'ab'.repeat(32);
      // WHEN the plan starts its grace period
      const steps = plan(d, { team: observed.team, keys: [{ ...previous('r0-p100-e1', '2026-05-01T00:00:00+00:00'), token }] });
      // THEN it sends that hash, not one of a key derived with today's salt key
      expect(steps[1]).toEqual({ kind: 'expire-key', alias: 'ai.default.example/key-r0-p100-e1', body: { key: token, duration: '172800s' } });
    });

    it('never puts a plaintext key in a step other than create-key', () => {
      const steps = plan(d, { team: observed.team, keys: [{ ...observed.keys[0]!, models: [] }, previous('r0-p100-e2', '2026-05-20T00:00:00+00:00')] });
      expect(steps.map((s) => s.kind)).toEqual(['update-key', 'expire-key']);
      expect(JSON.stringify(steps)).not.toMatch(/sk-(?!\.\.\.)/);
    });

    it('leaves a previous key in its grace period alone: a re-run writes nothing', () => {
      expect(plan(d, { team: observed.team, keys: [...observed.keys, previous('r0-p100-e1', '2026-05-01T00:00:00+00:00', '2026-06-02T00:00:00+00:00')] })).toEqual([]);
    });

    it('deletes the previous key once its grace is over', () => {
      expect(plan(d, { team: observed.team, keys: [...observed.keys, previous('r0-p100-e1', '2026-05-01T00:00:00+00:00', '2026-06-01T11:59:59+00:00')] })).toEqual([
        { kind: 'delete-keys', aliases: ['ai.default.example/key-r0-p100-e1'], reason: 'stale' },
      ]);
    });

    it('keeps at most one previous key: the newest', () => {
      const older = previous('r0-p100-e1', '2026-05-01T00:00:00+00:00', '2026-06-02T00:00:00+00:00');
      const newer = previous('r0-p100-e2', '2026-05-20T00:00:00+00:00');
      expect(plan(d, { team: observed.team, keys: [...observed.keys, older, newer] })).toEqual([
        { kind: 'delete-keys', aliases: ['ai.default.example/key-r0-p100-e1'], reason: 'stale' },
        { kind: 'expire-key', alias: 'ai.default.example/key-r0-p100-e2', body: { key: E2_HASH, duration: '172800s' } },
      ]);
    });

    it('refuses to go back to a lower trigger', () => {
      expect(() => plan(d, { team: observed.team, keys: [...observed.keys, previous('r3-p100-e1', '2026-05-01T00:00:00+00:00')] })).toThrow(
        'spec.rotation.trigger 0 is lower than 3, which this request already used: triggers only go up',
      );
    });

    it('deletes the previous key at once without a grace period', () => {
      expect(plan({ ...d, graceSeconds: 0 }, { team: observed.team, keys: [...observed.keys, previous('r0-p100-e1', '2026-05-01T00:00:00+00:00')] })).toEqual([
        { kind: 'delete-keys', aliases: ['ai.default.example/key-r0-p100-e1'], reason: 'stale' },
      ]);
    });
  });

  it('refuses to touch a team it did not create', () => {
    const d = desired();
    const foreign: Observed = { team: { team_id: d.team.team_id, metadata: { owner: 'ops' } }, keys: [] };
    expect(() => plan(d, foreign)).toThrow(
      "LiteLLM team 'ai.default.example' exists but was not created by this promise for default/example (metadata managed-by null, request null); refusing to modify it",
    );
  });

  it('refuses a team of this promise that belongs to another request', () => {
    const d = desired();
    const other: Observed = { team: { ...inSync(d).team, metadata: { ...d.team.metadata, request: 'other/example' } }, keys: [] };
    expect(() => plan(d, other)).toThrow('refusing to modify it');
  });
});

describe('a key the request rotated away from never comes back (property, against the emulator)', () => {
  // GIVEN any sequence of runs of one request: rotation policies changing and back, triggers, and a
  // clock that moves forward and sometimes back
  const run = fc.record({
    period: fc.constantFrom<string | undefined>(undefined, '7d', '30d'),
    trigger: fc.constantFrom(0, 0, 0, 0, 0, 1, 2),
    // Mostly inside one grace period, sometimes across epochs.
    stepHours: fc.oneof(fc.integer({ min: -30, max: 30 }), fc.integer({ min: -72, max: 24 * 12 })),
  });
  const tally = { succeeded: 0, rotated: 0, refused: 0 };

  it('holds for every sequence: the current key was never retired before, and no retired key loses its expiry', async () => {
    const emulator = await LiteLLMEmulator.start();
    let sequence = 0;
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(run, { minLength: 2, maxLength: 8 }), async (runs) => {
          sequence += 1;
          const uid = `uid-property-${sequence}`;
          const client = new LiteLLMClient({ baseUrl: emulator.url, masterKey: emulator.masterKey, maxAttempts: 1 });
          const retired = new Set<string>();
          let current: string | undefined;
          let now = Date.parse('2026-03-01T00:00:00Z');
          for (const step of runs) {
            now += step.stepHours * 3_600_000;
            const at = new Date(now);
            emulator.setNow(() => at);
            const rotation = effectiveRotation(undefined, { ...(step.period ? { period: step.period, grace: '1d' } : {}), trigger: step.trigger });
            const epoch = keyEpoch(rotation, uid, at);
            const keyOfEpoch = (id: string) => deriveVirtualKey('salt-for-the-property', uid, id);
            const t = new TeamTier(Testing.chart(), 'tt', {
              catalog: TEST_CATALOG,
              tier: 'small',
              models: ['gpt-5'],
              owner: 'engineering',
              requestNamespace: 'property',
              requestName: `r${sequence}`,
              requestUid: uid,
              apiKey: keyOfEpoch(epoch.id),
              gatewayUrl: 'http://gw:4000',
              keyEpoch: epoch.id,
            });
            const apiKey = keyOfEpoch(epoch.id);
            try {
              await reconcile(client, { team: t.team, key: t.key, apiKey, keyOfEpoch, graceSeconds: rotation.graceSeconds, now: at });
            } catch (error) {
              // Refusing is allowed (fail closed); reviving is not.
              expect(error).toBeInstanceOf(PipelineError);
              tally.refused += 1;
              continue;
            }
            const token = sha256(apiKey);
            // THEN the key this run delivers was never rotated away from
            expect(retired.has(token)).toBe(false);
            tally.succeeded += 1;
            if (current !== undefined && current !== token) {
              retired.add(current);
              tally.rotated += 1;
            }
            current = token;
            // AND every retired key still in LiteLLM keeps an expiry, and any key with one is retired
            for (const row of emulator.keys().filter((k) => k.metadata?.['request-uid'] === uid)) {
              if (retired.has(row.token)) expect(row.expires).not.toBeNull();
              if (row.expires !== null) retired.add(row.token);
            }
          }
        }),
        {
          numRuns: 60,
          examples: [
            // A policy changed and back inside the previous key's grace; a clock stepped back a day.
            [[{ period: '30d', trigger: 0, stepHours: 0 }, { period: '7d', trigger: 0, stepHours: 1 }, { period: '30d', trigger: 0, stepHours: 1 }]],
            [[{ period: '7d', trigger: 0, stepHours: 0 }, { period: '7d', trigger: 0, stepHours: 24 * 7 }, { period: '7d', trigger: 0, stepHours: -24 * 7 }]],
          ],
        },
      );
    } finally {
      await emulator.stop();
    }
    // The property exercised rotations and refusals, not only steady states.
    expect(tally.rotated).toBeGreaterThan(0);
    expect(tally.refused).toBeGreaterThan(0);
  }, 120_000);
});

describe('keyHash', () => {
  it("is LiteLLM's token: the sha256 hex of the plaintext", () => {
    expect(keyHash(KEY)).toBe(KEY_HASH);
  });
});

describe('isMissingKey', () => {
  // /key/update on an unknown key (litellm/proxy/utils.py PrismaClient.get_data @ main; 404 on v1.80.x)
  const missing401 = { error: { message: `Authentication Error: invalid user key - user key does not exist in db. User Key=${KEY_HASH}`, type: 'auth_error', param: 'None', code: '401' } };
  const missing404 = { error: { message: "{'error': 'Team not found, passed team_id=None'}", type: 'auth_error', param: 'None', code: '404' } };
  const badMasterKey = { error: { message: 'Authentication Error, Invalid proxy server token passed.', type: 'token_not_found_in_db', param: 'key', code: '401' } };

  it('takes the 401 of newer releases and the 404 of older ones as "not found"', () => {
    expect(isMissingKey({ status: 401, body: missing401 })).toBe(true);
    expect(isMissingKey({ status: 404, body: missing404 })).toBe(true);
  });

  it('does not take any other 401, nor a 400 or 200, as "not found"', () => {
    expect(isMissingKey({ status: 401, body: badMasterKey })).toBe(false);
    expect(isMissingKey({ status: 401, body: undefined })).toBe(false);
    expect(isMissingKey({ status: 400, body: missing401 })).toBe(false);
    expect(isMissingKey({ status: 200, body: {} })).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------
// The I/O edge: reconcile, observe and deprovision against a scripted LiteLLM
// ---------------------------------------------------------------------------------------------

const MAX_SCRIPTED_CALLS = 30;

type Answer = LiteLLMResponse | ((input: { query: Record<string, string>; body: unknown }) => LiteLLMResponse);

/**
 * A LiteLLM that answers each `METHOD /path` from a script: a list of answers used in turn (the
 * last one repeats). It records every call. Only the client's surface reconcile.ts uses.
 */
class ScriptedLiteLLM {
  readonly calls: { method: string; path: string; query: Record<string, string>; body: unknown }[] = [];
  private readonly script: Map<string, Answer[]>;

  constructor(script: Record<string, Answer | Answer[]>) {
    this.script = new Map(Object.entries(script).map(([call, answers]) => [call, Array.isArray(answers) ? [...answers] : [answers]]));
  }

  get client(): LiteLLMClient {
    return this as unknown as LiteLLMClient;
  }

  get(path: string, query: Record<string, string> = {}): Promise<LiteLLMResponse> {
    return this.answer('GET', path, query, undefined);
  }

  post(path: string, body: unknown): Promise<LiteLLMResponse> {
    return this.answer('POST', path, {}, body);
  }

  describe(method: string, path: string, response: LiteLLMResponse): string {
    return `LiteLLM ${method} ${path} answered ${response.status}`;
  }

  /** `METHOD /path` of every call, in order. */
  get sequence(): string[] {
    return this.calls.map((c) => `${c.method} ${c.path}`);
  }

  private async answer(method: string, path: string, query: Record<string, string>, body: unknown): Promise<LiteLLMResponse> {
    this.calls.push({ method, path, query, body });
    // No run needs this many calls: fail fast instead of looping forever (the loop never yields to
    // a timer, so a test timeout could not stop it).
    if (this.calls.length > MAX_SCRIPTED_CALLS) throw new Error(`more than ${MAX_SCRIPTED_CALLS} calls to LiteLLM: a loop that does not end`);
    const answers = this.script.get(`${method} ${path}`);
    if (!answers || answers.length === 0) throw new Error(`unscripted call ${method} ${path}`);
    const next = answers.length > 1 ? answers.shift()! : answers[0]!;
    return typeof next === 'function' ? next({ query, body }) : next;
  }
}

const ok = (body: unknown = {}): LiteLLMResponse => ({ status: 200, body });
const status = (code: number, body: unknown = { detail: 'x' }): LiteLLMResponse => ({ status: code, body });
/** LiteLLM's answer for a team it does not have (team_endpoints.py, team_info). */
const noTeam = status(404, { error: { message: "{'message': 'Team not found, passed team id: ai.default.example.'}", type: 'auth_error', param: 'None', code: '404' } });
const TEAM_ID = 'ai.default.example';
const ALIAS = 'ai.default.example/key-r0';
const teamInfo = (observed: Observed) => ok({ team_info: observed.team, keys: observed.keys });
/** A /key/info answer for the key the pipeline just created. */
const stored = (alias = ALIAS, team = TEAM_ID) => ok({ key: KEY_HASH, info: { key_alias: alias, team_id: team } });
const noRevokedKeys = ok({ keys: [] });

describe('reconcile', () => {
  it('creates the team and the key, checks the key was never revoked and reads it back', async () => {
    // GIVEN an empty LiteLLM
    const litellm = new ScriptedLiteLLM({ 'GET /team/info': noTeam, 'POST /team/new': ok(), 'GET /key/list': noRevokedKeys, 'POST /key/generate': ok(), 'GET /key/info': stored() });
    // WHEN the request is reconciled
    const result = await reconcile(litellm.client, desired());
    // THEN the team and the key are created, in that order, and nothing else is written
    expect(result.changes).toEqual([`created team ${TEAM_ID}`, `created key ${ALIAS}`]);
    expect(litellm.sequence).toEqual(['GET /team/info', 'POST /team/new', 'GET /key/list', 'POST /key/generate', 'GET /key/info']);
    // AND the reads ask by team id, by alias among deleted keys, and by the key's hash, never its plaintext
    expect(litellm.calls[0]!.query).toEqual({ team_id: TEAM_ID });
    expect(litellm.calls[2]!.query).toEqual({ key_alias: ALIAS, status: 'deleted', return_full_object: 'true', size: '100' });
    expect(litellm.calls[4]!.query).toEqual({ key: KEY_HASH });
    expect(litellm.calls[3]!.body).toEqual({ ...desired().key, key: KEY });
  });

  it('writes nothing in steady state', async () => {
    const observed = inSync(desired());
    const litellm = new ScriptedLiteLLM({ 'GET /team/info': teamInfo(observed) });
    // The team row it saw comes back too: status.ai.usage is read from it, with no second call
    expect(await reconcile(litellm.client, desired())).toEqual({ changes: [], team: observed.team });
    expect(litellm.sequence).toEqual(['GET /team/info']);
  });

  it('only says what it would do on a dry run', async () => {
    const litellm = new ScriptedLiteLLM({ 'GET /team/info': noTeam });
    expect(await reconcile(litellm.client, desired(), true)).toEqual({ changes: [`dry run: would create team ${TEAM_ID}`, `dry run: would create key ${ALIAS}`], team: null });
    expect(litellm.sequence).toEqual(['GET /team/info']);
  });

  it('observes again and re-plans after losing a race to create the team', async () => {
    // GIVEN another run creates the team between this run's observe and its write
    const litellm = new ScriptedLiteLLM({
      'GET /team/info': [noTeam, teamInfo({ team: inSync(desired()).team, keys: [] })],
      'POST /team/new': status(400, { error: { message: `Team id = ${TEAM_ID} already exists. Please use a different team id.` } }),
      'GET /key/list': noRevokedKeys,
      'POST /key/generate': ok(),
      'GET /key/info': stored(),
    });
    // WHEN the request is reconciled
    const result = await reconcile(litellm.client, desired());
    // THEN the second round creates only the key
    expect(result.changes).toEqual([`created key ${ALIAS}`]);
    expect(litellm.sequence).toEqual(['GET /team/info', 'POST /team/new', 'GET /team/info', 'GET /key/list', 'POST /key/generate', 'GET /key/info']);
  });

  it('gives up after three rounds that all lost a race', async () => {
    const litellm = new ScriptedLiteLLM({ 'GET /team/info': noTeam, 'POST /team/new': status(400, { detail: 'team already exists' }) });
    await expect(reconcile(litellm.client, desired())).rejects.toThrow(
      `LiteLLM team '${TEAM_ID}' kept changing while 3 reconcile rounds ran; another writer is racing this pipeline`,
    );
    expect(litellm.sequence).toEqual(['GET /team/info', 'POST /team/new', 'GET /team/info', 'POST /team/new', 'GET /team/info', 'POST /team/new']);
  });

  it.each<[string, LiteLLMResponse]>([
    ['a 400 that is not "already exists"', status(400, { detail: 'invalid budget' })],
    ['a 500', status(500)],
  ])('fails naming the call when creating the team meets %s', async (_, answer) => {
    const litellm = new ScriptedLiteLLM({ 'GET /team/info': noTeam, 'POST /team/new': answer });
    await expect(reconcile(litellm.client, desired())).rejects.toThrow(`LiteLLM POST /team/new answered ${answer.status}`);
  });

  it('updates a drifted team, and re-plans when the team vanished meanwhile', async () => {
    const before = inSync(desired('small'));
    const updated = new ScriptedLiteLLM({ 'GET /team/info': teamInfo(before), 'POST /team/update': ok() });
    expect((await reconcile(updated.client, desired('large'))).changes).toEqual([`updated team ${TEAM_ID}: rpm_limit, tpm_limit, max_budget, metadata`]);
    const vanished = new ScriptedLiteLLM({ 'GET /team/info': [teamInfo(before), teamInfo(inSync(desired('large')))], 'POST /team/update': status(404) });
    expect((await reconcile(vanished.client, desired('large'))).changes).toEqual([]);
    expect(vanished.sequence).toEqual(['GET /team/info', 'POST /team/update', 'GET /team/info']);
    const failing = new ScriptedLiteLLM({ 'GET /team/info': teamInfo(before), 'POST /team/update': status(500) });
    await expect(reconcile(failing.client, desired('large'))).rejects.toThrow('LiteLLM POST /team/update answered 500');
  });

  it('updates the current key by its hash, re-plans when it is missing (401 or 404) and fails on other errors', async () => {
    const drifted = inSync(desired(), { models: ['gpt-5', 'gemini-2.5-pro'] });
    const updated = new ScriptedLiteLLM({ 'GET /team/info': teamInfo(drifted), 'POST /key/update': ok() });
    expect((await reconcile(updated.client, desired())).changes).toEqual([`updated key ${ALIAS}: models`]);
    expect(updated.calls[1]!.body).toEqual({ key: KEY_HASH, models: ['gpt-5'] });
    for (const missing of [status(404), status(401, { error: { message: `Authentication Error: invalid user key - user key does not exist in db. User Key=${KEY_HASH}`, type: 'auth_error', param: 'None', code: '401' } })]) {
      const vanished = new ScriptedLiteLLM({ 'GET /team/info': [teamInfo(drifted), teamInfo(inSync(desired()))], 'POST /key/update': missing });
      expect((await reconcile(vanished.client, desired())).changes).toEqual([]);
    }
    const failing = new ScriptedLiteLLM({ 'GET /team/info': teamInfo(drifted), 'POST /key/update': status(500) });
    await expect(reconcile(failing.client, desired())).rejects.toThrow('LiteLLM POST /key/update answered 500');
  });

  describe('deleting stale keys', () => {
    const d = desired();
    const observed = inSync(d);
    const earlier = (alias: string): ObservedKey => ({ ...observed.keys[0]!, key_alias: alias, metadata: { ...observed.keys[0]!.metadata, 'request-uid': 'uid-0' } });

    it('names one key, or several, and treats "not found" as done', async () => {
      const one = new ScriptedLiteLLM({ 'GET /team/info': teamInfo({ team: observed.team, keys: [...observed.keys, earlier('old-1')] }), 'POST /key/delete': ok() });
      expect((await reconcile(one.client, d)).changes).toEqual(['deleted stale key old-1']);
      expect(one.calls[1]!.body).toEqual({ key_aliases: ['old-1'] });
      const two = new ScriptedLiteLLM({ 'GET /team/info': teamInfo({ team: observed.team, keys: [...observed.keys, earlier('old-1'), earlier('old-2')] }), 'POST /key/delete': status(404) });
      expect((await reconcile(two.client, d)).changes).toEqual(['deleted stale keys old-1, old-2']);
    });

    it('fails on any other answer', async () => {
      const litellm = new ScriptedLiteLLM({ 'GET /team/info': teamInfo({ team: observed.team, keys: [...observed.keys, earlier('old-1')] }), 'POST /key/delete': status(500) });
      await expect(reconcile(litellm.client, d)).rejects.toThrow('LiteLLM POST /key/delete answered 500');
    });
  });

  describe('creating the key', () => {
    const teamOnly = () => teamInfo({ team: inSync(desired()).team, keys: [] });

    it('refuses to bring back a key LiteLLM has on record as deleted', async () => {
      const litellm = new ScriptedLiteLLM({ 'GET /team/info': teamOnly(), 'GET /key/list': ok({ keys: [{ token: 'other' }, { token: KEY_HASH }] }) });
      await expect(reconcile(litellm.client, desired())).rejects.toThrow(
        `key '${ALIAS}' was revoked before (the request went back to an earlier rotation); bump spec.rotation.trigger to get a new key`,
      );
      expect(litellm.sequence).not.toContain('POST /key/generate');
    });

    it('creates it when the deleted keys of that alias hold other values', async () => {
      const litellm = new ScriptedLiteLLM({ 'GET /team/info': teamOnly(), 'GET /key/list': ok({ keys: [null, 'x', { token: 'other' }] }), 'POST /key/generate': ok(), 'GET /key/info': stored() });
      expect((await reconcile(litellm.client, desired())).changes).toEqual([`created key ${ALIAS}`]);
    });

    it('fails when the deleted keys cannot be listed', async () => {
      const litellm = new ScriptedLiteLLM({ 'GET /team/info': teamOnly(), 'GET /key/list': status(500) });
      await expect(reconcile(litellm.client, desired())).rejects.toThrow('LiteLLM GET /key/list answered 500');
    });

    it('fails when LiteLLM refuses the key', async () => {
      const litellm = new ScriptedLiteLLM({ 'GET /team/info': teamOnly(), 'GET /key/list': noRevokedKeys, 'POST /key/generate': status(500) });
      await expect(reconcile(litellm.client, desired())).rejects.toThrow('LiteLLM POST /key/generate answered 500');
    });

    it('re-plans when another run of this request created the alias meanwhile', async () => {
      const litellm = new ScriptedLiteLLM({
        'GET /team/info': [teamOnly(), teamInfo(inSync(desired()))],
        'GET /key/list': noRevokedKeys,
        'POST /key/generate': status(400, { detail: `Key with alias '${ALIAS}' already exists.` }),
      });
      expect((await reconcile(litellm.client, desired())).changes).toEqual([]);
      expect(litellm.sequence).toEqual(['GET /team/info', 'GET /key/list', 'POST /key/generate', 'GET /team/info', 'GET /team/info']);
    });

    it('refuses an alias taken by a key outside the team', async () => {
      const litellm = new ScriptedLiteLLM({ 'GET /team/info': teamOnly(), 'GET /key/list': noRevokedKeys, 'POST /key/generate': status(400, { detail: 'Key with alias already exists.' }) });
      await expect(reconcile(litellm.client, desired())).rejects.toThrow(`LiteLLM key alias '${ALIAS}' is taken by a key outside team '${TEAM_ID}'; refusing to modify it`);
    });

    // /key/generate answers 200 and stores nothing when the key value exists already: the read-back
    // must compare both the alias and the team of what LiteLLM holds under that value.
    it.each<[string, LiteLLMResponse, string]>([
      ['under another alias', stored('someone/else', TEAM_ID), `alias "someone/else" in team "${TEAM_ID}"`],
      ['in another team', stored(ALIAS, 'ai.other.team'), `alias "${ALIAS}" in team "ai.other.team"`],
      ['without an info row', ok({}), 'alias null in team null'],
      ['not at all', status(404), 'status 404'],
    ])('refuses to report a key LiteLLM stored %s', async (_, answer, found) => {
      const litellm = new ScriptedLiteLLM({ 'GET /team/info': teamOnly(), 'GET /key/list': noRevokedKeys, 'POST /key/generate': ok(), 'GET /key/info': answer });
      await expect(reconcile(litellm.client, desired())).rejects.toThrow(
        `LiteLLM did not store key '${ALIAS}' (the same key value already exists: ${found}); delete that key in LiteLLM, then re-run`,
      );
    });
  });

  describe('the previous key after a rotation', () => {
    const d = desired();
    const observed = inSync(d);
    const previous: ObservedKey = { ...observed.keys[0]!, key_alias: 'ai.default.example/key-prev', key_name: 'sk-...prev', metadata: { ...observed.keys[0]!.metadata, epoch: 'r0-p100-e1' }, created_at: '2026-05-01T00:00:00Z' };
    const rotated = () => teamInfo({ team: observed.team, keys: [...observed.keys, previous] });

    it('keeps working for the grace period', async () => {
      const litellm = new ScriptedLiteLLM({ 'GET /team/info': rotated(), 'POST /key/update': ok() });
      expect((await reconcile(litellm.client, d)).changes).toEqual(['previous key ai.default.example/key-prev stays valid for 172800s']);
      expect(litellm.calls[1]!.body).toEqual({ key: keyHash('sk-derived-for-r0-p100-e1'), duration: '172800s' });
    });

    it('is deleted when this run cannot derive it', async () => {
      const litellm = new ScriptedLiteLLM({ 'GET /team/info': rotated(), 'POST /key/update': status(404), 'POST /key/delete': status(404) });
      expect((await reconcile(litellm.client, d)).changes).toEqual(['deleted previous key ai.default.example/key-prev (not derivable, so no grace period)']);
      expect(litellm.calls[2]!.body).toEqual({ key_aliases: ['ai.default.example/key-prev'] });
    });

    it.each<[string, Record<string, Answer>, string]>([
      ['the update fails', { 'POST /key/update': status(500) }, 'LiteLLM POST /key/update answered 500'],
      ['the delete fails', { 'POST /key/update': status(404), 'POST /key/delete': status(500) }, 'LiteLLM POST /key/delete answered 500'],
    ])('fails when %s', async (_, script, message) => {
      const litellm = new ScriptedLiteLLM({ 'GET /team/info': rotated(), ...script });
      await expect(reconcile(litellm.client, d)).rejects.toThrow(message);
    });
  });
});

describe('observe', () => {
  it('reads the team and its keys, and no keys when LiteLLM lists none', async () => {
    const observed = inSync(desired());
    expect(await observe(new ScriptedLiteLLM({ 'GET /team/info': teamInfo(observed) }).client, TEAM_ID)).toEqual(observed);
    expect(await observe(new ScriptedLiteLLM({ 'GET /team/info': ok({ team_info: observed.team }) }).client, TEAM_ID)).toEqual({ team: observed.team, keys: [] });
  });

  it('is null for an unknown team, and fails on an error or an answer about another team', async () => {
    expect(await observe(new ScriptedLiteLLM({ 'GET /team/info': noTeam }).client, TEAM_ID)).toBeNull();
    await expect(observe(new ScriptedLiteLLM({ 'GET /team/info': status(500) }).client, TEAM_ID)).rejects.toThrow('LiteLLM GET /team/info answered 500');
    const other = ok({ team_info: { team_id: 'ai.other.x' }, keys: [] });
    await expect(observe(new ScriptedLiteLLM({ 'GET /team/info': other }).client, TEAM_ID)).rejects.toThrow(`LiteLLM GET /team/info for '${TEAM_ID}' answered 200 without that team`);
    await expect(observe(new ScriptedLiteLLM({ 'GET /team/info': ok() }).client, TEAM_ID)).rejects.toThrow('answered 200 without that team');
  });
});

describe('describe', () => {
  it('puts each step in words, without the key', () => {
    const d = desired();
    const steps: Step[] = [
      { kind: 'create-team', body: d.team },
      { kind: 'update-team', body: { team_id: TEAM_ID }, fields: ['rpm_limit', 'models'] },
      { kind: 'delete-keys', aliases: ['a', 'b'], reason: 'stale' },
      { kind: 'create-key', body: { ...d.key, key: KEY } },
      { kind: 'update-key', body: { key: KEY }, fields: ['models', 'expires'] },
      { kind: 'expire-key', alias: 'a', body: { key: KEY, duration: '60s' } },
    ];
    expect(steps.map(describeStep)).toEqual([
      `create team ${TEAM_ID}`,
      `update team ${TEAM_ID}: rpm_limit, models`,
      'delete stale keys a, b',
      `create key ${ALIAS}`,
      'update the current key: models, expires',
      'keep previous key a valid for 60s',
    ]);
  });
});

describe('plan boundaries (both sides of each bound)', () => {
  const d = desired('small', ['gpt-5', 'claude-opus-4']);
  const observed = inSync(d);
  const withTeamModels = (models: string[] | null): Observed => ({ team: { ...observed.team, models }, keys: observed.keys });
  const teamModelSteps = (models: readonly string[]) => [
    { kind: 'update-team', fields: ['models'], body: { team_id: TEAM_ID, models } },
  ];

  it('sees a swapped model, a removed model and missing models as drift, and the same set in any order as none', () => {
    expect(plan(d, withTeamModels(['claude-opus-4', 'gpt-5']))).toEqual([]);
    expect(plan(d, withTeamModels(['gpt-5', 'gemini-2.5-pro']))).toEqual(teamModelSteps(['gpt-5', 'claude-opus-4']));
    expect(plan(d, withTeamModels(['gpt-5', 'claude-opus-4', 'gemini-2.5-pro']))).toEqual(teamModelSteps(['gpt-5', 'claude-opus-4']));
    expect(plan(d, withTeamModels(['gpt-5']))).toEqual(teamModelSteps(['gpt-5', 'claude-opus-4']));
    expect(plan(d, withTeamModels(null))).toEqual(teamModelSteps(['gpt-5', 'claude-opus-4']));
    expect(plan(d, withTeamModels(['gpt-5', 'gpt-5', 'claude-opus-4']))).toEqual([]);
  });

  it('updates the key models on a swap, and leaves a key without an expiry alone', () => {
    const swapped: Observed = { team: observed.team, keys: [{ ...observed.keys[0]!, models: ['gpt-5', 'gemini-2.5-pro'], expires: undefined }] };
    expect(plan(d, swapped)).toEqual([{ kind: 'update-key', fields: ['models'], body: { key: KEY_HASH, models: ['gpt-5', 'claude-opus-4'] } }]);
  });

  it('replaces a current key LiteLLM reports without a name', () => {
    const d1 = desired();
    expect(plan(d1, inSync(d1, { key_name: null }))).toEqual([
      { kind: 'delete-keys', aliases: [ALIAS], reason: 'stale' },
      { kind: 'create-key', body: { ...d1.key, key: KEY } },
    ]);
  });

  describe('previous keys', () => {
    const d1 = desired();
    const now = d1.now.getTime();
    const base = inSync(d1);
    const key = (alias: string, changes: Partial<ObservedKey> = {}, metadata: Record<string, unknown> = {}): ObservedKey => ({
      ...base.keys[0]!,
      key_alias: alias,
      key_name: 'sk-...prev',
      created_at: '2026-05-01T00:00:00Z',
      ...changes,
      metadata: { ...base.keys[0]!.metadata, epoch: `epoch-of-${alias}`, ...metadata },
    });
    const planWith = (...keys: ObservedKey[]) => plan(d1, { team: base.team, keys: [...base.keys, ...keys] });
    const expire = (alias: string, epoch = `epoch-of-${alias}`) => ({ kind: 'expire-key', alias, body: { key: keyHash(`sk-derived-for-${epoch}`), duration: '172800s' } });
    const remove = (...aliases: string[]) => ({ kind: 'delete-keys', aliases, reason: 'stale' });

    it('counts a key that expires exactly now as expired, and one a millisecond later as valid', () => {
      expect(planWith(key('p', { expires: new Date(now).toISOString() }))).toEqual([remove('p')]);
      expect(planWith(key('p', { expires: new Date(now + 1).toISOString() }))).toEqual([]);
    });

    it('between keys created at the same moment keeps the one whose alias sorts last', () => {
      expect(planWith(key('p-e1'), key('p-e2'))).toEqual([remove('p-e1'), expire('p-e2')]);
      expect(planWith(key('p-e2'), key('p-e1'))).toEqual([remove('p-e1'), expire('p-e2')]);
    });

    it('keeps the newest by creation time, whatever the aliases', () => {
      expect(planWith(key('p-b', { created_at: '2026-05-01T00:00:00Z' }), key('p-a', { created_at: '2026-05-02T00:00:00Z' }))).toEqual([remove('p-b'), expire('p-a')]);
    });

    it('never gives a grace period to a key without an epoch', () => {
      expect(planWith(key('p', {}, { epoch: undefined }))).toEqual([remove('p')]);
      expect(planWith(key('p', {}, { epoch: 7 }))).toEqual([remove('p')]);
    });

    it('goes by the trigger of this request only: an earlier request of the same name may have used a higher one', () => {
      expect(planWith(key('old', {}, { 'request-uid': 'uid-0', epoch: 'r5' }))).toEqual([remove('old')]);
    });

    it('ignores epochs it cannot read when comparing triggers, and allows the same trigger again', () => {
      expect(planWith(key('odd', {}, { epoch: 'manual' }))).toEqual([expire('odd', 'manual')]);
      expect(planWith(key('same', { expires: '2026-06-02T00:00:00Z' }, { epoch: 'r0-p100-e1' }))).toEqual([]);
    });

    it('refuses one trigger lower, and names both', () => {
      const d3 = { ...d1, key: { ...d1.key, metadata: { ...d1.key.metadata, epoch: 'r3' } } };
      expect(() => plan(d3, { team: base.team, keys: [key('p', {}, { epoch: 'r4' })] })).toThrow('spec.rotation.trigger 3 is lower than 4, which this request already used: triggers only go up');
      expect(plan(d3, { team: base.team, keys: [key('p', {}, { epoch: 'r3-p100-e1' })] })).toEqual([{ kind: 'create-key', body: { ...d3.key, key: KEY } }, expire('p', 'r3-p100-e1')]);
    });
  });
});

describe('ownership and read-back, both ways', () => {
  const d = desired();
  const observed = inSync(d);

  it('refuses a team that names this request but another manager, quoting both', () => {
    const claimed: Observed = { team: { ...observed.team, metadata: { ...observed.team.metadata, 'managed-by': 'other-tool' } }, keys: [] };
    expect(() => plan(d, claimed)).toThrow(
      `LiteLLM team '${TEAM_ID}' exists but was not created by this promise for default/example (metadata managed-by "other-tool", request "default/example"); refusing to modify it`,
    );
  });

  it('refuses a team without metadata, and ignores keys without metadata', () => {
    expect(() => plan(d, { team: { team_id: TEAM_ID, metadata: null }, keys: [] })).toThrow('(metadata managed-by null, request null); refusing to modify it');
    expect(plan(d, { team: observed.team, keys: [...observed.keys, { key_alias: 'bare', metadata: null }] })).toEqual([]);
  });

  it('reads an epoch without a trigger as trigger 0', () => {
    const custom = { ...d, key: { ...d.key, metadata: { ...d.key.metadata, epoch: 'custom' } } };
    expect(() => plan(custom, { team: observed.team, keys: [{ ...observed.keys[0]!, key_alias: 'prev', metadata: { ...observed.keys[0]!.metadata, epoch: 'r0-p100-e1' } }] })).not.toThrow();
  });

  it('does not trust a key whose read-back failed, whatever the body says', async () => {
    const litellm = new ScriptedLiteLLM({
      'GET /team/info': teamInfo({ team: observed.team, keys: [] }),
      'GET /key/list': noRevokedKeys,
      'POST /key/generate': ok(),
      'GET /key/info': status(403, { info: { key_alias: ALIAS, team_id: TEAM_ID } }),
    });
    await expect(reconcile(litellm.client, d)).rejects.toThrow(`LiteLLM did not store key '${ALIAS}' (the same key value already exists: status 403)`);
  });

  it('does not trust a read-back without a body, and names what it found', async () => {
    // GIVEN read-backs that carry nothing: a 404 without a body, and a 200 without `info`
    for (const [answer, found] of [
      [{ status: 404, body: undefined }, 'status 404'],
      [ok({}), 'alias null in team null'],
    ] as const) {
      const litellm = new ScriptedLiteLLM({
        'GET /team/info': teamInfo({ team: observed.team, keys: [] }),
        'GET /key/list': noRevokedKeys,
        'POST /key/generate': ok(),
        'GET /key/info': answer,
      });
      // THEN the run refuses in its own words, not with a TypeError
      await expect(reconcile(litellm.client, d)).rejects.toThrow(`LiteLLM did not store key '${ALIAS}' (the same key value already exists: ${found})`);
    }
  });
});
