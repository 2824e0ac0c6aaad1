import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunPhase, runPipeline } from '../pipeline/run.js';
import { SALT_KEY, aiRequest } from './support/kratix-run.js';
import { LiteLLMEmulator } from './support/litellm-emulator.js';

let emulator: LiteLLMEmulator;
let dir: string;
beforeAll(async () => {
  emulator = await LiteLLMEmulator.start();
  dir = mkdtempSync(join(tmpdir(), 'run-'));
});
afterAll(async () => {
  await emulator.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** One in-process run of resource configure, recording the phases it reports. */
async function resourceConfigure(spec: Record<string, unknown>): Promise<{ code: number; phases: RunPhase[] }> {
  for (const d of ['input', 'output', 'metadata']) {
    rmSync(join(dir, d), { recursive: true, force: true });
    mkdirSync(join(dir, d), { recursive: true });
  }
  writeFileSync(join(dir, 'input', 'object.yaml'), dump(aiRequest('phases', 'run-test', spec)));
  const phases: RunPhase[] = [];
  const env = { KRATIX_DIR: dir, KRATIX_WORKFLOW_TYPE: 'resource', KRATIX_WORKFLOW_ACTION: 'configure', LITELLM_URL: emulator.url, LITELLM_MASTER_KEY: emulator.masterKey, LITELLM_SALT_KEY: SALT_KEY };
  const code = await runPipeline({ env, log: () => {}, error: () => {}, phaseEnded: (phase) => phases.push(phase) });
  return { code, phases };
}

// The benchmark's phase breakdown (scripts/phases-entry.ts) reads these marks.
describe('runPipeline phases', () => {
  it('reports read, synth, observe and write, in that order, once each, for a resource configure', async () => {
    // GIVEN a valid request; WHEN it is provisioned and then re-run (steady state)
    const spec = { tier: 'small', ui: false, team: 'engineering', models: ['gpt-5'] };
    const first = await resourceConfigure(spec);
    const steady = await resourceConfigure(spec);
    // THEN both runs succeed and report every phase in order
    for (const run of [first, steady]) expect(run).toEqual({ code: 0, phases: ['read', 'synth', 'observe', 'write'] });
  });

  it('reports no phase past the one that failed', async () => {
    // GIVEN a request the catalog refuses; WHEN it runs
    const run = await resourceConfigure({ tier: 'gigantic', ui: false, team: 'engineering', models: ['gpt-5'] });
    // THEN it fails while reading, before any phase ends
    expect(run).toEqual({ code: 1, phases: [] });
  });
});
