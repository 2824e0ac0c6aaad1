import { createHash } from 'node:crypto';
import { Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { OpenWebUIApp, SealedSecret, type SecretSealer, TeamTier, sealSecrets } from '../constructs/index.js';
import { synthYaml } from './support/manifests.js';
import { TEST_CATALOG, TEST_TIERS } from './support/test-catalog.js';

const KEY = 'sk-test-0123456789abcdefghijklmnopqrstuvwxyzABCD';
const WEBUI_SECRET = 'webui-secret-0123456789abcdefghijklmnopqrstuvwxyz';

/**
 * A deterministic stand-in for the pipeline's sealer, so the snapshot is stable: it records what it
 * was asked to seal and answers with a digest of it (base64, like a sealed value, never the value).
 */
function recordingSealer() {
  const calls: { target: string; data: Record<string, string> }[] = [];
  const seal: SecretSealer = ({ namespace, name }, data) => {
    calls.push({ target: `${namespace}/${name}`, data: Object.fromEntries([...data].map(([k, v]) => [k, v.toString('utf8')])) });
    return Object.fromEntries([...data].map(([k, v]) => [k, createHash('sha256').update(`${namespace}/${name}/${k}=`).update(v).digest('base64')]));
  };
  return { seal, calls };
}

function requestCharts() {
  const chart = Testing.chart();
  const teamTier = new TeamTier(chart, 'team-tier', {
    catalog: TEST_CATALOG,
    tier: 'small',
    models: ['gpt-5'],
    owner: 'engineering',
    requestNamespace: 'team-a',
    requestName: 'chat',
    requestUid: '6b1f3c1e-0000-4000-8000-000000000001',
    apiKey: KEY,
    gatewayUrl: 'http://litellm.default.svc.cluster.local:4000',
  });
  new OpenWebUIApp(chart, 'open-webui', {
    name: 'chat',
    namespace: 'team-a',
    size: TEST_TIERS[0]!.ui,
    gatewayUrl: 'http://litellm.default.svc.cluster.local:4000',
    keySecretName: teamTier.secretName,
    keyFingerprint: teamTier.keyFingerprint,
    models: ['gpt-5'],
    webuiSecretKey: WEBUI_SECRET,
    adminPassword: 'bootstrap-admin-password-for-tests',
  });
  return chart;
}

describe('sealSecrets', () => {
  it('replaces every Secret by a strict-scope SealedSecret of the same name, labels, annotations and type', async () => {
    // GIVEN a request's key Secret and Open WebUI
    const chart = requestCharts();
    const { seal, calls } = recordingSealer();
    // WHEN its Secrets are sealed
    sealSecrets(chart, seal);
    const objects = Testing.synth(chart) as any[];
    // THEN no Secret is left, and each became a SealedSecret bound to the same namespace and name
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    const sealedSecrets = objects.filter((o) => o.kind === 'SealedSecret');
    expect(sealedSecrets.map((o) => `${o.apiVersion} ${o.metadata.namespace}/${o.metadata.name}`)).toEqual(['bitnami.com/v1alpha1 team-a/chat-litellm-key', 'bitnami.com/v1alpha1 team-a/chat-openwebui']);
    // AND the sealer saw each Secret's plaintext values, stringData as is and data decoded
    expect(calls).toEqual([
      { target: 'team-a/chat-litellm-key', data: { OPENAI_API_KEY: KEY, OPENAI_BASE_URL: 'http://litellm.default.svc.cluster.local:4000/v1' } },
      { target: 'team-a/chat-openwebui', data: { WEBUI_SECRET_KEY: WEBUI_SECRET, WEBUI_ADMIN_PASSWORD: 'bootstrap-admin-password-for-tests' } },
    ]);
    // AND strict scope: no scope annotation on either object
    expect(JSON.stringify(sealedSecrets)).not.toMatch(/sealedsecrets\.bitnami\.com\/(namespace|cluster)-wide/);
    // AND the key Secret's template keeps the fingerprint annotation and labels the UI relies on
    expect(sealedSecrets[0].spec.template).toEqual({
      metadata: {
        labels: { 'app.kubernetes.io/managed-by': 'kratix-ai-promise', 'app.kubernetes.io/instance': 'chat', 'ai.kratix.io/team': 'engineering' },
        annotations: { 'ai.kratix.io/key-fingerprint': TeamTier.fingerprint(KEY) },
      },
      type: 'Opaque',
      immutable: false,
    });
    // AND the Deployment still reads both Secrets by the names the controller will create (the UI's Secret twice: session key and bootstrap admin password)
    const deployment = objects.find((o) => o.kind === 'Deployment');
    const refs = deployment.spec.template.spec.containers[0].env.filter((e: any) => e.valueFrom).map((e: any) => e.valueFrom.secretKeyRef.name);
    expect(refs).toEqual(['chat-litellm-key', 'chat-openwebui', 'chat-openwebui']);
    // AND the plaintext is nowhere in the manifests
    const yaml = synthYaml(chart);
    for (const secret of [KEY, WEBUI_SECRET, Buffer.from(WEBUI_SECRET).toString('base64'), Buffer.from(KEY).toString('base64')]) expect(yaml).not.toContain(secret);
    await expect(yaml).toMatchFileSnapshot('__snapshots__/sealed-request.yaml');
  });

  it('leaves a chart without Secrets as it was', () => {
    const chart = Testing.chart();
    const { seal, calls } = recordingSealer();
    sealSecrets(chart, seal);
    expect(Testing.synth(chart)).toEqual([]);
    expect(calls).toEqual([]);
  });
});

describe('SealedSecret', () => {
  const valid = { name: 'chat-litellm-key', namespace: 'team-a', encryptedData: { OPENAI_API_KEY: 'AgB3c2VhbGVk' } };

  it('defaults the type to Opaque and leaves immutable and empty metadata out', () => {
    const chart = Testing.chart();
    new SealedSecret(chart, 'sealed', valid);
    expect(Testing.synth(chart)).toEqual([
      { apiVersion: 'bitnami.com/v1alpha1', kind: 'SealedSecret', metadata: { name: 'chat-litellm-key', namespace: 'team-a' }, spec: { encryptedData: valid.encryptedData, template: { type: 'Opaque' } } },
    ]);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['a bad name', { name: 'Chat_Key' }, "sealed secret name 'Chat_Key' is not a Secret name"],
    ['a bad namespace', { namespace: 'Team A' }, "sealed secret namespace 'Team A' is not a namespace name"],
    ['no values', { encryptedData: {} }, "sealed secret 'chat-litellm-key' has no encryptedData"],
    ['a value that is not base64, without echoing it', { encryptedData: { OPENAI_API_KEY: 'sk-plain text' } }, "sealed secret 'chat-litellm-key' encryptedData.OPENAI_API_KEY is not base64"],
  ])('rejects %s', (_, override, message) => {
    let error: Error | undefined;
    try {
      new SealedSecret(Testing.chart(), 'sealed', { ...valid, ...override });
    } catch (e) {
      error = e as Error;
    }
    expect(error?.message).toBe(message);
    expect(error?.message).not.toContain('sk-plain');
  });
});
