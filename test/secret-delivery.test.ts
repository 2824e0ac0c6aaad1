import { App } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { AiPromise, diffableJson, requireCurrentCertificates, resolvePromiseConfig, resolveSecretDelivery, sealingCertificateFor } from '../constructs/index.js';
import { testSealingKey } from './support/sealed-secrets.js';

const EU = testSealingKey();
const US = testSealingKey();
const WORKLOADS = { tier: 'workloads' };
const sealed = (...certificates: { destination: Record<string, string>; certificate: string }[]) => ({ mode: 'sealed-secrets' as const, certificates });

describe('secretDelivery setting', () => {
  it('defaults to plain, which leaves the resolved config (and so promise.yaml) exactly as before', () => {
    // GIVEN no setting, and an explicit plain one
    const byDefault = resolvePromiseConfig();
    const explicit = resolvePromiseConfig({ secretDelivery: { mode: 'plain' } });
    // THEN neither carries a secretDelivery key: the serialised config is unchanged
    expect('secretDelivery' in byDefault).toBe(false);
    expect(diffableJson(explicit)).toBe(diffableJson(byDefault));
    expect(diffableJson(byDefault)).not.toContain('secretDelivery');
  });

  it('resolves sealed-secrets with its certificates, and resolving again gives an equal config', () => {
    const config = resolvePromiseConfig({ destinations: { workloads: WORKLOADS }, secretDelivery: sealed({ destination: { cluster: 'eu-1' }, certificate: EU.certificate }) });
    expect(config.secretDelivery).toEqual({ mode: 'sealed-secrets', certificates: [{ destination: { cluster: 'eu-1' }, certificate: EU.certificate }] });
    expect(resolvePromiseConfig(JSON.parse(diffableJson(config)))).toEqual(config);
  });

  it.each<[string, () => unknown, string]>([
    ['an unknown mode', () => resolveSecretDelivery({ mode: 'sops' as never }, WORKLOADS), "secretDelivery.mode 'sops' is not one of plain, sealed-secrets"],
    ['sealed-secrets without certificates', () => resolveSecretDelivery({ mode: 'sealed-secrets' }, WORKLOADS), "secretDelivery.mode 'sealed-secrets' needs secretDelivery.certificates"],
    ['certificates with plain', () => resolveSecretDelivery({ mode: 'plain', certificates: [{ destination: { cluster: 'eu-1' }, certificate: EU.certificate }] }, WORKLOADS), "secretDelivery.certificates is set but secretDelivery.mode is 'plain'"],
    ['no destination labels', () => resolveSecretDelivery(sealed({ destination: {}, certificate: EU.certificate }), WORKLOADS), 'secretDelivery.certificates[0].destination {} is not a non-empty map of labels'],
    ['a destination no request can reach', () => resolveSecretDelivery(sealed({ destination: { tier: 'platform' }, certificate: EU.certificate }), WORKLOADS), "secretDelivery.certificates[0].destination label 'tier' value 'platform' conflicts with destinations.workloads tier=workloads"],
    ['a public key instead of a certificate', () => resolveSecretDelivery(sealed({ destination: { cluster: 'eu-1' }, certificate: '-----BEGIN PUBLIC KEY-----\nMII=\n-----END PUBLIC KEY-----' }), WORKLOADS), 'secretDelivery.certificates[0].certificate is not a PEM certificate: paste what kubeseal --fetch-cert prints'],
    ['a corrupt certificate', () => resolveSecretDelivery(sealed({ destination: { cluster: 'eu-1' }, certificate: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----' }), WORKLOADS), 'secretDelivery.certificates[0].certificate cannot be parsed'],
    ['an expired certificate', () => requireCurrentCertificates(resolveSecretDelivery(sealed({ destination: { cluster: 'eu-1' }, certificate: testSealingKey({ notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2021-01-01T00:00:00Z') }).certificate }), WORKLOADS), new Date()), 'secretDelivery.certificates[0].certificate ({cluster=eu-1}) expired on 2021-01-01T00:00:00.000Z'],
    ['a 1024-bit key', () => resolveSecretDelivery(sealed({ destination: { cluster: 'eu-1' }, certificate: testSealingKey({ modulusLength: 1024 }).certificate }), WORKLOADS), 'secretDelivery.certificates[0].certificate has a 1024-bit RSA key: at least 2048 bits are required'],
    ['an EC key', () => resolveSecretDelivery(sealed({ destination: { cluster: 'eu-1' }, certificate: testSealingKey({ ec: true }).certificate }), WORKLOADS), 'secretDelivery.certificates[0].certificate holds a non-RSA key (ec)'],
    ['one destination, two certificates', () => resolveSecretDelivery(sealed({ destination: { cluster: 'eu-1' }, certificate: EU.certificate }, { destination: { cluster: 'eu-1' }, certificate: US.certificate }), WORKLOADS), 'secretDelivery.certificates[1] and [0] name the same destination {cluster=eu-1} with different certificates'],
  ])('refuses %s in one line', (_, resolve, message) => {
    // GIVEN a bad setting WHEN it is resolved THEN one line names the field and says what is wrong
    let error: Error | undefined;
    try {
      resolve();
    } catch (e) {
      error = e as Error;
    }
    expect(error?.message).toContain(message);
    expect(error?.message).not.toContain('\n');
  });

  it('fails npm run synth (the AiPromise construct) on a bad certificate', () => {
    const expired = testSealingKey({ notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2021-01-01T00:00:00Z') });
    expect(
      () =>
        new AiPromise(new App(), 'ai', {
          pipelineImage: 'ghcr.io/example/pipeline:v1',
          config: { secretDelivery: sealed({ destination: { environment: 'dev' }, certificate: expired.certificate }) },
        }),
    ).toThrow('secretDelivery.certificates[0].certificate ({environment=dev}) expired on 2021-01-01');
  });
});

describe('which certificate seals a request', () => {
  const delivery = resolveSecretDelivery(sealed({ destination: { cluster: 'eu-1' }, certificate: EU.certificate }, { destination: { cluster: 'us-1' }, certificate: US.certificate }), WORKLOADS)!;

  it("the one whose destination labels the request's selector forces", () => {
    // GIVEN a selector that names one cluster WHEN the certificate is chosen THEN it is that cluster's
    const chosen = sealingCertificateFor(delivery, { tier: 'workloads', cluster: 'us-1' });
    expect(chosen.destination).toEqual({ cluster: 'us-1' });
    expect(chosen.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(chosen.publicKeyPem).toContain('-----BEGIN PUBLIC KEY-----');
  });

  it('refuses a selector that may land on any of several clusters: it never guesses', () => {
    expect(() => sealingCertificateFor(delivery, { tier: 'workloads' })).toThrow(
      'no sealing certificate for destination selector {tier=workloads}: it may land on any cluster; set spec.destinationSelector to pick one of {cluster=eu-1}, {cluster=us-1}',
    );
    expect(() => sealingCertificateFor(delivery, { tier: 'workloads', cluster: 'ap-1' })).toThrow('no sealing certificate for destination selector {cluster=ap-1,tier=workloads}');
  });

  it('refuses a selector that forces the labels of two different certificates', () => {
    const overlapping = resolveSecretDelivery(sealed({ destination: { cluster: 'eu-1' }, certificate: EU.certificate }, { destination: { region: 'eu' }, certificate: US.certificate }), WORKLOADS)!;
    expect(() => sealingCertificateFor(overlapping, { tier: 'workloads', cluster: 'eu-1', region: 'eu' })).toThrow(
      'destination selector {cluster=eu-1,region=eu,tier=workloads} matches different sealing certificates ({cluster=eu-1}, {region=eu}): ambiguous, narrow spec.destinationSelector',
    );
  });

  it('accepts one sealing key shared by every workload cluster', () => {
    const shared = resolveSecretDelivery(sealed({ destination: WORKLOADS, certificate: EU.certificate }, { destination: { cluster: 'eu-1' }, certificate: EU.certificate }), WORKLOADS)!;
    expect(sealingCertificateFor(shared, { tier: 'workloads' }).destination).toEqual(WORKLOADS);
    expect(sealingCertificateFor(shared, { tier: 'workloads', cluster: 'eu-1' }).fingerprint).toBe(sealingCertificateFor(shared, WORKLOADS).fingerprint);
  });

  it('refuses a certificate that expired since synth, at the run', () => {
    const soon = testSealingKey({ notAfter: new Date(Date.now() + 86_400_000) });
    const config = resolveSecretDelivery(sealed({ destination: WORKLOADS, certificate: soon.certificate }), WORKLOADS)!;
    expect(() => sealingCertificateFor(config, WORKLOADS, new Date(Date.now() + 2 * 86_400_000))).toThrow('expired on');
  });
});
