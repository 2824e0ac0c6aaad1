/**
 * The two forms `npm run build` writes run the same pipeline: `node dist/pipeline.mjs` (what the other
 * end-to-end tests spawn) and the `dist/pipeline` launcher (the image's entrypoint, which starts the
 * startup snapshot dist/pipeline.blob). Each form gets its own emulator and the same sequence of
 * runs; every run must match byte for byte: exit code, stdout, stderr, output/ and metadata/ files.
 * Nothing is skipped: a missing launcher or blob fails (vitest's global setup, test/support/global-setup.ts,
 * builds them when they are missing or older than their sources).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { load } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderArtifacts } from '../main.js';
import { aiRequest, kratixRun } from './support/kratix-run.js';
import { LiteLLMEmulator } from './support/litellm-emulator.js';
import { SNAPSHOT_NODE_FLAGS } from '../scripts/bundle.mjs';

const root = new URL('../', import.meta.url).pathname;
const DIST = join(root, 'dist');
const LAUNCHER = join(DIST, 'pipeline');
const BUNDLE = join(DIST, 'pipeline.mjs');

type Form = 'bundle' | 'launcher';

interface Step {
  readonly name: string;
  readonly type: 'promise' | 'resource';
  readonly action: 'configure' | 'delete';
  readonly object: unknown;
  readonly env?: Record<string, string>;
}

interface Observed {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** output/ and metadata/ files, path → content */
  readonly files: Record<string, string>;
}

/** Runs one form the way Kratix runs a pipeline container (kratix-run.ts, with a choice of command). */
async function run(form: Form, step: Step, emulator: LiteLLMEmulator, dir: string): Promise<Observed> {
  const result = await kratixRun({
    type: step.type,
    action: step.action,
    object: step.object,
    litellmUrl: emulator.url,
    masterKey: emulator.masterKey,
    dir,
    command: form === 'bundle' ? [process.execPath, BUNDLE] : [LAUNCHER],
    ...(step.env ? { env: step.env } : {}),
  });
  // The two emulators listen on different ports and the runs use different directories; nothing
  // else may differ.
  const normalize = (text: string): string => text.split(emulator.url).join('<litellm>').split(dir).join('<kratix>');
  const files: Record<string, string> = {};
  for (const [path, content] of result.outputs) files[`output/${path}`] = normalize(content);
  for (const [path, content] of result.metadata) files[`metadata/${path}`] = normalize(content);
  return { code: result.code, stdout: normalize(result.stdout), stderr: normalize(result.stderr), files };
}

const SPEC = { tier: 'small', ui: true, team: 'engineering', models: ['gpt-5', 'gemini-2.5-pro'] };
const promiseObject = load(renderArtifacts().get('promise.yaml')!) as any;
const request = aiRequest('snapshot', 'build-test', SPEC);
const STEPS: Step[] = [
  { name: 'promise configure', type: 'promise', action: 'configure', object: promiseObject },
  { name: 'promise configure, catalog from AI_PROMISE_CONFIG', type: 'promise', action: 'configure', object: promiseObject, env: promiseConfigEnv() },
  { name: 'resource configure, first run', type: 'resource', action: 'configure', object: request },
  { name: 'resource configure, steady state', type: 'resource', action: 'configure', object: request },
  { name: 'resource configure, tier and UI change', type: 'resource', action: 'configure', object: aiRequest('snapshot', 'build-test', { ...SPEC, tier: 'medium', ui: false }) },
  { name: 'resource configure, invalid request', type: 'resource', action: 'configure', object: aiRequest('bad', 'build-test', { ...SPEC, tier: 'gigantic' }) },
  { name: 'resource configure, input not YAML', type: 'resource', action: 'configure', object: 'metadata: [unclosed' },
  { name: 'resource configure, LiteLLM unreachable', type: 'resource', action: 'configure', object: request, env: { LITELLM_URL: 'http://127.0.0.1:9', LITELLM_MAX_ATTEMPTS: '1' } },
  { name: 'resource delete', type: 'resource', action: 'delete', object: request },
  { name: 'resource delete, already gone', type: 'resource', action: 'delete', object: request },
  { name: 'unknown workflow', type: 'resource', action: 'delete', object: request, env: { KRATIX_WORKFLOW_ACTION: 'reconcile' } },
];

/** The env promise.yaml gives the promise configure container (AI_PROMISE_CONFIG: the catalog and settings). */
function promiseConfigEnv(): Record<string, string> {
  const container = promiseObject.spec.workflows.promise.configure[0].spec.containers[0];
  return Object.fromEntries((container.env as { name: string; value: string }[]).map((e) => [e.name, e.value]));
}

/** What LiteLLM holds, without the clock-dependent and random columns. */
function litellmState(emulator: LiteLLMEmulator): unknown {
  return {
    teams: emulator.teams().map((t) => ({ team_id: t.team_id, team_alias: t.team_alias, metadata: t.metadata, rpm_limit: t.rpm_limit, tpm_limit: t.tpm_limit, max_budget: t.max_budget, budget_duration: t.budget_duration, models: t.models })),
    keys: emulator.keys().map((k) => ({ token: k.token, key_alias: k.key_alias, key_name: k.key_name, team_id: k.team_id, models: k.models, metadata: k.metadata })),
  };
}

describe('startup-snapshot launcher', () => {
  it('is built next to its blob, executable, with the bundle', () => {
    for (const path of [LAUNCHER, join(DIST, 'pipeline.blob'), BUNDLE, join(DIST, 'pipeline.snapshot.cjs')]) {
      expect(existsSync(path), `${relative(root, path)} missing: run npm run build`).toBe(true);
    }
    expect(statSync(LAUNCHER).mode & 0o111).not.toBe(0);
    expect(readFileSync(LAUNCHER, 'utf8')).toMatch(/^#!\/bin\/sh\n[\s\S]*exec node --single-threaded --snapshot-blob "\$dir\/pipeline\.blob" "\$@"\n$/);
  });

  it('is built in the image with the flags the launcher starts it with (V8 refuses a blob built under other flags)', () => {
    expect(SNAPSHOT_NODE_FLAGS).toEqual(['--single-threaded']);
    const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
    expect(dockerfile).toContain('RUN node --single-threaded --snapshot-blob pipeline.blob --build-snapshot pipeline.snapshot.cjs');
    expect(dockerfile).toMatch(/ENTRYPOINT \["\/bin\/sh", "\/app\/pipeline"\]/);
  });

  describe('writes exactly what node dist/pipeline.mjs writes', () => {
    const emulators: Record<Form, LiteLLMEmulator | undefined> = { bundle: undefined, launcher: undefined };
    const dirs: Record<Form, string> = { bundle: '', launcher: '' };
    beforeAll(async () => {
      // One pinned clock for both: status carries LiteLLM's budget reset time (status.ai.usage).
      const now = new Date();
      emulators.bundle = await LiteLLMEmulator.start({ now: () => now });
      emulators.launcher = await LiteLLMEmulator.start({ now: () => now });
      dirs.bundle = mkdtempSync(join(tmpdir(), 'build-bundle-'));
      dirs.launcher = mkdtempSync(join(tmpdir(), 'build-launcher-'));
    });
    afterAll(async () => {
      await emulators.bundle?.stop();
      await emulators.launcher?.stop();
      for (const d of Object.values(dirs)) if (d) rmSync(d, { recursive: true, force: true });
    });

    // Sequential on purpose: each step sees the LiteLLM state the previous one left.
    it.each(STEPS.map((s, i) => [s.name, i] as const))('%s', async (_name, index) => {
      const step = STEPS[index]!;
      const bundle = await run('bundle', step, emulators.bundle!, dirs.bundle);
      const launcher = await run('launcher', step, emulators.launcher!, dirs.launcher);
      expect(launcher).toEqual(bundle);
      // A successful configure writes its outputs; everything writes a status or a log line.
      if (step.action === 'configure' && bundle.code === 0) expect(Object.keys(bundle.files).some((f) => f.startsWith('output/'))).toBe(true);
      expect(bundle.stdout + bundle.stderr).not.toBe('');
      expect(litellmState(emulators.launcher!)).toEqual(litellmState(emulators.bundle!));
    });
  });

  it('runs through a symlink, from any working directory', async () => {
    const emulator = await LiteLLMEmulator.start();
    const dir = mkdtempSync(join(tmpdir(), 'build-link-'));
    try {
      const link = join(dir, 'entrypoint');
      symlinkSync(LAUNCHER, link);
      const kratix = join(dir, 'kratix');
      mkdirSync(join(kratix, 'input'), { recursive: true });
      const env = { PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`, KRATIX_DIR: kratix, KRATIX_WORKFLOW_TYPE: 'promise', KRATIX_WORKFLOW_ACTION: 'configure' };
      const child = spawn(link, [], { env, cwd: tmpdir(), stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(stderr).toBe('');
      expect(code).toBe(0);
      expect(readdirSync(join(kratix, 'output', 'platform')).length).toBeGreaterThan(0);
    } finally {
      await emulator.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
  const instructions = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));

  it('builds the blob and runs it on one base image, as a numeric non-root user', () => {
    const froms = instructions.filter((l) => /^FROM /i.test(l));
    // One external base; every other stage starts from that stage, so the Node that builds the blob
    // is the Node that runs it.
    const external = froms.filter((l) => !/^FROM (base|snapshot)\b/i.test(l));
    expect(external).toEqual([expect.stringMatching(/^FROM node:24-alpine(@sha256:[0-9a-f]{64})? AS base$/i)]);
    expect(froms.length).toBeGreaterThanOrEqual(3);
    expect(instructions).toContain('USER 1000:1000');
    expect(instructions.at(-1)).toMatch(/^ENTRYPOINT \["\/bin\/sh", "\/app\/pipeline"\]$/);
    expect(instructions.some((l) => /--build-snapshot/.test(l))).toBe(true);
  });

  it('copies from the build context only files .dockerignore lets in, and npm run build writes them', () => {
    const copied = instructions
      .filter((l) => /^COPY /i.test(l) && !/--from=/i.test(l))
      .flatMap((l) => l.replace(/^COPY\s+(--\S+\s+)*/i, '').split(/\s+/).slice(0, -1));
    const ignore = readFileSync(join(root, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'));
    expect(ignore[0]).toBe('*');
    const allowed = ignore.filter((l) => l.startsWith('!')).map((l) => l.slice(1));
    expect([...new Set(copied)].sort()).toEqual([...allowed].sort());
    for (const path of copied) expect(existsSync(join(root, path)), path).toBe(true);
    // The host's blob is tied to the host's Node: it must never reach the image.
    expect(allowed).not.toContain('dist/pipeline.blob');
  });
});
