import { constants, createCipheriv, publicEncrypt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseSealingCertificate } from '../constructs/index.js';
import { ReusingSealer, hybridEncrypt, sealedSecretsStatusKey, strictScopeLabel } from '../pipeline/sealing.js';
import { testSealingKey, unseal } from './support/sealed-secrets.js';

/*
 * Contract: the sealed format of bitnami-labs/sealed-secrets v0.36.6 (pkg/crypto/crypto.go
 * HybridEncrypt/HybridDecrypt; pkg/apis/sealedsecrets/v1alpha1/sealedsecret_expansion.go
 * EncryptionLabel). test/support/sealed-secrets.ts decrypts as the controller does, written apart
 * from pipeline/sealing.ts.
 */

const KEY = testSealingKey();
const OTHER = testSealingKey();
const NOW = new Date();
const certificate = (k = KEY, destination = { cluster: 'eu-1' }) => parseSealingCertificate('test', { destination, certificate: k.certificate }, NOW);
const FINGERPRINT_KEY = Buffer.alloc(32, 7);
const data = (apiKey: string) =>
  new Map([
    ['OPENAI_API_KEY', Buffer.from(apiKey)],
    ['OPENAI_BASE_URL', Buffer.from('https://ai.example.com/v1')],
  ]);

describe('hybridEncrypt', () => {
  it('produces what the controller decrypts, for the strict scope label only', () => {
    // GIVEN a value sealed for team-a/chat-litellm-key
    const label = strictScopeLabel('team-a', 'chat-litellm-key');
    expect(label).toBe('team-a/chat-litellm-key');
    const sealed = hybridEncrypt(certificate().publicKeyPem, Buffer.from('sk-the-key'), label);
    // THEN the layout is 2-byte length, RSA ciphertext (one 2048-bit block), AES-GCM ciphertext + tag
    expect(sealed.readUInt16BE(0)).toBe(256);
    expect(sealed.length).toBe(2 + 256 + 'sk-the-key'.length + 16);
    // AND the controller's private key decrypts it under that label
    expect(unseal(KEY.privateKey, sealed.toString('base64'), label).toString()).toBe('sk-the-key');
    // AND under any other scope it does not: another name, another namespace, namespace-wide, cluster-wide
    for (const wrong of ['team-a/other', 'team-b/chat-litellm-key', 'team-a', '']) {
      expect(() => unseal(KEY.privateKey, sealed.toString('base64'), wrong), wrong).toThrow();
    }
    // AND another cluster's key cannot decrypt it
    expect(() => unseal(OTHER.privateKey, sealed.toString('base64'), label)).toThrow();
  });

  it('is randomized: a fresh session key each time', () => {
    const pem = certificate().publicKeyPem;
    const a = hybridEncrypt(pem, Buffer.from('same'), 'ns/name');
    const b = hybridEncrypt(pem, Buffer.from('same'), 'ns/name');
    expect(a.equals(b)).toBe(false);
  });

  it('detects tampering with the AES part (GCM tag)', () => {
    const sealed = hybridEncrypt(certificate().publicKeyPem, Buffer.from('sk-the-key'), 'ns/name');
    sealed[sealed.length - 1]! ^= 1;
    expect(() => unseal(KEY.privateKey, sealed.toString('base64'), 'ns/name')).toThrow();
  });

  it('the test decrypter is not simply the inverse of the code under test: it opens a value built by hand from the spec', () => {
    // GIVEN a value assembled step by step from the documented layout, with a known session key
    // and plain node:crypto calls (no code from pipeline/sealing.ts)
    const sessionKey = Buffer.alloc(32, 0x42);
    const rsa = publicEncrypt({ key: certificate().publicKeyPem, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256', oaepLabel: Buffer.from('ns/name') }, sessionKey);
    const gcm = createCipheriv('aes-256-gcm', sessionKey, Buffer.alloc(12));
    const body = Buffer.concat([gcm.update('hand-made'), gcm.final(), gcm.getAuthTag()]);
    const blob = Buffer.concat([Buffer.from([rsa.length >> 8, rsa.length & 0xff]), rsa, body]);
    // THEN the test decrypter opens it
    expect(unseal(KEY.privateKey, blob.toString('base64'), 'ns/name').toString()).toBe('hand-made');
  });
});

describe('ReusingSealer', () => {
  const target = { namespace: 'team-a', name: 'chat-litellm-key' };

  function firstRun(apiKey = 'sk-key-1', cert = certificate()) {
    const sealer = new ReusingSealer(cert, FINGERPRINT_KEY, undefined);
    const encryptedData = sealer.seal(target, data(apiKey));
    return { sealer, encryptedData, status: { sealedSecrets: sealer.status() } };
  }

  it('seals every value for the strict scope and records it, fingerprinted, in status', () => {
    const { sealer, encryptedData, status } = firstRun();
    expect(sealer.sealedAnew).toEqual(['chat-litellm-key']);
    expect(unseal(KEY.privateKey, encryptedData.OPENAI_API_KEY!, 'team-a/chat-litellm-key').toString()).toBe('sk-key-1');
    expect(unseal(KEY.privateKey, encryptedData.OPENAI_BASE_URL!, 'team-a/chat-litellm-key').toString()).toBe('https://ai.example.com/v1');
    expect(status.sealedSecrets).toEqual({
      certificate: certificate().fingerprint,
      destination: { cluster: 'eu-1' },
      secrets: [{ name: 'chat-litellm-key', fingerprint: expect.stringMatching(/^[0-9a-f]{32}$/), encryptedData }],
    });
    // AND the status holds no plaintext, in any encoding
    const text = JSON.stringify(status);
    for (const form of ['sk-key-1', Buffer.from('sk-key-1').toString('base64'), 'key-1']) expect(text).not.toContain(form);
  });

  it('reuses the sealed values while key and certificate are unchanged', () => {
    const { encryptedData, status } = firstRun();
    const again = new ReusingSealer(certificate(), FINGERPRINT_KEY, status);
    expect(again.seal(target, data('sk-key-1'))).toEqual(encryptedData);
    expect(again.sealedAnew).toEqual([]);
    expect({ sealedSecrets: again.status() }).toEqual(status);
  });

  it.each<[string, () => { cert: ReturnType<typeof certificate>; fingerprintKey: Buffer; apiKey: string }]>([
    ['the key rotated', () => ({ cert: certificate(), fingerprintKey: FINGERPRINT_KEY, apiKey: 'sk-key-2' })],
    ['the certificate changed', () => ({ cert: certificate(OTHER), fingerprintKey: FINGERPRINT_KEY, apiKey: 'sk-key-1' })],
    ['the fingerprint key changed (a new salt key)', () => ({ cert: certificate(), fingerprintKey: Buffer.alloc(32, 8), apiKey: 'sk-key-1' })],
  ])('seals anew, once, when %s', (_, setup) => {
    // GIVEN the status of a first run WHEN a run meets a change
    const first = firstRun();
    const { cert, fingerprintKey, apiKey } = setup();
    const sealer = new ReusingSealer(cert, fingerprintKey, first.status);
    const encryptedData = sealer.seal(target, data(apiKey));
    // THEN it seals anew, for the certificate it was given
    expect(sealer.sealedAnew).toEqual(['chat-litellm-key']);
    expect(encryptedData.OPENAI_API_KEY).not.toBe(first.encryptedData.OPENAI_API_KEY);
    const owner = cert.fingerprint === certificate(OTHER).fingerprint ? OTHER : KEY;
    expect(unseal(owner.privateKey, encryptedData.OPENAI_API_KEY!, 'team-a/chat-litellm-key').toString()).toBe(apiKey);
    // AND the run after it reuses the new value: one reseal per change
    const next = new ReusingSealer(cert, fingerprintKey, { sealedSecrets: sealer.status() });
    expect(next.seal(target, data(apiKey))).toEqual(encryptedData);
    expect(next.sealedAnew).toEqual([]);
  });

  it('never reuses a value across scopes, and ignores a malformed or hostile status', () => {
    const { status } = firstRun();
    // another Secret name with the same values: the scope is part of the fingerprint
    const renamed = new ReusingSealer(certificate(), FINGERPRINT_KEY, { sealedSecrets: { ...status.sealedSecrets, secrets: [{ ...status.sealedSecrets.secrets[0]!, name: 'other' }] } });
    renamed.seal({ namespace: 'team-a', name: 'other' }, data('sk-key-1'));
    expect(renamed.sealedAnew).toEqual(['other']);
    // values that are not base64 (say, plaintext someone wrote into status) are never copied into output
    for (const encryptedData of [{ OPENAI_API_KEY: 'sk-not sealed', OPENAI_BASE_URL: 'x' }, { OPENAI_API_KEY: 'A'.repeat(20_000), OPENAI_BASE_URL: 'AA==' }, {}, null]) {
      const hostile = new ReusingSealer(certificate(), FINGERPRINT_KEY, { sealedSecrets: { secrets: [{ ...status.sealedSecrets.secrets[0]!, encryptedData }] } });
      const out = hostile.seal(target, data('sk-key-1'));
      expect(hostile.sealedAnew).toEqual(['chat-litellm-key']);
      expect(unseal(KEY.privateKey, out.OPENAI_API_KEY!, 'team-a/chat-litellm-key').toString()).toBe('sk-key-1');
    }
    for (const garbage of [null, 'text', { sealedSecrets: 'x' }, { sealedSecrets: { secrets: [1, null, 'x'] } }]) {
      const sealer = new ReusingSealer(certificate(), FINGERPRINT_KEY, garbage);
      sealer.seal(target, data('sk-key-1'));
      expect(sealer.sealedAnew).toEqual(['chat-litellm-key']);
    }
  });

  it('a Secret that gains a value is sealed anew', () => {
    const { status } = firstRun();
    const sealer = new ReusingSealer(certificate(), FINGERPRINT_KEY, status);
    sealer.seal(target, new Map([...data('sk-key-1'), ['EXTRA', Buffer.from('x')]]));
    expect(sealer.sealedAnew).toEqual(['chat-litellm-key']);
  });
});

describe('sealedSecretsStatusKey', () => {
  it('writes the sealer status, clears a stale one after a switch to plain, and adds nothing to a plain request', () => {
    const sealer = new ReusingSealer(certificate(), FINGERPRINT_KEY, undefined);
    sealer.seal({ namespace: 'a', name: 'b' }, data('sk-x'));
    expect(sealedSecretsStatusKey(sealer, undefined)).toEqual({ sealedSecrets: sealer.status() });
    expect(sealedSecretsStatusKey(undefined, { sealedSecrets: sealer.status() })).toEqual({ sealedSecrets: null });
    expect(sealedSecretsStatusKey(undefined, { ai: {} })).toEqual({});
    expect(sealedSecretsStatusKey(undefined, { sealedSecrets: null })).toEqual({});
    expect(sealedSecretsStatusKey(undefined, undefined)).toEqual({});
  });
});
