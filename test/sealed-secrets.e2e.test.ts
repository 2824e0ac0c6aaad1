import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load, loadAll } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AiPromiseConfigProps, diffableJson, resolvePromiseConfig } from '../constructs/index.js';
import { type KratixRunResult, SALT_KEY, aiRequest, kratixRun } from './support/kratix-run.js';
import { LiteLLMEmulator } from './support/litellm-emulator.js';
import { testSealingKey, unseal } from './support/sealed-secrets.js';
import { admit } from './support/structural-schema.js';

/*
 * The whole life of a request with `secretDelivery: sealed-secrets`, run through the bundled
 * pipeline as Kratix runs it: each run's input object carries the status the previous runs left
 * (Kratix merges each written top-level key into the object's status, §4 of the contract). Two
 * workload clusters, each with its own Sealed Secrets controller key.
 */

const EU = testSealingKey();
const US = testSealingKey();
const EU_RENEWED = testSealingKey();
const SPEC = { tier: 'small', ui: true, team: 'engineering', models: ['gpt-5'], destinationSelector: { cluster: 'eu-1' } };
const configWith = (eu: string, extra: Partial<AiPromiseConfigProps> = {}) =>
  diffableJson(
    resolvePromiseConfig({
      destinations: { platform: { cluster: 'platform' }, workloads: { tier: 'workloads' } },
      secretDelivery: {
        mode: 'sealed-secrets',
        certificates: [
          { destination: { cluster: 'eu-1' }, certificate: eu },
          { destination: { cluster: 'us-1' }, certificate: US.certificate },
        ],
      },
      ...extra,
    }),
  );
const SEALED = configWith(EU.certificate);
const SEALED_CRD = (load(readFileSync(new URL('../imports/crds/sealedsecrets.bitnami.com.yaml', import.meta.url), 'utf8')) as any).spec.versions[0].schema.openAPIV3Schema;

let emulator: LiteLLMEmulator;
beforeAll(async () => {
  emulator = await LiteLLMEmulator.start();
});
afterAll(async () => {
  await emulator.stop();
});

/** The request object of the next run: Kratix's shallow top-level merge of what each run wrote. */
function after(previous: Record<string, any>, run: KratixRunResult, spec = previous.spec): Record<string, any> {
  return { ...previous, spec, status: { ...(previous.status ?? {}), ...run.status } };
}

async function configure(object: unknown, config = SEALED, env: Record<string, string> = {}): Promise<KratixRunResult> {
  return kratixRun({ type: 'resource', action: 'configure', object, litellmUrl: emulator.url, masterKey: emulator.masterKey, env: { AI_PROMISE_CONFIG: config, ...env } });
}

function objectsOf(run: KratixRunResult): any[] {
  return [...run.outputs.values()].flatMap((y) => loadAll(y) as any[]);
}

function sealedSecret(run: KratixRunResult, name: string): any {
  return objectsOf(run).find((o) => o.kind === 'SealedSecret' && o.metadata.name === name);
}

/** What the cluster holding `key` unseals from a SealedSecret: every value, as the controller would. */
function unsealed(object: any, key = EU): Record<string, string> {
  const label = `${object.metadata.namespace}/${object.metadata.name}`;
  return Object.fromEntries(Object.entries(object.spec.encryptedData as Record<string, string>).map(([k, v]) => [k, unseal(key.privateKey, v, label).toString('utf8')]));
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Everything a run left readable: outputs (the State Store), status, stdout, stderr. */
function everything(run: KratixRunResult): string {
  return [...run.outputs.values(), run.statusText, run.stdout, run.stderr, ...run.metadata.values()].join('\n');
}

/** Each secret value in every form a reader could use: itself, base64, base64url, without `sk-`. */
function expectNoPlaintext(run: KratixRunResult, secrets: readonly string[]): void {
  const text = everything(run);
  for (const secret of secrets) {
    for (const form of [secret, Buffer.from(secret).toString('base64'), Buffer.from(secret).toString('base64url'), secret.replace(/^sk-/, '')]) {
      expect(text.includes(form), `a form of a secret value appears in the run's outputs, status or logs`).toBe(false);
    }
  }
  expect(text).not.toMatch(/sk-[A-Za-z0-9_-]{16,}/);
  expect(text).not.toContain(emulator.masterKey);
  expect(text).not.toContain(SALT_KEY);
  expect(objectsOf(run).filter((o) => o.kind === 'Secret')).toEqual([]);
}

const sealedLines = (run: KratixRunResult) => run.stdout.split('\n').filter((l) => l.startsWith('sealed Secret '));

describe('sealed-secrets delivery, end to end', () => {
  it('create, re-run, rotate, re-run, delete: no plaintext anywhere, byte-identical re-runs, one reseal per rotation', async () => {
    const ns = 'sealed-life';
    let object: Record<string, any> = aiRequest('chat', ns, SPEC);

    // CREATE: both Secrets arrive as strict-scope SealedSecrets sealed for eu-1
    const created = await configure(object);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(objectsOf(created).filter((o) => o.kind === 'SealedSecret').map((o) => o.metadata.name).sort()).toEqual(['chat-litellm-key', 'chat-openwebui']);
    const keySecret = unsealed(sealedSecret(created, 'chat-litellm-key'));
    const uiSecret = unsealed(sealedSecret(created, 'chat-openwebui'));
    // ... which eu-1's controller unseals into the key LiteLLM holds, and the UI's session secret
    const [stored] = emulator.keys().filter((k) => k.metadata?.request === `${ns}/chat`);
    expect(stored!.token).toBe(sha256(keySecret.OPENAI_API_KEY!));
    expect(keySecret.OPENAI_BASE_URL).toBe('http://litellm.ai-platform.svc.cluster.local:4000/v1');
    expect(uiSecret.WEBUI_SECRET_KEY!.length).toBeGreaterThanOrEqual(32);
    // ... and nothing else can: us-1's key, or eu-1's key under another name or namespace
    expect(() => unsealed(sealedSecret(created, 'chat-litellm-key'), US)).toThrow();
    const moved = { ...sealedSecret(created, 'chat-litellm-key'), metadata: { name: 'chat-litellm-key', namespace: 'attacker' } };
    expect(() => unsealed(moved)).toThrow();
    const renamed = { ...sealedSecret(created, 'chat-litellm-key'), metadata: { name: 'chat-openwebui', namespace: ns } };
    expect(() => unsealed(renamed)).toThrow();
    // ... the objects are what the SealedSecret CRD admits, with nothing pruned
    for (const o of objectsOf(created).filter((x) => x.kind === 'SealedSecret')) {
      const { errors, object: admitted } = admit(SEALED_CRD, o);
      expect(errors).toEqual([]);
      expect(admitted).toEqual(o);
    }
    // ... the status says what was sealed for which cluster, and the run logged each seal
    expect(created.status.sealedSecrets).toMatchObject({ destination: { cluster: 'eu-1' }, certificate: expect.stringMatching(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/) });
    expect(created.status.sealedSecrets.secrets.map((s: any) => s.name)).toEqual(['chat-litellm-key', 'chat-openwebui']);
    expect(sealedLines(created)).toEqual([
      `sealed Secret ${ns}/chat-litellm-key for {cluster=eu-1} (certificate ${created.status.sealedSecrets.certificate})`,
      `sealed Secret ${ns}/chat-openwebui for {cluster=eu-1} (certificate ${created.status.sealedSecrets.certificate})`,
    ]);
    expect(created.status.ai.key.fingerprint).toBe(sha256(keySecret.OPENAI_API_KEY!).slice(0, 12));
    const secretsSoFar = [keySecret.OPENAI_API_KEY!, uiSecret.WEBUI_SECRET_KEY!];
    expectNoPlaintext(created, secretsSoFar);

    // RE-RUN (three times): byte-identical outputs and status, nothing sealed, nothing written to LiteLLM
    object = after(object, created);
    for (let i = 0; i < 3; i++) {
      emulator.resetRequests();
      const again = await configure(object);
      expect(again.code).toBe(0);
      expect(again.outputs).toEqual(created.outputs);
      expect(again.statusText).toBe(created.statusText);
      expect(sealedLines(again)).toEqual([]);
      expect(emulator.writes()).toEqual([]);
      expectNoPlaintext(again, secretsSoFar);
      object = after(object, again);
    }

    // ROTATE: a new key, resealed once; the UI's secret is unchanged and keeps its sealed value
    object = after(object, created, { ...SPEC, rotation: { trigger: 1 } });
    const rotated = await configure(object);
    expect(rotated.code).toBe(0);
    const rotatedKey = unsealed(sealedSecret(rotated, 'chat-litellm-key'));
    expect(rotatedKey.OPENAI_API_KEY).not.toBe(keySecret.OPENAI_API_KEY);
    expect(emulator.keys().map((k) => k.token)).toContain(sha256(rotatedKey.OPENAI_API_KEY!));
    expect(sealedLines(rotated)).toEqual([`sealed Secret ${ns}/chat-litellm-key for {cluster=eu-1} (certificate ${created.status.sealedSecrets.certificate})`]);
    expect(sealedSecret(rotated, 'chat-openwebui')).toEqual(sealedSecret(created, 'chat-openwebui'));
    expect(sealedSecret(rotated, 'chat-litellm-key').spec.encryptedData.OPENAI_API_KEY).not.toBe(sealedSecret(created, 'chat-litellm-key').spec.encryptedData.OPENAI_API_KEY);
    const allSecrets = [...secretsSoFar, rotatedKey.OPENAI_API_KEY!];
    expectNoPlaintext(rotated, allSecrets);

    // RE-RUN after the rotation: byte-identical again
    object = after(object, rotated);
    const settled = await configure(object);
    expect(settled.outputs).toEqual(rotated.outputs);
    expect(settled.statusText).toBe(rotated.statusText);
    expect(sealedLines(settled)).toEqual([]);
    expectNoPlaintext(settled, allSecrets);

    // DELETE: the team and both keys go
    const deleted = await kratixRun({ type: 'resource', action: 'delete', object, litellmUrl: emulator.url, masterKey: emulator.masterKey, env: { AI_PROMISE_CONFIG: SEALED } });
    expect(deleted.code).toBe(0);
    expect(emulator.keys().filter((k) => k.metadata?.request === `${ns}/chat`)).toEqual([]);
    expect(emulator.teams().filter((t) => t.metadata?.request === `${ns}/chat`)).toEqual([]);
    expectNoPlaintext(deleted, allSecrets);
  });

  it('reseals once when the certificate changes (the controller renewed its key), with the key unchanged', async () => {
    const ns = 'sealed-renewed';
    let object: Record<string, any> = aiRequest('chat', ns, SPEC);
    const first = await configure(object);
    object = after(object, first);
    const renewed = configWith(EU_RENEWED.certificate);
    const resealed = await configure(object, renewed);
    expect(resealed.code).toBe(0);
    expect(sealedLines(resealed)).toHaveLength(2);
    // the new certificate's key unseals the same values; the old key no longer does
    expect(unsealed(sealedSecret(resealed, 'chat-litellm-key'), EU_RENEWED)).toEqual(unsealed(sealedSecret(first, 'chat-litellm-key')));
    expect(() => unsealed(sealedSecret(resealed, 'chat-litellm-key'))).toThrow();
    object = after(object, resealed);
    const again = await configure(object, renewed);
    expect(again.outputs).toEqual(resealed.outputs);
    expect(sealedLines(again)).toEqual([]);
  });

  it('seals for the cluster the request lands on, and reseals when it moves', async () => {
    const ns = 'sealed-moves';
    let object: Record<string, any> = aiRequest('chat', ns, SPEC);
    const onEu = await configure(object);
    object = after(object, onEu, { ...SPEC, destinationSelector: { cluster: 'us-1' } });
    const onUs = await configure(object);
    expect(onUs.code).toBe(0);
    expect(load(readFileSync(join(onUs.dir, 'metadata', 'destination-selectors.yaml'), 'utf8'))).toEqual([
      { directory: 'workload', matchLabels: { tier: 'workloads', cluster: 'us-1' } },
      { directory: 'backstage', matchLabels: { environment: 'backstage' } },
    ]);
    expect(unsealed(sealedSecret(onUs, 'chat-litellm-key'), US)).toEqual(unsealed(sealedSecret(onEu, 'chat-litellm-key'), EU));
    expect(() => unsealed(sealedSecret(onUs, 'chat-litellm-key'), EU)).toThrow();
    expect(onUs.status.sealedSecrets.destination).toEqual({ cluster: 'us-1' });
  });

  it('refuses a request that could land on a cluster it cannot seal for, before touching LiteLLM', async () => {
    emulator.resetRequests();
    for (const [selector, message] of [
      [undefined, 'error: no sealing certificate for destination selector {tier=workloads}: it may land on any cluster; set spec.destinationSelector to pick one of {cluster=eu-1}, {cluster=us-1}\n'],
      [{ cluster: 'ap-1' }, 'error: no sealing certificate for destination selector {cluster=ap-1,tier=workloads}: it may land on any cluster; set spec.destinationSelector to pick one of {cluster=eu-1}, {cluster=us-1}\n'],
    ] as const) {
      const run = await configure(aiRequest('chat', 'sealed-nowhere', { ...SPEC, destinationSelector: selector }));
      expect(run.code).toBe(1);
      expect(run.stderr).toBe(message);
      expect(run.outputs.size).toBe(0);
    }
    expect(emulator.requests).toEqual([]);
  });

  it('an expired certificate fails the runs that would seal with it, in one line; delete still works', async () => {
    // GIVEN eu-1's certificate in the config has expired (the config itself still resolves)
    const expired = testSealingKey({ notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2021-01-01T00:00:00Z') });
    const config = configWith(expired.certificate);
    emulator.resetRequests();
    // WHEN a request for eu-1 is configured THEN it fails before LiteLLM, naming the entry and the date
    const run = await configure(aiRequest('chat', 'sealed-expired', SPEC), config);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      "error: secretDelivery.certificates[0].certificate ({cluster=eu-1}) expired on 2021-01-01T00:00:00.000Z: fetch the controller's current one with kubeseal --fetch-cert\n",
    );
    expect(emulator.requests).toEqual([]);
    // AND the delete of a request still runs
    const deleted = await kratixRun({ type: 'resource', action: 'delete', object: aiRequest('chat', 'sealed-expired', SPEC), litellmUrl: emulator.url, masterKey: emulator.masterKey, env: { AI_PROMISE_CONFIG: config } });
    expect(deleted.stderr).toBe('');
    expect(deleted.code).toBe(0);
  });

  it('going back to plain delivers plain Secrets again and clears the sealed status', async () => {
    const ns = 'sealed-to-plain';
    let object: Record<string, any> = aiRequest('chat', ns, SPEC);
    const sealedRun = await configure(object);
    object = after(object, sealedRun);
    const plainConfig = diffableJson(resolvePromiseConfig({ destinations: { platform: { cluster: 'platform' }, workloads: { tier: 'workloads' } } }));
    const plain = await configure(object, plainConfig);
    expect(plain.code).toBe(0);
    expect(objectsOf(plain).filter((o) => o.kind === 'SealedSecret')).toEqual([]);
    expect(objectsOf(plain).filter((o) => o.kind === 'Secret').map((o) => o.metadata.name).sort()).toEqual(['chat-litellm-key', 'chat-openwebui']);
    expect(plain.status.sealedSecrets).toBeNull();
    // and a plain request that never was sealed gets no such key at all
    const fresh = await configure(aiRequest('fresh', ns, SPEC), plainConfig);
    expect(fresh.statusText).not.toContain('sealedSecrets');
  });
});
