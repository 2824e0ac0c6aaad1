/**
 * `npm start`: the whole promise on a laptop, no cluster and no real LiteLLM. Starts the LiteLLM
 * emulator on loopback, runs the promise configure pipeline and then the resource configure pipeline
 * for resource-request.yaml exactly as Kratix would (same env as promise.yaml gives the containers),
 * into .demo/ laid out like /kratix, and prints what a platform user gets.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { renderArtifacts } from '../main.js';
import { LiteLLMEmulator } from '../test/support/litellm-emulator.js';
import { type KratixRunResult, aiRequest, kratixRun, promiseContainerEnv } from '../test/support/kratix-run.js';

const root = new URL('../', import.meta.url).pathname;
// AI_PROMISE_DEMO_DIR lets the demo's own test run it outside the working tree.
const demoDir = process.env.AI_PROMISE_DEMO_DIR || join(root, '.demo');

function fail(step: string, run: KratixRunResult): never {
  process.stderr.write(`${step} failed (exit ${run.code}):\n${run.stderr}`);
  process.exit(1);
}

const emulator = await LiteLLMEmulator.start();
try {
  const promise = load(renderArtifacts().get('promise.yaml')!) as any;
  const request = load(readFileSync(join(root, 'resource-request.yaml'), 'utf8')) as any;
  // Kratix passes the stored object, which has a uid; the API server would have applied the defaults.
  const object = aiRequest(request.metadata.name, request.metadata.namespace, request.spec, '0d3f9a52-7c1e-4b8e-9a7d-1f2e3d4c5b6a');
  const common = { litellmUrl: emulator.url, masterKey: emulator.masterKey, saltKey: 'sk-demo-salt-key-not-for-production' };

  const promiseRun = await kratixRun({ ...common, type: 'promise', action: 'configure', object: promise, env: { ...promiseContainerEnv(promise, 'promise', 'configure'), LITELLM_URL: emulator.url }, dir: join(demoDir, 'promise') });
  if (promiseRun.code !== 0) fail('promise configure', promiseRun);
  const resourceEnv = { ...promiseContainerEnv(promise, 'resource', 'configure'), LITELLM_URL: emulator.url };
  const first = await kratixRun({ ...common, type: 'resource', action: 'configure', object, env: resourceEnv, dir: join(demoDir, 'resource') });
  if (first.code !== 0) fail('resource configure', first);
  const firstCalls = { reads: emulator.reads().length, writes: emulator.writes().length };
  emulator.resetRequests();
  const rerun = await kratixRun({ ...common, type: 'resource', action: 'configure', object, env: resourceEnv, dir: join(demoDir, 'resource') });
  if (rerun.code !== 0) fail('resource configure re-run', rerun);

  const status = first.status.ai;
  const team = emulator.teams().find((t) => t.team_id === status.teamId)!;
  const secret = load(first.outputs.get('workload/team-tier.yaml')!) as any;
  const models = await fetch(`${emulator.url}/v1/models`, { headers: { authorization: `Bearer ${secret.stringData.OPENAI_API_KEY}` } }).then((r) => r.json() as Promise<{ data: { id: string }[] }>);
  const lines = [
    '',
    `LiteLLM emulator at ${emulator.url}`,
    `Promise configure wrote ${[...promiseRun.outputs.keys()].join(', ')} (${join('.demo', 'promise', 'output')})`,
    '',
    `Request ${request.metadata.namespace}/${request.metadata.name} (team ${request.spec.team}):`,
    `  status      ${first.status.message}`,
    `  team        ${team.team_id} (alias ${team.team_alias})`,
    `  limits      ${team.rpm_limit} rpm, ${team.tpm_limit} tpm, ${team.max_budget} USD per ${team.budget_duration}`,
    `  models      ${status.models.join(', ')}; the key sees: ${models.data.map((m) => m.id).join(', ')}`,
    `  API         ${status.apiEndpoint} (key in Secret ${status.apiCredsSecretName}, fingerprint ${secret.metadata.annotations['ai.kratix.io/key-fingerprint']})`,
    `  key         ${status.key.alias}, rotates ${status.key.rotatesAt}, previous key kept ${status.key.graceAfterRotation} after a rotation`,
    `  UI          ${status.uiEndpoint ?? 'not requested'}`,
    `  files       ${[...first.outputs.keys()].join(', ')} (${join('.demo', 'resource', 'output')}), status in ${join('.demo', 'resource', 'metadata', 'status.yaml')}`,
    `  LiteLLM     first run ${firstCalls.reads} read(s) + ${firstCalls.writes} write(s); re-run ${emulator.reads().length} read(s) + ${emulator.writes().length} write(s), output ${rerun.outputs.get('workload/team-tier.yaml') === first.outputs.get('workload/team-tier.yaml') ? 'byte-identical' : 'CHANGED'}`,
    '',
  ];
  process.stdout.write(lines.join('\n'));
} finally {
  await emulator.stop();
}
