import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load, loadAll } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KratixRunResult, aiRequest, kratixRun } from './support/kratix-run.js';
import { type KeyRow, LiteLLMEmulator, type TeamRow } from './support/litellm-emulator.js';
import { mapLimit } from './support/pool.js';
import { CONCURRENT_PARALLELISM, CONCURRENT_REQUESTS, SAME_REQUEST_RACES } from './support/reliability-figures.js';
import { TEST_CATALOG } from './support/test-catalog.js';

/*
 * Kratix may start a request's pipeline again while an earlier run is still going (a controller
 * restart, a requeue, a spec change), and many requests are provisioned at the same time against one
 * LiteLLM. Neither may produce a second team or key, nor hand one request another request's key.
 */

/** Pinned clock for the pipeline's time-based decisions (key rotation), so runs are comparable. */
const PIPELINE_ENV = { AI_PROMISE_NOW: '2025-06-02T12:00:00Z' };
const catalog = TEST_CATALOG;

let emulator: LiteLLMEmulator;
let root: string;
let runs = 0;

beforeAll(async () => {
  emulator = await LiteLLMEmulator.start();
  root = mkdtempSync(join(tmpdir(), 'concurrency-'));
});
afterAll(async () => {
  await emulator.stop();
  rmSync(root, { recursive: true, force: true });
});

async function configure(object: Record<string, unknown>): Promise<KratixRunResult> {
  const dir = join(root, String(runs++));
  const run = await kratixRun({ type: 'resource', action: 'configure', object, litellmUrl: emulator.url, masterKey: emulator.masterKey, env: PIPELINE_ENV, dir });
  rmSync(dir, { recursive: true, force: true });
  return run;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function expectSuccess(run: KratixRunResult, what: string): void {
  expect(run.stderr, what).toBe('');
  expect(run.code, what).toBe(0);
}

/** The Secret the run wrote for the requester. */
function secretOf(run: KratixRunResult): { metadata: { name: string; namespace: string }; stringData: { OPENAI_API_KEY: string } } {
  const docs = loadAll(run.outputs.get('workload/team-tier.yaml') ?? '') as any[];
  const secrets = docs.filter((d) => d?.kind === 'Secret');
  expect(secrets).toHaveLength(1);
  return secrets[0];
}

function teamsOf(request: string): TeamRow[] {
  return emulator.teams().filter((t) => t.metadata?.request === request);
}

function keysOf(request: string): KeyRow[] {
  return emulator.keys().filter((k) => k.metadata?.request === request);
}

function duplicates(values: readonly unknown[]): unknown[] {
  const seen = new Set<unknown>();
  return values.filter((v) => (seen.has(v) ? true : (seen.add(v), false)));
}

/**
 * How each round lines the two runs up. Left alone, one run often finishes its few milliseconds of
 * HTTP before the other has started; so most rounds hold the first run's create for a while (an
 * emulator delay), which lets the second run observe the same empty state and create first: the
 * first run then loses the race on exactly that write and must recover.
 */
const RACES: readonly { readonly name: string; readonly hold?: '/team/new' | '/key/generate' }[] = [
  { name: 'as they come' },
  { name: 'both create the team', hold: '/team/new' },
  { name: 'both create the key', hold: '/key/generate' },
  { name: 'both create the team', hold: '/team/new' },
  { name: 'both create the key', hold: '/key/generate' },
];
const HOLD_MS = 2_000;

describe('two runs of the same request at the same moment', () => {
  afterAll(() => emulator.clearFaults());

  it.each(Array.from({ length: SAME_REQUEST_RACES }, (_, i) => ({ round: i + 1, ...RACES[i % RACES.length]! })))(
    'converge to one team and one key (round $round: $name)',
    async ({ round, hold }) => {
      // GIVEN a new request
      const namespace = `race-${round}`;
      const object = aiRequest('example', namespace, { tier: 'medium', ui: true, team: 'engineering', models: ['gpt-5', 'claude-opus-4'] });
      const request = `${namespace}/example`;
      emulator.clearFaults();
      if (hold) emulator.inject({ method: 'POST', path: hold, delayMs: HOLD_MS, times: 1 });
      const mark = emulator.requests.length;

      // WHEN Kratix starts two pipeline runs for it at the same moment
      const [first, second] = await Promise.all([configure(object), configure(object)]);

      // THEN both succeed and write byte-identical outputs
      expectSuccess(first!, 'first run');
      expectSuccess(second!, 'second run');
      expect([...second!.outputs.entries()]).toEqual([...first!.outputs.entries()]);
      expect(second!.statusText).toBe(first!.statusText);
      // AND when a create was held, both runs did send it, and one of them lost
      if (hold) {
        const creates = emulator.requests.slice(mark).filter((r) => r.method === 'POST' && r.path === hold);
        expect(creates.map((r) => r.status).sort()).toEqual([200, 400]);
      }
      // AND LiteLLM holds exactly one team and one key for the request
      const teams = teamsOf(request);
      const keys = keysOf(request);
      expect(teams).toHaveLength(1);
      expect(keys).toHaveLength(1);
      expect(keys[0]!.team_id).toBe(teams[0]!.team_id);
      // AND the Secret carries that key
      expect(sha256(secretOf(first!).stringData.OPENAI_API_KEY)).toBe(keys[0]!.token);

      // AND a third run finds nothing left to do
      const writes = emulator.writes().length;
      expectSuccess(await configure(object), 'third run');
      expect(emulator.writes().length).toBe(writes);
    },
  );
});

describe(`${CONCURRENT_REQUESTS} different requests at once`, () => {
  it(`provision ${CONCURRENT_REQUESTS} teams and keys without duplicates or cross-wiring (${CONCURRENT_PARALLELISM} runs at a time)`, async () => {
    // GIVEN CONCURRENT_REQUESTS requests with different tiers, models, UI and owners, several per
    // namespace, on a LiteLLM that holds nothing for them yet
    const before = { teams: emulator.teams().length, keys: emulator.keys().length };
    const requests = Array.from({ length: CONCURRENT_REQUESTS }, (_, i) => {
      const namespace = `load-${i % 10}`;
      const name = `req-${i}`;
      const models = catalog.modelNames.filter((_, m) => ((i + 1) >> m) & 1 || m === i % catalog.modelNames.length);
      const spec = { tier: catalog.tierNames[i % catalog.tierNames.length]!, ui: i % 2 === 0, team: `team-${i % 7}`, models };
      return { namespace, name, spec, uid: `c0ffee00-0000-4000-8000-${String(i).padStart(12, '0')}`, request: `${namespace}/${name}` };
    });

    // WHEN their pipelines run concurrently, with bounded parallelism
    const results = await mapLimit(requests, CONCURRENT_PARALLELISM, (r) => configure(aiRequest(r.name, r.namespace, r.spec, r.uid)));

    // THEN every run succeeds
    results.forEach((run, i) => expectSuccess(run, requests[i]!.request));
    // AND LiteLLM holds exactly one new team and one new key per request
    const teams = emulator.teams().filter((t) => String(t.metadata?.request ?? '').startsWith('load-'));
    const keys = emulator.keys().filter((k) => String(k.metadata?.request ?? '').startsWith('load-'));
    expect(emulator.teams().length - before.teams).toBe(CONCURRENT_REQUESTS);
    expect(emulator.keys().length - before.keys).toBe(CONCURRENT_REQUESTS);
    expect(teams).toHaveLength(CONCURRENT_REQUESTS);
    expect(keys).toHaveLength(CONCURRENT_REQUESTS);
    // AND no team id, key alias or key value appears twice
    expect(duplicates(teams.map((t) => t.team_id))).toEqual([]);
    expect(duplicates(keys.map((k) => k.key_alias))).toEqual([]);
    expect(duplicates(keys.map((k) => k.token))).toEqual([]);
    const plaintexts = results.map((run) => secretOf(run).stringData.OPENAI_API_KEY);
    expect(duplicates(plaintexts)).toEqual([]);

    // AND nothing is cross-wired: each request's team, key and Secret belong to that request
    requests.forEach((r, i) => {
      const run = results[i]!;
      const [team, ...moreTeams] = teams.filter((t) => t.metadata?.request === r.request);
      const [key, ...moreKeys] = keys.filter((k) => k.metadata?.request === r.request);
      expect(moreTeams, r.request).toEqual([]);
      expect(moreKeys, r.request).toEqual([]);
      expect(team, r.request).toBeDefined();
      expect(key, r.request).toBeDefined();
      // the team: this request's uid, owner, tier limits and models
      expect(team!.metadata).toMatchObject({ request: r.request, 'request-uid': r.uid, owner: r.spec.team, tier: r.spec.tier });
      expect(team!.rpm_limit).toBe(catalog.tier(r.spec.tier).rpmLimit);
      expect([...team!.models].sort()).toEqual([...r.spec.models].sort());
      // the key: bound to that team, for this request, with its models
      expect(key!.team_id).toBe(team!.team_id);
      expect(key!.metadata).toMatchObject({ request: r.request, 'request-uid': r.uid });
      expect([...key!.models].sort()).toEqual([...r.spec.models].sort());
      // the Secret: in the request's namespace, holding the plaintext of exactly that key
      const secret = secretOf(run);
      expect(secret.metadata.namespace).toBe(r.namespace);
      expect(secret.metadata.name).toBe(`${r.name}-litellm-key`);
      expect(sha256(secret.stringData.OPENAI_API_KEY), r.request).toBe(key!.token);
      // the status: this request's team
      expect((load(run.statusText) as any).ai.teamId).toBe(team!.team_id);
      // the UI only where asked for
      expect(run.outputs.has('workload/open-webui.yaml')).toBe(r.spec.ui);
    });
  }, 240_000);
});
