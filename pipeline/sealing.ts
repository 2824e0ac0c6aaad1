import { constants, createCipheriv, createHmac, publicEncrypt, randomBytes } from 'node:crypto';
import { type AiPromiseConfig, type SealingCertificate, type SecretSealer, sealingCertificateFor } from '../constructs/index.js';
import { PipelineError } from './errors.js';

/** Bytes of the AES-256-GCM session key, one per sealed value. */
const SESSION_KEY_BYTES = 32;
/** GCM's standard nonce size; the nonce is all zeros because each session key seals one value. */
const GCM_NONCE_BYTES = 12;
/** A reused value larger than this is not one this pipeline sealed: seal anew instead. */
const MAX_SEALED_VALUE = 16_384;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Seals one value exactly as Sealed Secrets does (bitnami-labs/sealed-secrets v0.36.6,
 * pkg/crypto/crypto.go HybridEncrypt): a random 32-byte session key, RSA-OAEP with SHA-256 (MGF1
 * SHA-256) and the scope as OAEP label encrypts it, AES-256-GCM with a zero nonce encrypts the
 * value (tag appended), and the result is the RSA ciphertext's length (2 bytes, big-endian), the
 * RSA ciphertext and the GCM ciphertext. `encryptedData` holds it in standard base64.
 */
export function hybridEncrypt(publicKeyPem: string, plaintext: Buffer, label: string): Buffer {
  const sessionKey = randomBytes(SESSION_KEY_BYTES);
  const rsaCiphertext = publicEncrypt(
    { key: publicKeyPem, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256', oaepLabel: Buffer.from(label, 'utf8') },
    sessionKey,
  );
  const cipher = createCipheriv('aes-256-gcm', sessionKey, Buffer.alloc(GCM_NONCE_BYTES));
  const sealed = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  const length = Buffer.alloc(2);
  length.writeUInt16BE(rsaCiphertext.length);
  return Buffer.concat([length, rsaCiphertext, sealed]);
}

/** The OAEP label of strict scope (pkg/apis/sealedsecrets/v1alpha1 EncryptionLabel). */
export function strictScopeLabel(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

/** `status.sealedSecrets`: what a later run needs to reuse this run's sealed values. Safe to show. */
export interface SealedSecretsStatus {
  /** SHA-256 fingerprint of the certificate the values are sealed with. */
  readonly certificate: string;
  /** The `secretDelivery.certificates` entry it came from. */
  readonly destination: Readonly<Record<string, string>>;
  readonly secrets: readonly SealedSecretEntry[];
}

export interface SealedSecretEntry {
  readonly name: string;
  /**
   * HMAC, keyed by a key derived from the salt key, over the certificate fingerprint, the scope and
   * every plaintext value: equal exactly when a reseal would seal the same values for the same
   * cluster. Without the salt key it tells nothing about the values.
   */
  readonly fingerprint: string;
  readonly encryptedData: Readonly<Record<string, string>>;
}

/**
 * Seals a request's Secrets for one certificate, reusing the previous run's sealed value of a
 * Secret while its fingerprint is unchanged: sealing is randomized, so without reuse every
 * reconcile would rewrite the Work. A new key (rotation), a new value, another scope or another
 * certificate changes the fingerprint and seals anew, once.
 */
export class ReusingSealer {
  readonly #certificate: SealingCertificate;
  readonly #fingerprintKey: Buffer;
  readonly #previous: ReadonlyMap<string, SealedSecretEntry>;
  readonly #entries: SealedSecretEntry[] = [];
  /** Names of the Secrets this run sealed anew (the rest were reused). */
  readonly sealedAnew: string[] = [];

  constructor(certificate: SealingCertificate, fingerprintKey: Buffer, previousStatus: unknown) {
    this.#certificate = certificate;
    this.#fingerprintKey = fingerprintKey;
    this.#previous = previousEntries(previousStatus);
  }

  readonly seal: SecretSealer = (target, data) => {
    const label = strictScopeLabel(target.namespace, target.name);
    const fingerprint = this.#fingerprint(label, data);
    const previous = this.#previous.get(target.name);
    let encryptedData: Record<string, string>;
    if (previous && previous.fingerprint === fingerprint && sameKeys(previous.encryptedData, data)) {
      encryptedData = { ...previous.encryptedData };
    } else {
      encryptedData = Object.fromEntries([...data].map(([key, value]) => [key, hybridEncrypt(this.#certificate.publicKeyPem, value, label).toString('base64')]));
      this.sealedAnew.push(target.name);
    }
    this.#entries.push({ name: target.name, fingerprint, encryptedData });
    return encryptedData;
  };

  status(): SealedSecretsStatus {
    return {
      certificate: this.#certificate.fingerprint,
      destination: { ...this.#certificate.destination },
      secrets: [...this.#entries].sort((a, b) => a.name.localeCompare(b.name)),
    };
  }

  #fingerprint(label: string, data: ReadonlyMap<string, Buffer>): string {
    const values = [...data].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, value]) => [key, value.toString('base64')]);
    const canonical = JSON.stringify([this.#certificate.fingerprint, label, values]);
    return createHmac('sha256', this.#fingerprintKey).update(canonical).digest('hex').slice(0, 32);
  }
}

/** The previous run's entries, from the request's current status; anything malformed is ignored. */
function previousEntries(status: unknown): Map<string, SealedSecretEntry> {
  const entries = new Map<string, SealedSecretEntry>();
  const secrets = (status as { sealedSecrets?: { secrets?: unknown } } | null | undefined)?.sealedSecrets?.secrets;
  if (!Array.isArray(secrets)) return entries;
  for (const entry of secrets as unknown[]) {
    const { name, fingerprint, encryptedData } = (entry ?? {}) as Record<string, unknown>;
    if (typeof name !== 'string' || typeof fingerprint !== 'string' || typeof encryptedData !== 'object' || encryptedData === null) continue;
    const values = Object.entries(encryptedData as Record<string, unknown>);
    if (values.length === 0 || !values.every(([, v]) => typeof v === 'string' && v.length <= MAX_SEALED_VALUE && BASE64.test(v))) continue;
    entries.set(name, { name, fingerprint, encryptedData: Object.fromEntries(values) as Record<string, string> });
  }
  return entries;
}

function sameKeys(sealed: Readonly<Record<string, string>>, data: ReadonlyMap<string, Buffer>): boolean {
  const keys = Object.keys(sealed);
  return keys.length === data.size && keys.every((k) => data.has(k));
}

/**
 * The certificate this request's secrets are sealed with, or undefined with `plain` delivery.
 * Checked before anything is written to LiteLLM: a request that could land on a cluster without a
 * certificate is bad input.
 */
export function sealingCertificate(config: AiPromiseConfig, selector: Readonly<Record<string, string>>, now: Date): SealingCertificate | undefined {
  if (!config.secretDelivery) return undefined;
  try {
    return sealingCertificateFor(config.secretDelivery, selector, now);
  } catch (error) {
    throw new PipelineError((error as Error).message);
  }
}

/**
 * The `sealedSecrets` status key a run writes: this run's sealed values, or null to clear what an
 * earlier sealed run left (Kratix keeps top-level keys a run does not write); nothing at all for a
 * plain request that never had one, so plain status stays as it was.
 */
export function sealedSecretsStatusKey(sealer: ReusingSealer | undefined, previousStatus: unknown): { sealedSecrets?: SealedSecretsStatus | null } {
  if (sealer) return { sealedSecrets: sealer.status() };
  const had = (previousStatus as { sealedSecrets?: unknown } | null | undefined)?.sealedSecrets;
  return had !== undefined && had !== null ? { sealedSecrets: null } : {};
}
