import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { load, loadAll } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TeamTier } from '../constructs/index.js';
import { renderArtifacts } from '../main.js';
import { type KratixRunOptions, type KratixRunResult, aiRequest, kratixRun } from './support/kratix-run.js';
import { LiteLLMEmulator } from './support/litellm-emulator.js';

/*
 * Secret hygiene: across every scenario a pipeline run can meet (promise configure, first run,
 * re-run, tier change, UI on and off, delete, and failures of every kind), the master key, the salt
 * key, the service account token and every virtual key stay out of every output file, the status,
 * stdout and stderr, except for the one place a virtual key belongs: `stringData.OPENAI_API_KEY`
 * of the Secret in workload/team-tier.yaml. And the promise asks Kubernetes for no more than it needs.
 */

const MASTER_KEY = 'sk-hygiene-master-6f1d2c3b4a5968778695a4b3c2d1e0f0';
/** Without the sk- prefix, so redact() cannot be what keeps it out: only never using it does. */
const SALT_KEY = 'hygiene-salt-0a1b2c3d4e5f60718293a4b5c6d7e8f9';
const SA_TOKEN = 'eyJhbGciOiJSUzI1NiJ9.hygiene-service-account-token.c2lnbmF0dXJl';
const NAMESPACE = 'hygiene';
const PIPELINE_ENV = { AI_PROMISE_NOW: '2025-06-02T12:00:00Z' };
const SECRET_FILE = 'output/workload/team-tier.yaml';
/** Anything shaped like a LiteLLM key; masked ones (`sk-***`) are too short to match. */
const KEY_SHAPED = /sk-[A-Za-z0-9_-]{16,}/g;

const spec = (over: Record<string, unknown> = {}) => ({ tier: 'small', ui: true, team: 'engineering', models: ['gpt-5'], ...over });
const uidOf = (name: string) => `4a11c0de-0000-4000-8000-${createHash('sha256').update(name).digest('hex').slice(0, 12)}`;
const requestOf = (name: string, over: Record<string, unknown> = {}) => aiRequest(name, NAMESPACE, spec(over), uidOf(name));

/** One run as seen from outside: every file it wrote (not its input), stdout and stderr. */
interface Captured {
  readonly scenario: string;
  readonly code: number | null;
  readonly texts: ReadonlyMap<string, string>;
}

let emulator: LiteLLMEmulator;
let kubernetes: Server;
let kubernetesUrl: string;
/** What the fake Kubernetes API answers for the credentials Secret. */
let secretAnswer: { status: number; data?: Record<string, string> } = { status: 404 };
let root: string;
let saDir: string;
let runs = 0;
const captured: Captured[] = [];
/** LiteLLM emulators other than the shared one, whose recorded requests also hold key values. */
const otherEmulators: LiteLLMEmulator[] = [];

beforeAll(async () => {
  emulator = await LiteLLMEmulator.start({ masterKey: MASTER_KEY });
  root = mkdtempSync(join(tmpdir(), 'hygiene-'));
  saDir = join(root, 'serviceaccount');
  mkdirSync(saDir);
  writeFileSync(join(saDir, 'token'), SA_TOKEN);
  kubernetes = createServer((req, res) => {
    const authorized = req.headers.authorization === `Bearer ${SA_TOKEN}`;
    const wanted = req.url === '/api/v1/namespaces/default/secrets/litellm-creds';
    const status = !authorized ? 401 : wanted ? secretAnswer.status : 403;
    const data = Object.fromEntries(Object.entries(secretAnswer.data ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(status === 200 ? { kind: 'Secret', metadata: { name: 'litellm-creds', namespace: 'default' }, data } : { kind: 'Status', code: status }));
  });
  await new Promise<void>((resolve) => kubernetes.listen(0, '127.0.0.1', resolve));
  kubernetesUrl = `http://127.0.0.1:${(kubernetes.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await emulator.stop();
  await Promise.all(otherEmulators.map((e) => e.stop()));
  await new Promise<void>((resolve) => kubernetes.close(() => resolve()));
  rmSync(root, { recursive: true, force: true });
});

function walk(dir: string, base: string, into: Map<string, string>): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, base, into);
    else into.set(relative(base, path), readFileSync(path, 'utf8'));
  }
}

/** Runs the bundle and records everything it left behind. */
async function capture(scenario: string, options: Partial<KratixRunOptions> & Pick<KratixRunOptions, 'object'>): Promise<KratixRunResult> {
  const dir = join(root, `run-${runs++}`);
  const result = await kratixRun({
    type: 'resource',
    action: 'configure',
    litellmUrl: emulator.url,
    masterKey: MASTER_KEY,
    saltKey: SALT_KEY,
    ...options,
    env: { ...PIPELINE_ENV, ...options.env },
    dir,
  });
  const texts = new Map<string, string>();
  for (const part of ['output', 'metadata']) walk(join(dir, part), dir, texts);
  texts.set('stdout', result.stdout);
  texts.set('stderr', result.stderr);
  rmSync(dir, { recursive: true, force: true });
  captured.push({ scenario, code: result.code, texts });
  return result;
}

/** Every virtual key value any LiteLLM was sent, in a body or a URL. */
function virtualKeysSent(): Set<string> {
  const keys = new Set<string>();
  for (const e of [emulator, ...otherEmulators]) {
    for (const r of e.requests) {
      const body = (r.body ?? {}) as { key?: unknown; keys?: unknown };
      for (const value of [body.key, r.query.key, ...(Array.isArray(body.keys) ? body.keys : [])]) {
        if (typeof value === 'string' && value.startsWith('sk-') && value !== MASTER_KEY) keys.add(value);
      }
    }
  }
  return keys;
}

/** The key a run delivered: `stringData.OPENAI_API_KEY` of the Secret in workload/team-tier.yaml. */
function deliveredKey(texts: ReadonlyMap<string, string>): string | undefined {
  const text = texts.get(SECRET_FILE);
  if (text === undefined) return undefined;
  const secrets = (loadAll(text) as any[]).filter((d) => d?.kind === 'Secret');
  expect(secrets).toHaveLength(1);
  return secrets[0].stringData?.OPENAI_API_KEY;
}

function occurrences(text: string, needle: string): number {
  let count = 0;
  for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) count++;
  return count;
}

/**
 * Every place a secret shows up where it must not: `<scenario> <file>: <which secret>`. A virtual
 * key may appear once, in the Secret's stringData.OPENAI_API_KEY in workload/team-tier.yaml.
 */
function leaks(runsToScan: readonly Captured[]): string[] {
  const virtualKeys = virtualKeysSent();
  for (const run of runsToScan) {
    const delivered = deliveredKey(run.texts);
    if (delivered) virtualKeys.add(delivered);
  }
  const secrets = new Map<string, string>([
    ['the master key', MASTER_KEY],
    ['the salt key', SALT_KEY],
    ['the service account token', SA_TOKEN],
    ...[...virtualKeys].map((k): [string, string] => [`virtual key ${k.slice(0, 6)}…${k.slice(-4)}`, k]),
  ]);
  const found: string[] = [];
  for (const run of runsToScan) {
    const delivered = deliveredKey(run.texts);
    for (const [file, text] of run.texts) {
      for (const [what, value] of secrets) {
        // The value itself, base64 (a Secret's `data`) and without its `sk-` prefix.
        const forms = [value, Buffer.from(value).toString('base64'), value.replace(/^sk-/, '')];
        let allowed = 0;
        if (file === SECRET_FILE && value === delivered) {
          allowed = 1;
          expect(text, `${run.scenario}: OPENAI_API_KEY line`).toMatch(new RegExp(`^\\s+OPENAI_API_KEY: ["']?${value.replace(/[-]/g, '\\-')}["']?$`, 'm'));
        }
        const count = forms.reduce((sum, form) => sum + occurrences(text, form), 0) - (allowed ? 2 : 0);
        // (the delivered key counts twice in its one allowed place: as itself and without sk-)
        if (count > 0) found.push(`${run.scenario} ${file}: ${what}`);
      }
      const shaped = (text.match(KEY_SHAPED) ?? []).filter((k) => !(file === SECRET_FILE && k === delivered));
      if (shaped.length > 0) found.push(`${run.scenario} ${file}: key-shaped text ${shaped[0]!.slice(0, 8)}…`);
    }
  }
  return found;
}

function expectClean(result: KratixRunResult, scenario: string, code: 0 | 1): void {
  expect(result.code, `${scenario}: ${result.stderr}`).toBe(code);
  if (code === 1) expect(result.stderr).toMatch(/^error: [^\n]*\n$/);
  expect(leaks(captured.filter((c) => c.scenario === scenario))).toEqual([]);
}

describe('secrets stay out of outputs, status and logs', () => {
  it('promise configure: references the credentials Secret, never its values', async () => {
    // GIVEN the credentials in the pipeline's environment WHEN the promise workflow runs
    const result = await capture('promise configure', { type: 'promise', object: { apiVersion: 'platform.kratix.io/v1alpha1', kind: 'Promise', metadata: { name: 'ai' } } });
    // THEN it succeeds, and no output names a credential value
    expectClean(result, 'promise configure', 0);
    expect([...captured.at(-1)!.texts.keys()].some((f) => f.startsWith('output/platform/'))).toBe(true);
  });

  it('resource configure: first run, re-run, tier change, UI off and on, model change, rotation, dry run', async () => {
    // GIVEN a request WHEN it is provisioned, re-run and changed in every way a requester can
    const steps: [string, Record<string, unknown>][] = [
      ['first run', requestOf('chat')],
      ['re-run', requestOf('chat')],
      ['tier change', requestOf('chat', { tier: 'large' })],
      ['ui off', requestOf('chat', { tier: 'large', ui: false })],
      ['ui on', requestOf('chat', { tier: 'large', ui: true })],
      ['model change', requestOf('chat', { tier: 'large', models: ['gpt-5', 'claude-opus-4'] })],
      ['rotation', requestOf('chat', { tier: 'large', models: ['gpt-5', 'claude-opus-4'], rotation: { trigger: 1 } })],
    ];
    for (const [scenario, object] of steps) {
      // THEN every run succeeds and leaks nothing
      expectClean(await capture(scenario, { object }), scenario, 0);
    }
    // AND the Secret holds the request's current key: the plaintext of one of the keys LiteLLM has
    // for it (the other one is the previous key, in its grace period, delivered nowhere)
    const key = deliveredKey(captured.at(-1)!.texts)!;
    const stored = emulator.keys().filter((k) => k.metadata?.request === `${NAMESPACE}/chat`);
    expect(stored).toHaveLength(2);
    expect(stored.map((k) => k.token)).toContain(createHash('sha256').update(key).digest('hex'));
    expect(deliveredKey(captured.at(-2)!.texts)).not.toBe(key);

    // WHEN a dry run previews a new request THEN it writes nothing to LiteLLM and leaks nothing
    const writes = emulator.writes().length;
    expectClean(await capture('dry run', { object: requestOf('preview'), env: { KRATIX_DRY_RUN: 'true' } }), 'dry run', 0);
    expect(emulator.writes().length).toBe(writes);
  });

  it('resource delete, twice', async () => {
    // GIVEN a provisioned request WHEN it is deleted, and deleted again
    expectClean(await capture('delete: provision', { object: requestOf('gone') }), 'delete: provision', 0);
    expectClean(await capture('delete', { action: 'delete', object: requestOf('gone') }), 'delete', 0);
    expectClean(await capture('delete again', { action: 'delete', object: requestOf('gone') }), 'delete again', 0);
    // THEN its team and key are gone
    expect(emulator.teams().filter((t) => t.metadata?.request === `${NAMESPACE}/gone`)).toEqual([]);
  });

  it('bad input', async () => {
    // GIVEN requests the pipeline refuses WHEN they run THEN they fail in one line and leak nothing
    expectClean(await capture('bad tier', { object: requestOf('bad', { tier: 'xl' }) }), 'bad tier', 1);
    expectClean(await capture('bad yaml', { object: 'spec: [unclosed\n' }), 'bad yaml', 1);
    expectClean(await capture('bad config', { object: requestOf('bad'), env: { AI_PROMISE_CONFIG: '{not json' } }), 'bad config', 1);
  });

  it('LiteLLM answers 500 or 400, echoing the credentials and the key it was sent', async () => {
    // GIVEN a provisioned request, and a LiteLLM (or a proxy in front of it) whose error bodies
    // repeat what it received
    const key = (await plaintextFor('echo'))!;
    expectClean(await capture('echo setup', { object: requestOf('echo2') }), 'echo setup', 0);
    emulator.inject({
      method: 'POST',
      path: '/key/generate',
      times: Infinity,
      status: 500,
      body: { error: { message: `upstream said: Authorization: Bearer ${MASTER_KEY}; key=${key}` } },
    });
    emulator.inject({ method: 'POST', path: '/team/update', times: Infinity, status: 400, body: { detail: `bad request from Bearer ${MASTER_KEY}` } });
    try {
      // WHEN a run meets the retryable echo, and another one the final one
      const failed = await capture('500 echo', { object: requestOf('echo'), env: { LITELLM_MAX_ATTEMPTS: '2' } });
      const refused = await capture('400 echo', { object: requestOf('echo2', { tier: 'medium' }), env: { LITELLM_MAX_ATTEMPTS: '2' } });
      // THEN both fail in one line that names the call, with the echoed secrets masked
      expectClean(failed, '500 echo', 1);
      expect(failed.stderr).toContain('/key/generate answered 500');
      expectClean(refused, '400 echo', 1);
      expect(refused.stderr).toContain('/team/update answered 400');
    } finally {
      emulator.clearFaults();
    }
  });

  it('LiteLLM down', async () => {
    // GIVEN no LiteLLM at the URL
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    // WHEN the pipeline runs THEN it fails in one line and leaks nothing
    const result = await capture('litellm down', { object: requestOf('down'), litellmUrl: url, env: { LITELLM_MAX_ATTEMPTS: '2' } });
    expectClean(result, 'litellm down', 1);
    expect(result.stderr).toContain('ECONNREFUSED');
  });

  it("a team that someone else created under the request's team id", async () => {
    // GIVEN a foreign team where the request's team would go
    emulator.seedTeam({ team_id: TeamTier.teamIdFor(NAMESPACE, 'taken'), metadata: { 'managed-by': 'someone-else', secret: MASTER_KEY } });
    // WHEN the pipeline runs THEN it refuses to touch it, and leaks nothing (not even what the team holds)
    const result = await capture('foreign team', { object: requestOf('taken') });
    expectClean(result, 'foreign team', 1);
    expect(result.stderr).toContain('refusing to modify it');
  });

  it("the request's key value already belongs to another key", async () => {
    // GIVEN the key value this request derives, stored under another alias
    const other = await LiteLLMEmulator.start({ masterKey: MASTER_KEY });
    otherEmulators.push(other);
    const key = (await plaintextFor('clash'))!;
    other.seedKey(key, { key_alias: 'somebody-else', team_id: 'other-team', metadata: {} });
    // WHEN the pipeline runs THEN it reports the clash without the value
    const result = await capture('key clash', { object: requestOf('clash'), litellmUrl: other.url });
    expectClean(result, 'key clash', 1);
    expect(result.stderr).toContain('did not store key');
  });

  it('LiteLLM fails after the key was created', async () => {
    // GIVEN a LiteLLM that creates the key and then cannot read it back
    emulator.inject({ method: 'GET', path: '/key/info', times: Infinity, status: 503 });
    try {
      // WHEN the pipeline runs THEN it fails without having written the Secret, and leaks nothing
      const result = await capture('verify fails', { object: requestOf('unverified'), env: { LITELLM_MAX_ATTEMPTS: '2' } });
      expectClean(result, 'verify fails', 1);
      expect(result.outputs.size).toBe(0);
    } finally {
      emulator.clearFaults();
    }
  });

  it('credentials missing, refused, invalid, or read from the Kubernetes API', async () => {
    const viaApi = { masterKey: '', saltKey: '', env: { KUBERNETES_API_URL: kubernetesUrl, KUBERNETES_SERVICEACCOUNT_DIR: saDir } };
    // GIVEN no credentials in the environment and no Kubernetes API
    expectClean(await capture('no credentials', { object: requestOf('creds'), masterKey: '', saltKey: '' }), 'no credentials', 1);
    // GIVEN a Kubernetes API without the Secret, refusing it, or holding salt = master
    secretAnswer = { status: 404 };
    expectClean(await capture('secret missing', { object: requestOf('creds'), ...viaApi }), 'secret missing', 1);
    secretAnswer = { status: 403 };
    expectClean(await capture('secret refused', { object: requestOf('creds'), ...viaApi }), 'secret refused', 1);
    secretAnswer = { status: 200, data: { LITELLM_MASTER_KEY: MASTER_KEY, LITELLM_SALT_KEY: MASTER_KEY } };
    expectClean(await capture('salt is master', { object: requestOf('creds'), ...viaApi }), 'salt is master', 1);
    secretAnswer = { status: 200, data: { LITELLM_MASTER_KEY: MASTER_KEY } };
    expectClean(await capture('salt missing', { object: requestOf('creds'), ...viaApi }), 'salt missing', 1);
    // GIVEN a Kubernetes API holding the credentials WHEN the pipeline reads them from there
    secretAnswer = { status: 200, data: { LITELLM_MASTER_KEY: MASTER_KEY, LITELLM_SALT_KEY: SALT_KEY, OPENAI_API_KEY: 'sk-upstream-provider-key-0000000000' } };
    // THEN it provisions, and neither the credentials nor the token show anywhere
    expectClean(await capture('credentials from the API', { object: requestOf('creds'), ...viaApi }), 'credentials from the API', 0);
    expect(deliveredKey(captured.at(-1)!.texts)).toMatch(/^sk-/);
  });

  it('across all scenarios: no secret anywhere but the Secret, and every delivered key is live in LiteLLM', () => {
    // GIVEN everything every scenario above wrote and printed, and every key value LiteLLM was sent
    expect(captured.length).toBeGreaterThanOrEqual(25);
    expect(captured.some((c) => c.code === 0) && captured.some((c) => c.code === 1)).toBe(true);
    // THEN no secret appears anywhere else (a key value first seen in a later scenario included)
    expect(leaks(captured)).toEqual([]);
    // AND each delivered key is a key LiteLLM holds (or held, for deleted requests)
    const sent = virtualKeysSent();
    for (const run of captured.filter((c) => c.scenario !== 'dry run')) {
      const key = deliveredKey(run.texts);
      if (key) expect(sent.has(key), `${run.scenario}: delivered a key LiteLLM was never sent`).toBe(true);
    }
  });

  /*
   * URLs end up in LiteLLM's (uvicorn's) access log and in any proxy's, so a key is only ever named
   * there by its sha256 (which LiteLLM accepts on /key/info).
   */
  it('no virtual key travels in a URL, where access logs keep it', () => {
    const inUrls = [emulator, ...otherEmulators].flatMap((e) => e.requests.filter((r) => Object.values(r.query).some((v) => v.startsWith('sk-'))));
    expect(inUrls.map((r) => `${r.method} ${r.path}`)).toEqual([]);
  });
});

/** The key value a request derives, learned from a throwaway run against its own emulator. */
async function plaintextFor(name: string): Promise<string | undefined> {
  const scratch = await LiteLLMEmulator.start({ masterKey: MASTER_KEY });
  otherEmulators.push(scratch);
  const result = await capture(`probe ${name}`, { object: requestOf(name), litellmUrl: scratch.url });
  expect(result.code).toBe(0);
  return deliveredKey(captured.at(-1)!.texts);
}

describe("the promise's RBAC", () => {
  const promise = load(renderArtifacts().get('promise.yaml')!) as any;

  /** Every `rbac.permissions` entry and every Role/ClusterRole rule anywhere in the promise. */
  function grants(node: unknown, into: unknown[] = []): unknown[] {
    if (Array.isArray(node)) node.forEach((n) => grants(n, into));
    else if (node && typeof node === 'object') {
      const o = node as Record<string, unknown>;
      if (o.rbac && typeof o.rbac === 'object') into.push(...(((o.rbac as any).permissions ?? []) as unknown[]));
      if ((o.kind === 'Role' || o.kind === 'ClusterRole') && Array.isArray(o.rules)) into.push(...o.rules);
      for (const value of Object.values(o)) grants(value, into);
    }
    return into;
  }

  it('grants only get on the one credentials Secret, in one namespace', () => {
    // GIVEN the generated promise WHEN every permission its pipelines ask for is collected
    const permissions = grants(promise);
    // THEN there are two: the resource configure and delete pipelines read the credentials Secret
    expect(permissions).toHaveLength(2);
    // AND each is exactly: get, on secrets, named litellm-creds, in the platform namespace
    for (const permission of permissions) {
      expect(permission).toEqual({ apiGroups: [''], resources: ['secrets'], resourceNames: ['litellm-creds'], verbs: ['get'], resourceNamespace: 'default' });
    }
    // AND nothing is a wildcard, and nothing lists or watches
    const text = JSON.stringify(permissions);
    expect(text).not.toContain('"*"');
    expect(text).not.toMatch(/"(list|watch|create|update|patch|delete|deletecollection)"/);
    expect(new Set(permissions.map((p: any) => p.resourceNamespace)).size).toBe(1);
  });

  it('asks for the Secret only in the pipelines that read it', () => {
    // GIVEN the promise's workflows
    const pipelines = (workflow: string, action: string): any[] => promise.spec.workflows?.[workflow]?.[action] ?? [];
    // THEN the resource pipelines, which read the credentials, carry the permission
    for (const action of ['configure', 'delete']) {
      for (const pipeline of pipelines('resource', action)) expect(grants(pipeline), `resource ${action} ${pipeline.metadata.name}`).toHaveLength(1);
    }
    // AND the promise pipeline, which only renders manifests that reference the Secret, does not
    for (const pipeline of pipelines('promise', 'configure')) expect(grants(pipeline), `promise configure ${pipeline.metadata.name}`).toEqual([]);
  });
});
