import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type KratixRunResult, aiRequest, kratixRun } from './support/kratix-run.js';
import { type FaultRule, type KeyRow, LiteLLMEmulator, type TeamRow } from './support/litellm-emulator.js';
import {
  CONCURRENT_PARALLELISM,
  CONCURRENT_REQUESTS,
  FAULT_MAX_ATTEMPTS,
  FUZZ_AGREEMENT_SPECS,
  FUZZ_REQUEST_OBJECTS,
  FUZZ_YAML_TEXTS,
  SAME_REQUEST_RACES,
} from './support/reliability-figures.js';

/*
 * The fault matrix: every HTTP call the pipeline makes to LiteLLM, under every kind of fault a
 * LiteLLM (or a proxy in front of it) produces. A fault that happens once must cost one retry and
 * nothing else; a fault that persists must end the run in bounded time with one line that says
 * which call failed and how, and the next healthy run must converge to exactly the state of a run
 * that never met a fault. docs/reliability.md reports what it found: the last test checks it is
 * current, and `npm run docs:reliability` (scripts/docs-reliability.mjs) regenerates it.
 */

// The cases mostly wait (backoff, Retry-After, timeouts): run more of them at once than the default 5.
vi.setConfig({ maxConcurrency: 8 });

const DOC = new URL('../docs/reliability.md', import.meta.url);
/** Set by scripts/docs-reliability.mjs: where to put the rendered document (never the repository). */
const DOC_OUT_ENV = 'RELIABILITY_DOC_OUT';
const CLIENT_SOURCE = new URL('../pipeline/litellm-client.ts', import.meta.url);

/** Pinned clocks (pipeline and emulator), so runs and LiteLLM rows are comparable byte for byte. */
const NOW = new Date('2025-06-02T12:00:00.000Z');
const PIPELINE_ENV = { AI_PROMISE_NOW: NOW.toISOString() };
/** Attempt timeout for the "no answer" fault, and how long the emulator keeps quiet. */
const ATTEMPT_TIMEOUT_MS = 1_000;
const SILENCE_MS = 2_500;
/** Bounds for a faulted call in the runs below: FAULT_MAX_ATTEMPTS attempts, this long in all. */
const CALL_TIMEOUT_MS = 20_000;
/** Generous upper bound on any faulted run, start to exit. */
const RUN_BOUND_MS = 30_000;

// ---------------------------------------------------------------------------------------------
// The retry policy, read from pipeline/litellm-client.ts
// ---------------------------------------------------------------------------------------------

interface RetryPolicy {
  readonly retryable: readonly number[];
  readonly baseBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly attemptTimeoutMs: number;
  readonly callTimeoutMs: number;
  readonly maxAttempts: number;
  readonly retryAfterCapMs: number;
}

/** The client's constants and defaults, so the document says what the code does. */
function readPolicy(): RetryPolicy {
  const source = readFileSync(CLIENT_SOURCE, 'utf8');
  const find = (pattern: RegExp, what: string): string => {
    const match = pattern.exec(source);
    if (!match) throw new Error(`cannot find ${what} in pipeline/litellm-client.ts (${pattern}): update readPolicy() in test/faults.test.ts`);
    return match[1]!;
  };
  const number = (pattern: RegExp, what: string): number => Number(find(pattern, what).replace(/_/g, ''));
  return {
    retryable: find(/RETRYABLE_STATUS = new Set\(\[([^\]]*)\]\)/, 'RETRYABLE_STATUS')
      .split(',')
      .map((s) => Number(s.trim())),
    baseBackoffMs: number(/BASE_BACKOFF_MS = ([\d_]+)/, 'BASE_BACKOFF_MS'),
    maxBackoffMs: number(/MAX_BACKOFF_MS = ([\d_]+)/, 'MAX_BACKOFF_MS'),
    attemptTimeoutMs: number(/attemptTimeoutMs \?\? ([\d_]+)/, 'the default attempt timeout'),
    callTimeoutMs: number(/callTimeoutMs \?\? ([\d_]+)/, 'the default call timeout'),
    maxAttempts: number(/maxAttempts \?\? ([\d_]+)/, 'the default number of attempts'),
    retryAfterCapMs: number(/Math\.min\(ms, ([\d_]+)\)/, 'the Retry-After cap'),
  };
}

const policy = readPolicy();

/** The client's wait before attempt `attempt + 1`. */
function backoffMs(attempt: number, retryAfterMs = 0): number {
  return Math.max(Math.min(policy.maxBackoffMs, policy.baseBackoffMs * 2 ** (attempt - 1)), Math.min(retryAfterMs, policy.retryAfterCapMs));
}

/** A coarse, deterministic bucket of the time the policy spends on a fault (waits and timeouts). */
function bucket(ms: number): string {
  if (ms < 1_000) return '< 1 s';
  if (ms < 5_000) return '1–5 s';
  if (ms < 15_000) return '5–15 s';
  return '≥ 15 s';
}

function seconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${ms / 1000} s`;
}

// ---------------------------------------------------------------------------------------------
// Steps, faults and scenarios
// ---------------------------------------------------------------------------------------------

type ScenarioId = 'create' | 'tier-change' | 'model-change' | 'rotation' | 'delete';

interface Step {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly what: string;
  readonly scenario: ScenarioId;
}

const STEPS: readonly Step[] = [
  { method: 'GET', path: '/team/info', what: 'observe the team', scenario: 'create' },
  { method: 'GET', path: '/health/readiness/details', what: 'check the LiteLLM release', scenario: 'create' },
  { method: 'POST', path: '/team/new', what: 'create the team', scenario: 'create' },
  { method: 'GET', path: '/key/list', what: 'check the key was never revoked', scenario: 'create' },
  { method: 'POST', path: '/key/generate', what: 'create the key', scenario: 'create' },
  { method: 'GET', path: '/key/info', what: 'verify the key', scenario: 'create' },
  { method: 'POST', path: '/team/update', what: 'tier change', scenario: 'tier-change' },
  { method: 'POST', path: '/key/update', what: 'model change', scenario: 'model-change' },
  { method: 'POST', path: '/key/update', what: 'grace period for the previous key', scenario: 'rotation' },
  { method: 'POST', path: '/key/delete', what: 'delete the keys', scenario: 'delete' },
  { method: 'POST', path: '/team/delete', what: 'delete the team', scenario: 'delete' },
];

interface Fault {
  readonly label: string;
  readonly rule: Omit<FaultRule, 'method' | 'path' | 'times'>;
  /** What the one-line error must say about the call. */
  readonly problem: RegExp;
  /** The same, for the document. */
  readonly problemText: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly retryAfterMs?: number;
  /** The fault costs an attempt timeout per attempt. */
  readonly silent?: boolean;
}

const FAULTS: readonly Fault[] = [
  { label: '500', rule: { status: 500 }, problem: /answered 500: /, problemText: 'answered 500: …' },
  { label: '502', rule: { status: 502 }, problem: /answered 502: /, problemText: 'answered 502: …' },
  { label: '429, Retry-After: 1', rule: { status: 429, headers: { 'retry-after': '1' } }, problem: /answered 429: /, problemText: 'answered 429: …', retryAfterMs: 1_000 },
  {
    label: `no answer for ${seconds(SILENCE_MS)} (attempt timeout ${seconds(ATTEMPT_TIMEOUT_MS)})`,
    rule: { delayMs: SILENCE_MS },
    problem: /failed: timed out/,
    problemText: 'failed: timed out',
    env: { LITELLM_TIMEOUT_MS: String(ATTEMPT_TIMEOUT_MS) },
    silent: true,
  },
  { label: 'connection dropped', rule: { drop: true }, problem: /failed: ECONNRESET/, problemText: 'failed: ECONNRESET' },
  { label: 'malformed JSON body', rule: { malformed: true }, problem: /answered 200 with a body that is not JSON/, problemText: 'answered 200 with a body that is not JSON' },
];

const UID = 'fa017000-0000-4000-8000-000000000001';
const SPEC = { tier: 'small', ui: true, team: 'engineering', models: ['gpt-5'] };
const request = (spec: Record<string, unknown>) => aiRequest('example', 'faults', spec, UID);

interface Scenario {
  /** Configure runs that build the starting state. */
  readonly setup: readonly Record<string, unknown>[];
  readonly action: 'configure' | 'delete';
  readonly object: Record<string, unknown>;
  readonly description: string;
}

const SCENARIOS: Record<ScenarioId, Scenario> = {
  create: { setup: [], action: 'configure', object: request(SPEC), description: 'first run of a new request' },
  'tier-change': { setup: [request(SPEC)], action: 'configure', object: request({ ...SPEC, tier: 'medium' }), description: 'the request moves from small to medium' },
  'model-change': { setup: [request(SPEC)], action: 'configure', object: request({ ...SPEC, models: ['gpt-5', 'gemini-2.5-pro'] }), description: 'the request adds a model' },
  rotation: { setup: [request(SPEC)], action: 'configure', object: request({ ...SPEC, rotation: { trigger: 1 } }), description: 'the requester bumps spec.rotation.trigger' },
  delete: { setup: [request(SPEC)], action: 'delete', object: request(SPEC), description: 'the request is deleted' },
};

// ---------------------------------------------------------------------------------------------
// Running the pipeline against emulators
// ---------------------------------------------------------------------------------------------

let root: string;
let runCount = 0;
const emulators = new Set<LiteLLMEmulator>();

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'faults-'));
});
afterAll(async () => {
  await Promise.all([...emulators].map((e) => e.stop()));
  rmSync(root, { recursive: true, force: true });
});

async function emulator(): Promise<LiteLLMEmulator> {
  const e = await LiteLLMEmulator.start({ now: () => NOW });
  emulators.add(e);
  return e;
}

async function release(e: LiteLLMEmulator): Promise<void> {
  emulators.delete(e);
  await e.stop();
}

async function run(e: LiteLLMEmulator, action: 'configure' | 'delete', object: Record<string, unknown>, env: Record<string, string> = {}): Promise<KratixRunResult> {
  const dir = join(root, String(runCount++));
  const result = await kratixRun({ type: 'resource', action, object, litellmUrl: e.url, masterKey: e.masterKey, env: { ...PIPELINE_ENV, ...env }, dir, killAfterMs: 60_000 });
  rmSync(dir, { recursive: true, force: true });
  return result;
}

interface State {
  readonly teams: TeamRow[];
  readonly keys: KeyRow[];
}

function state(e: LiteLLMEmulator): State {
  return {
    teams: e.teams().sort((a, b) => a.team_id.localeCompare(b.team_id)),
    keys: e.keys().sort((a, b) => a.token.localeCompare(b.token)),
  };
}

/**
 * Teams beyond one per request, and keys beyond one per request and rotation epoch: what a
 * non-idempotent retry would leave behind. (Two keys of different epochs during a rotation's grace
 * period are by design.)
 */
function duplicatesIn(s: State): number {
  const extra = (ids: readonly string[]) => ids.length - new Set(ids).size;
  return (
    extra(s.teams.map((t) => String(t.metadata?.request))) +
    extra(s.keys.map((k) => `${String(k.metadata?.request)} ${String(k.metadata?.epoch)}`)) +
    extra(s.keys.map((k) => String(k.key_alias)))
  );
}

/** The starting state of a scenario, recorded once, with the key plaintexts to seed it again. */
interface Snapshot extends State {
  readonly plaintexts: ReadonlyMap<string, string>;
}

const snapshots = new Map<ScenarioId, Promise<Snapshot>>();

function snapshot(id: ScenarioId): Promise<Snapshot> {
  let pending = snapshots.get(id);
  if (!pending) {
    pending = (async () => {
      const e = await emulator();
      for (const object of SCENARIOS[id].setup) {
        const setup = await run(e, 'configure', object);
        if (setup.code !== 0) throw new Error(`setup of ${id} failed: ${setup.stderr}`);
      }
      // The emulator stores only hashes; the plaintexts are in the recorded /key/generate bodies.
      const plaintexts = new Map<string, string>();
      for (const r of e.requests) {
        const key = (r.body as { key?: unknown } | null)?.key;
        if (r.method === 'POST' && r.path === '/key/generate' && typeof key === 'string') plaintexts.set(createHash('sha256').update(key).digest('hex'), key);
      }
      const s = state(e);
      await release(e);
      return { ...s, plaintexts };
    })();
    snapshots.set(id, pending);
  }
  return pending;
}

/** A fresh LiteLLM holding a scenario's starting state. */
async function seeded(id: ScenarioId): Promise<LiteLLMEmulator> {
  const start = await snapshot(id);
  const e = await emulator();
  for (const team of start.teams) e.seedTeam(team);
  for (const key of start.keys) {
    const plaintext = start.plaintexts.get(key.token);
    if (!plaintext) throw new Error(`no plaintext recorded for key ${key.key_alias}`);
    e.seedKey(plaintext, key);
  }
  return e;
}

/** What a never-faulted run of a scenario does: its final state, outputs, status and calls. */
interface Reference {
  readonly state: State;
  readonly outputs: [string, string][];
  readonly statusText: string;
  readonly calls: ReadonlyMap<string, number>;
}

const references = new Map<ScenarioId, Promise<Reference>>();

function callCounts(e: LiteLLMEmulator, from: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of e.requests.slice(from)) counts.set(`${r.method} ${r.path}`, (counts.get(`${r.method} ${r.path}`) ?? 0) + 1);
  return counts;
}

function reference(id: ScenarioId): Promise<Reference> {
  let pending = references.get(id);
  if (!pending) {
    pending = (async () => {
      const e = await seeded(id);
      const scenario = SCENARIOS[id];
      const result = await run(e, scenario.action, scenario.object);
      if (result.code !== 0) throw new Error(`never-faulted run of ${id} failed: ${result.stderr}`);
      const ref = { state: state(e), outputs: [...result.outputs.entries()].sort(), statusText: result.statusText, calls: callCounts(e, 0) };
      await release(e);
      return ref;
    })();
    references.set(id, pending);
  }
  return pending;
}

// ---------------------------------------------------------------------------------------------
// The matrix
// ---------------------------------------------------------------------------------------------

interface CaseRecord {
  readonly attemptsOnce: number;
  readonly attemptsPersistent: number;
  readonly duplicates: number;
}

/** Filled by the matrix, keyed by `<step index>:<fault index>`, read by the document test. */
const records = new Map<string, CaseRecord>();

function expectConverged(e: LiteLLMEmulator, result: KratixRunResult, ref: Reference, what: string): void {
  expect(result.stderr, what).toBe('');
  expect(result.code, what).toBe(0);
  expect(state(e), `${what}: LiteLLM state`).toEqual(ref.state);
  expect([...result.outputs.entries()].sort(), `${what}: outputs`).toEqual(ref.outputs);
  expect(result.statusText, `${what}: status`).toBe(ref.statusText);
}

describe.concurrent('fault matrix', () => {
  const cases = STEPS.flatMap((step, s) => FAULTS.map((fault, f) => ({ step, fault, key: `${s}:${f}`, name: `${step.method} ${step.path} (${step.what}) × ${fault.label}` })));

  for (const { step, fault, key, name } of cases) it(`${name}: survived once; reported, then converged, when persistent`, async () => {
    const scenario = SCENARIOS[step.scenario];
    const ref = await reference(step.scenario);
    const call = `${step.method} ${step.path}`;
    const expectedCalls = ref.calls.get(call) ?? 0;
    // The scenario must make the call at all, or this case would prove nothing.
    expect(expectedCalls, `a never-faulted ${step.scenario} run makes no ${call}`).toBeGreaterThan(0);
    const faultEnv = { LITELLM_MAX_ATTEMPTS: String(FAULT_MAX_ATTEMPTS), LITELLM_CALL_TIMEOUT_MS: String(CALL_TIMEOUT_MS), ...fault.env };

    // --- Once -------------------------------------------------------------------------------
    // GIVEN LiteLLM in the scenario's starting state, faulting the next such call once
    const once = await seeded(step.scenario);
    once.inject({ method: step.method, path: step.path, times: 1, ...fault.rule });
    // WHEN the pipeline runs
    const first = await run(once, scenario.action, scenario.object, faultEnv);
    // THEN it succeeds after exactly one extra attempt of that call
    const attemptsOnce = callCounts(once, 0).get(call) ?? 0;
    expect(attemptsOnce).toBe(expectedCalls + 1);
    // AND it ends where a never-faulted run ends: same teams and keys, byte-identical outputs
    expectConverged(once, first, ref, 'run with a fault once');
    expect(first.elapsedMs).toBeLessThan(RUN_BOUND_MS);
    const duplicatesOnce = duplicatesIn(state(once));
    await release(once);

    // --- Persistent -------------------------------------------------------------------------
    // GIVEN the same starting state, with the fault on every such call
    const always = await seeded(step.scenario);
    always.inject({ method: step.method, path: step.path, times: Infinity, ...fault.rule });
    // WHEN the pipeline runs
    const failed = await run(always, scenario.action, scenario.object, faultEnv);
    // THEN it fails within a bounded time
    expect(failed.code).toBe(1);
    expect(failed.elapsedMs).toBeLessThan(RUN_BOUND_MS);
    // AND says so in one line that names the call's URL and the problem
    const line = `LiteLLM ${step.method} ${always.url}${step.path} `;
    expect(failed.stderr).toMatch(/^error: [^\n]*\n$/);
    expect(failed.stderr).not.toMatch(/\n\s+at /);
    expect(failed.stderr.startsWith(`error: ${line}`), failed.stderr).toBe(true);
    expect(failed.stderr).toMatch(fault.problem);
    expect(failed.stderr).toContain(`(gave up after ${FAULT_MAX_ATTEMPTS} attempts)`);
    // AND the tenant-visible status says what failed and who acts, without LiteLLM's words
    expect(failed.status?.message).toMatch(
      /^Failed: LiteLLM did not answer while (provisioning the team and key in|removing the team and keys from) LiteLLM; the platform team should check that LiteLLM is up \(details in the pipeline log\)$/,
    );
    // AND it made exactly FAULT_MAX_ATTEMPTS attempts of the call
    const attemptsPersistent = callCounts(always, 0).get(call) ?? 0;
    expect(attemptsPersistent).toBe(FAULT_MAX_ATTEMPTS);

    // WHEN LiteLLM recovers and Kratix runs the pipeline again
    always.clearFaults();
    const healthy = await run(always, scenario.action, scenario.object);
    // THEN that run converges to the never-faulted state, with byte-identical outputs
    expectConverged(always, healthy, ref, 'healthy run after a persistent fault');
    const duplicatesPersistent = duplicatesIn(state(always));
    await release(always);

    expect(duplicatesOnce + duplicatesPersistent).toBe(0);
    records.set(key, { attemptsOnce, attemptsPersistent, duplicates: duplicatesOnce + duplicatesPersistent });
  });
});

// ---------------------------------------------------------------------------------------------
// docs/reliability.md
// ---------------------------------------------------------------------------------------------

function waitOnce(fault: Fault): number {
  return (fault.silent ? ATTEMPT_TIMEOUT_MS : 0) + backoffMs(1, fault.retryAfterMs);
}

function waitPersistent(fault: Fault): number {
  let total = fault.silent ? ATTEMPT_TIMEOUT_MS * FAULT_MAX_ATTEMPTS : 0;
  for (let attempt = 1; attempt < FAULT_MAX_ATTEMPTS; attempt++) total += backoffMs(attempt, fault.retryAfterMs);
  return total;
}

function renderDocument(): string {
  const cells = STEPS.flatMap((step, s) => FAULTS.map((fault, f) => ({ step, fault, record: records.get(`${s}:${f}`)! })));
  const survived = cells.length;
  const duplicates = cells.reduce((sum, c) => sum + c.record.duplicates, 0);
  const backoffs = Array.from({ length: Math.max(1, policy.maxAttempts - 1) }, (_, i) => seconds(backoffMs(i + 1)));
  const lines = [
    '# Reliability',
    '',
    '<!-- Generated from what test/faults.test.ts ran: do not edit. After changing how the pipeline',
    '     calls LiteLLM, run `npm run docs:reliability` and commit the result. -->',
    '',
    'How the pipeline behaves when LiteLLM misbehaves, when requests race, and when its input is hostile.',
    'Every figure below is a case the test suite runs on each `npm test`, against the bundled pipeline',
    '(`dist/pipeline`, the image\'s entrypoint, run as Kratix runs it) and the LiteLLM emulator (`test/support/litellm-emulator.ts`).',
    '',
    '## Summary',
    '',
    '| figure | value |',
    '|---|---|',
    `| fault cases tried | ${cells.length * 2} (${STEPS.length} steps × ${FAULTS.length} faults × once or persistent) |`,
    `| faults survived (injected once: one retry, then success with the same LiteLLM state and byte-identical outputs as a never-faulted run) | ${survived} of ${cells.length} |`,
    `| persistent faults reported in one line naming the URL and the problem, in bounded time, then converged by the next healthy run | ${cells.length} of ${cells.length} |`,
    `| duplicate teams or keys found | ${duplicates} (fault cases above; ${SAME_REQUEST_RACES} same-request races and ${CONCURRENT_REQUESTS} concurrent requests in \`test/concurrency.test.ts\`) |`,
    `| generated request objects through \`parseRequest\` (\`test/fuzz.test.ts\`) | ${FUZZ_REQUEST_OBJECTS} |`,
    `| generated specs checked for CRD/pipeline agreement | ${FUZZ_AGREEMENT_SPECS} |`,
    `| hostile YAML documents through the bundled pipeline (alias bombs, deep nesting, ~1 MiB, binary, tabs, several documents) | ${FUZZ_YAML_TEXTS} |`,
    `| concurrent provisioning | ${CONCURRENT_REQUESTS} requests, ${CONCURRENT_PARALLELISM} runs at a time: ${CONCURRENT_REQUESTS} teams, ${CONCURRENT_REQUESTS} keys, no cross-wiring |`,
    '',
    '## Retry policy',
    '',
    'From `pipeline/litellm-client.ts`, the only code that talks to LiteLLM:',
    '',
    `- Every call is bounded: each attempt times out after ${seconds(policy.attemptTimeoutMs)} (\`LITELLM_TIMEOUT_MS\`), a call makes at most ${policy.maxAttempts} attempts (\`LITELLM_MAX_ATTEMPTS\`), and gives up when the next wait would pass ${seconds(policy.callTimeoutMs)} since it started (\`LITELLM_CALL_TIMEOUT_MS\`).`,
    `- Retried: HTTP ${policy.retryable.join(', ')}, connection errors, attempt timeouts, and answers whose body is not JSON. Any other status goes back to the caller, which decides what a 404 or a 400 "already exists" means.`,
    `- Waits between attempts double from ${seconds(policy.baseBackoffMs)}, capped at ${seconds(policy.maxBackoffMs)} (${backoffs.join(', ')} with the default attempts); a \`Retry-After\` header (seconds or HTTP date) lengthens the wait, capped at ${seconds(policy.retryAfterCapMs)}.`,
    '- Giving up raises one sentence, `LiteLLM <METHOD> <URL> <problem> (gave up after N attempts)`, which goes to stderr with anything that looks like a key or its hash masked and control characters removed; the tenant-visible `status.message` gets a short sentence without it: `Failed: LiteLLM did not answer while <stage>; the platform team should check that LiteLLM is up (details in the pipeline log)`.',
    '- Retried writes are safe: team ids and key values are deterministic, a lost race ("already exists") makes the run observe again and re-plan, and a created key is read back before it is trusted.',
    '',
    '## Fault matrix',
    '',
    `Each call was faulted once (\`times: 1\`) and persistently (\`times: Infinity\`, with \`LITELLM_MAX_ATTEMPTS=${FAULT_MAX_ATTEMPTS}\`,`,
    `\`LITELLM_CALL_TIMEOUT_MS=${CALL_TIMEOUT_MS}\`), each time from the same starting state in a fresh LiteLLM. "Attempts" counts the`,
    'requests LiteLLM received for that call in the run; "time" is the waiting the retry policy adds (backoff, Retry-After',
    'and attempt timeouts), as a bucket.',
    '',
    'Scenarios: ' + (Object.entries(SCENARIOS) as [ScenarioId, Scenario][]).map(([id, s]) => `**${id}**: ${s.description}`).join('; ') + '.',
    '',
    '| call | scenario | fault | once: outcome | attempts | time | persistent: outcome | attempts | time |',
    '|---|---|---|---|---|---|---|---|---|',
    ...cells.map(
      ({ step, fault, record }) =>
        `| \`${step.method} ${step.path}\` (${step.what}) | ${step.scenario} | ${fault.label} | retried, succeeded, converged | ${record.attemptsOnce} | ${bucket(waitOnce(fault))} ` +
        `| failed: \`${fault.problemText} (gave up after ${FAULT_MAX_ATTEMPTS} attempts)\`; next run converged | ${record.attemptsPersistent} | ${bucket(waitPersistent(fault))} |`,
    ),
    '',
  ];
  return lines.join('\n');
}

describe('docs/reliability.md', () => {
  it('records the fault matrix, and is up to date', () => {
    // GIVEN every case of the matrix passed
    expect(records.size, 'some fault cases failed or did not run: the document is only written from a complete matrix').toBe(STEPS.length * FAULTS.length);
    // WHEN the document is rendered
    const content = renderDocument();
    // THEN its content is deterministic (no timings, ports or paths)
    expect(renderDocument()).toBe(content);
    expect(content).not.toMatch(/127\.0\.0\.1|\/tmp\//);
    // (`npm run docs:reliability` asks for the rendering in a file of its own, outside the
    // repository, and copies it to docs/: a test never writes into the working tree)
    const out = process.env[DOC_OUT_ENV];
    if (out) writeFileSync(out, content);
    // AND the committed file is that content
    const current = existsSync(DOC) ? readFileSync(DOC, 'utf8') : '(missing)';
    expect(current, 'docs/reliability.md is out of date: run `npm run docs:reliability` and commit it').toBe(content);
  });
});
