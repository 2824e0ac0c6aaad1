import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load, loadAll } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffableJson, resolvePromiseConfig } from '../constructs/index.js';
import { type KratixRunResult, aiRequest, kratixRun } from './support/kratix-run.js';
import { LiteLLMEmulator } from './support/litellm-emulator.js';

/**
 * Two Destinations: the platform cluster (Kratix, the gateway, its database) and workload clusters
 * where teams run their apps. The pipeline reaches LiteLLM at LITELLM_URL; clients elsewhere use
 * the public endpoint.
 */
const CONFIG = resolvePromiseConfig({
  gateway: { publicUrl: 'https://ai.platform.example.com' },
  destinations: { platform: { cluster: 'platform' }, workloads: { tier: 'workloads' } },
});
const ENV = { AI_PROMISE_CONFIG: diffableJson(CONFIG) };

let emulator: LiteLLMEmulator;
beforeAll(async () => {
  emulator = await LiteLLMEmulator.start();
});
afterAll(async () => {
  await emulator.stop();
});

function selectors(run: KratixRunResult): unknown {
  return load(readFileSync(join(run.dir, 'metadata', 'destination-selectors.yaml'), 'utf8'));
}

describe('two destinations', () => {
  it('sends the gateway and its database to the platform cluster', async () => {
    const run = await kratixRun({ type: 'promise', action: 'configure', object: { kind: 'Promise', metadata: { name: 'ai' } }, litellmUrl: emulator.url, masterKey: '', saltKey: '', env: ENV });
    expect(run.code).toBe(0);
    expect([...run.outputs.keys()].sort()).toEqual(['platform/litellm-gateway.yaml', 'platform/network-policies.yaml', 'platform/postgres-claim.yaml']);
    expect(selectors(run)).toEqual([{ directory: 'platform', matchLabels: { cluster: 'platform' } }]);
  });

  it("sends a request's Secret and UI to the default workload cluster, pointing at the public endpoint", async () => {
    const run = await kratixRun({
      type: 'resource',
      action: 'configure',
      object: aiRequest('chat', 'team-a', { team: 'a', models: ['gpt-5'], ui: true }),
      litellmUrl: emulator.url,
      masterKey: emulator.masterKey,
      env: ENV,
    });
    expect(run.stderr).toBe('');
    expect([...run.outputs.keys()].sort()).toEqual(['workload/open-webui.yaml', 'workload/team-tier.yaml']);
    expect(selectors(run)).toEqual([{ directory: 'workload', matchLabels: { tier: 'workloads' } }]);
    const secret = load(run.outputs.get('workload/team-tier.yaml')!) as any;
    expect(secret.stringData.OPENAI_BASE_URL).toBe('https://ai.platform.example.com/v1');
    const ui = (loadAll(run.outputs.get('workload/open-webui.yaml')!) as any[]).find((o) => o.kind === 'Deployment');
    const env = Object.fromEntries(ui.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
    expect(env.OPENAI_API_BASE_URL).toBe('https://ai.platform.example.com/v1');
    expect(run.status.ai).toMatchObject({ apiEndpoint: 'https://ai.platform.example.com', internalApiEndpoint: 'http://litellm.default.svc.cluster.local:4000' });
  });

  it('lets a request narrow the choice of cluster, and the choice is all that changes', async () => {
    const spec = { team: 'b', models: ['gpt-5'] };
    const byDefault = await kratixRun({ type: 'resource', action: 'configure', object: aiRequest('chat', 'team-b', spec), litellmUrl: emulator.url, masterKey: emulator.masterKey, env: ENV });
    const chosen = await kratixRun({
      type: 'resource',
      action: 'configure',
      object: aiRequest('chat', 'team-b', { ...spec, destinationSelector: { cluster: 'eu-1' } }),
      litellmUrl: emulator.url,
      masterKey: emulator.masterKey,
      env: ENV,
    });
    expect(chosen.code).toBe(0);
    expect(selectors(chosen)).toEqual([{ directory: 'workload', matchLabels: { tier: 'workloads', cluster: 'eu-1' } }]);
    expect(chosen.outputs).toEqual(byDefault.outputs);
  });

  it("refuses a selector that would escape the platform's workload clusters", async () => {
    const run = await kratixRun({
      type: 'resource',
      action: 'configure',
      object: aiRequest('chat', 'team-d', { team: 'd', models: ['gpt-5'], destinationSelector: { tier: 'platform' } }),
      litellmUrl: emulator.url,
      masterKey: emulator.masterKey,
      env: ENV,
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe("error: spec.destinationSelector label 'tier' value 'platform' conflicts with the platform's tier=workloads: a request may only add labels\n");
  });

  it('reads nothing from any cluster when the keys are in its env: an unreachable Kubernetes API does not matter', async () => {
    const env = { ...ENV, KUBERNETES_API_URL: 'http://127.0.0.1:9', KUBERNETES_SERVICE_HOST: '127.0.0.1' };
    const run = await kratixRun({ type: 'resource', action: 'configure', object: aiRequest('chat', 'team-c', { team: 'c', models: ['gpt-5'] }), litellmUrl: emulator.url, masterKey: emulator.masterKey, env });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  });
});
