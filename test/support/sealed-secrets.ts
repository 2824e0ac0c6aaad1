import { type KeyObject, constants, createDecipheriv, createPrivateKey, generateKeyPairSync, privateDecrypt, sign } from 'node:crypto';

/*
 * Test side of Bitnami Sealed Secrets, written independently of pipeline/sealing.ts from the
 * upstream source (bitnami-labs/sealed-secrets v0.36.6):
 * - pkg/crypto/crypto.go HybridDecrypt: the first 2 bytes (big-endian) are the length n of the RSA
 *   ciphertext; bytes [2, 2+n) are RSA-OAEP(SHA-256) of the 32-byte session key with the scope as
 *   label; the rest is AES-256-GCM of the value under the session key, zero 12-byte nonce, 16-byte tag
 *   appended, no additional data.
 * - pkg/apis/sealedsecrets/v1alpha1/sealedsecret_expansion.go EncryptionLabel: strict scope labels
 *   with "<namespace>/<name>", namespace-wide with "<namespace>", cluster-wide with "".
 * - pkg/kubeseal/kubeseal.go ParseKey: the sealer uses the first certificate of the PEM, which must
 *   hold an RSA key and not be expired.
 */

/** Decrypts one `encryptedData` value as the controller does; throws when the label (scope) differs. */
export function unseal(privateKey: KeyObject, encryptedValue: string, label: string): Buffer {
  const blob = Buffer.from(encryptedValue, 'base64');
  if (blob.length < 2) throw new Error('SealedSecret data is too short');
  const rsaLength = blob.readUInt16BE(0);
  if (blob.length < 2 + rsaLength) throw new Error('SealedSecret data is too short');
  const sessionKey = privateDecrypt(
    { key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256', oaepLabel: Buffer.from(label) },
    blob.subarray(2, 2 + rsaLength),
  );
  const aes = blob.subarray(2 + rsaLength);
  const decipher = createDecipheriv('aes-256-gcm', sessionKey, Buffer.alloc(12));
  decipher.setAuthTag(aes.subarray(aes.length - 16));
  return Buffer.concat([decipher.update(aes.subarray(0, aes.length - 16)), decipher.final()]);
}

/** A sealing key pair and its self-signed certificate, as a Sealed Secrets controller holds them. */
export interface TestSealingKey {
  readonly privateKey: KeyObject;
  /** PEM, like `kubeseal --fetch-cert` prints. */
  readonly certificate: string;
}

export interface TestCertificateOptions {
  /** @default 2048 */
  readonly modulusLength?: number;
  /** @default an hour ago */
  readonly notBefore?: Date;
  /** @default a year from now */
  readonly notAfter?: Date;
  /** An EC key instead of RSA. @default false */
  readonly ec?: boolean;
  /** @default 'sealed-secret' (the controller's CN) */
  readonly commonName?: string;
}

/**
 * A fresh key pair and an X.509 v3 certificate for it. node:crypto parses certificates but cannot
 * make one, so the certificate is DER-encoded here (RFC 5280 §4.1) and signed with the key itself.
 */
export function testSealingKey(options: TestCertificateOptions = {}): TestSealingKey {
  const { privateKey, publicKey } = options.ec
    ? generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
    : generateKeyPairSync('rsa', { modulusLength: options.modulusLength ?? 2048 });
  const now = Date.now();
  const notBefore = options.notBefore ?? new Date(now - 3_600_000);
  const notAfter = options.notAfter ?? new Date(now + 365 * 86_400_000);
  const algorithm = options.ec ? seq(oid('1.2.840.10045.4.3.2')) : seq(oid('1.2.840.113549.1.1.11'), der(0x05, Buffer.alloc(0)));
  const name = seq(der(0x31, seq(oid('2.5.4.3'), der(0x0c, Buffer.from(options.commonName ?? 'sealed-secret')))));
  const tbs = seq(
    der(0xa0, integer(Buffer.from([2]))),
    integer(Buffer.from([1, ...Array.from({ length: 8 }, (_, i) => (now >> (i * 4)) & 0xff)])),
    algorithm,
    name,
    seq(time(notBefore), time(notAfter)),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
  );
  const signature = sign('sha256', tbs, privateKey);
  const certificate = seq(tbs, algorithm, der(0x03, Buffer.concat([Buffer.from([0]), signature])));
  const pem = `-----BEGIN CERTIFICATE-----\n${certificate.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;
  return { privateKey: createPrivateKey(privateKey.export({ type: 'pkcs8', format: 'pem' })), certificate: pem };
}

function der(tag: number, content: Buffer): Buffer {
  const n = content.length;
  const length = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, content]);
}

function seq(...parts: Buffer[]): Buffer {
  return der(0x30, Buffer.concat(parts));
}

function integer(bytes: Buffer): Buffer {
  return der(0x02, bytes[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
}

function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const bytes = [a! * 40 + b!];
  for (const n of rest) {
    const chunk = [n & 0x7f];
    for (let v = n >> 7; v > 0; v >>= 7) chunk.unshift((v & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return der(0x06, Buffer.from(bytes));
}

/** UTCTime until 2049, GeneralizedTime after, as RFC 5280 §4.1.2.5 requires. */
function time(date: Date): Buffer {
  const iso = date.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return date.getUTCFullYear() < 2050 ? der(0x17, Buffer.from(`${iso.slice(2)}Z`)) : der(0x18, Buffer.from(`${iso}Z`));
}
