import { X509Certificate } from 'node:crypto';
import { requireLabels } from './promise-config.js';
import { notOneOf, quote } from './validation.js';

/**
 * How each request's secrets (its virtual key, its Open WebUI session secret) reach the workload
 * cluster through the State Store.
 *
 * - `plain`: Kubernetes Secrets. Anyone who can read the State Store (bucket or Git history) holds
 *   every key.
 * - `sealed-secrets`: Bitnami Sealed Secrets. Each Secret is emitted as a `SealedSecret` (strict
 *   scope: bound to its namespace and name), sealed with the certificate of the cluster the request
 *   lands on. Only that cluster's controller can unseal it.
 */
export const SECRET_DELIVERY_MODES = ['plain', 'sealed-secrets'] as const;
export type SecretDeliveryMode = (typeof SECRET_DELIVERY_MODES)[number];

/** The sealing certificate of the workload clusters a set of Destination labels picks. */
export interface SealingCertificateProps {
  /**
   * Destination labels that only clusters holding this certificate's private key carry: usually one
   * cluster's own label (`cluster: eu-1`); a label every workload cluster carries when they share
   * one sealing key.
   */
  readonly destination: Readonly<Record<string, string>>;
  /** The controller's certificate, PEM, as `kubeseal --fetch-cert` prints it. */
  readonly certificate: string;
}

export interface SecretDeliveryProps {
  /**
   * `plain` or `sealed-secrets`.
   * @default 'plain'
   */
  readonly mode?: SecretDeliveryMode;
  /**
   * With `sealed-secrets`: one certificate per workload cluster (or per group of clusters that
   * share a sealing key). Required there, refused with `plain`.
   * @default none
   */
  readonly certificates?: readonly SealingCertificateProps[];
}

/** A resolved `sealed-secrets` delivery; `plain` resolves to no `secretDelivery` at all. */
export interface SealedSecretsDelivery {
  readonly mode: 'sealed-secrets';
  readonly certificates: readonly SealingCertificateProps[];
}

/** A certificate checked and parsed: what sealing needs, and what status and logs may show. */
export interface SealingCertificate {
  readonly destination: Readonly<Record<string, string>>;
  /** The RSA public key, SPKI PEM. */
  readonly publicKeyPem: string;
  /** SHA-256 fingerprint of the certificate (DER), as `openssl x509 -fingerprint -sha256` prints it. */
  readonly fingerprint: string;
  readonly notAfter: Date;
}

/** RSA keys shorter than this are refused (the controller generates 4096-bit keys). */
export const MIN_SEALING_KEY_BITS = 2048;

/**
 * Resolves the `secretDelivery` setting: `undefined` for `plain` (so a plain config, and every
 * output derived from it, stays exactly as before this setting existed), else the sealed-secrets
 * settings with every certificate parsed and checked (RSA, key size) and its labels checked against
 * the workload labels (a certificate for a cluster no request can land on is a mistake).
 *
 * Expiry depends on the clock, so it is checked apart: at synth by `requireCurrentCertificates`, and
 * by each run for the certificate it seals with. A delete or promise run never fails on it.
 */
export function resolveSecretDelivery(props: SecretDeliveryProps | undefined, workloads: Readonly<Record<string, string>>): SealedSecretsDelivery | undefined {
  const mode = props?.mode ?? 'plain';
  if (!(SECRET_DELIVERY_MODES as readonly string[]).includes(mode)) throw new Error(notOneOf('secretDelivery.mode', mode, SECRET_DELIVERY_MODES));
  const certificates = props?.certificates ?? [];
  if (!Array.isArray(certificates)) throw new Error(`secretDelivery.certificates ${quote(certificates)} is not a list`);
  if (mode === 'plain') {
    if (certificates.length > 0) throw new Error(`secretDelivery.certificates is set but secretDelivery.mode is 'plain': set mode 'sealed-secrets' or remove them`);
    return undefined;
  }
  if (certificates.length === 0) {
    throw new Error(`secretDelivery.mode 'sealed-secrets' needs secretDelivery.certificates: one per workload cluster, as kubeseal --fetch-cert prints it`);
  }
  const parsed = certificates.map((entry, i) => {
    const what = `secretDelivery.certificates[${i}]`;
    requireLabels(`${what}.destination`, entry?.destination);
    for (const [key, value] of Object.entries(entry.destination)) {
      if (Object.hasOwn(workloads, key) && workloads[key] !== value) {
        throw new Error(`${what}.destination label ${quote(key)} value ${quote(value)} conflicts with destinations.workloads ${key}=${workloads[key]}: no request can land there`);
      }
    }
    return parseSealingCertificate(what, entry);
  });
  parsed.forEach((a, i) =>
    parsed.slice(0, i).forEach((b, j) => {
      if (sameLabels(a.destination, b.destination) && a.fingerprint !== b.fingerprint) {
        throw new Error(`secretDelivery.certificates[${i}] and [${j}] name the same destination ${labelText(a.destination)} with different certificates`);
      }
    }),
  );
  return { mode, certificates: certificates.map((c) => ({ destination: { ...c.destination }, certificate: c.certificate })) };
}

/** Refuses a config whose certificates have expired at `now`: `npm run synth` calls it. */
export function requireCurrentCertificates(delivery: SealedSecretsDelivery | undefined, now: Date): void {
  delivery?.certificates.forEach((entry, i) => parseSealingCertificate(`secretDelivery.certificates[${i}]`, entry, now));
}

/** Parses and checks one certificate: PEM, RSA, at least 2048 bits, and, given `now`, not expired then. */
export function parseSealingCertificate(what: string, entry: SealingCertificateProps, now?: Date): SealingCertificate {
  if (typeof entry.certificate !== 'string' || !entry.certificate.includes('-----BEGIN CERTIFICATE-----')) {
    throw new Error(`${what}.certificate is not a PEM certificate: paste what kubeseal --fetch-cert prints`);
  }
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(entry.certificate);
  } catch (error) {
    throw new Error(`${what}.certificate cannot be parsed (${(error as Error).message.replace(/\s+/g, ' ')}): paste what kubeseal --fetch-cert prints`);
  }
  const key = cert.publicKey;
  if (key.asymmetricKeyType !== 'rsa') {
    throw new Error(`${what}.certificate holds a non-RSA key (${key.asymmetricKeyType ?? 'unknown'}): Sealed Secrets seals with RSA`);
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_SEALING_KEY_BITS) throw new Error(`${what}.certificate has a ${bits}-bit RSA key: at least ${MIN_SEALING_KEY_BITS} bits are required`);
  const notAfter = new Date(cert.validTo);
  if (Number.isNaN(notAfter.getTime())) throw new Error(`${what}.certificate has an unreadable expiry ${quote(cert.validTo)}`);
  // kubeseal refuses to seal with an expired certificate too (pkg/kubeseal/kubeseal.go ParseKey).
  if (now && notAfter.getTime() <= now.getTime()) {
    throw new Error(`${what}.certificate (${labelText(entry.destination)}) expired on ${notAfter.toISOString()}: fetch the controller's current one with kubeseal --fetch-cert`);
  }
  return {
    destination: entry.destination,
    publicKeyPem: key.export({ type: 'spki', format: 'pem' }).toString(),
    fingerprint: cert.fingerprint256,
    notAfter,
  };
}

/**
 * The certificate to seal a request's secrets with, given the workload selector the request
 * resolves to. Kratix sends the request to any one Destination carrying every label of that
 * selector, so a certificate is safe only if the selector forces its labels: its `destination` is
 * a subset of the selector. No such certificate, or several different ones, is refused: the
 * request could land on a cluster that cannot unseal it.
 */
export function sealingCertificateFor(
  delivery: SealedSecretsDelivery,
  selector: Readonly<Record<string, string>>,
  now: Date = new Date(),
): SealingCertificate {
  const candidates = delivery.certificates.filter((c) => Object.entries(c.destination).every(([k, v]) => selector[k] === v));
  const known = delivery.certificates.map((c) => labelText(c.destination)).join(', ');
  if (candidates.length === 0) {
    throw new Error(`no sealing certificate for destination selector ${labelText(selector)}: it may land on any cluster; set spec.destinationSelector to pick one of ${known}`);
  }
  const parsed = candidates.map((c) => parseSealingCertificate(`secretDelivery.certificates[${delivery.certificates.indexOf(c)}]`, c, now));
  const distinct = new Set(parsed.map((c) => c.fingerprint));
  if (distinct.size > 1) {
    throw new Error(`destination selector ${labelText(selector)} matches different sealing certificates (${parsed.map((c) => labelText(c.destination)).join(', ')}): ambiguous, narrow spec.destinationSelector`);
  }
  return parsed[0]!;
}

/** `{a=b,c=d}`: labels in a stable order, for messages and status. */
export function labelText(labels: Readonly<Record<string, string>>): string {
  return `{${Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(',')}}`;
}

function sameLabels(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  return labelText(a) === labelText(b);
}
