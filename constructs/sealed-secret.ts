import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import * as bitnami from '../imports/bitnami.com.js';
import { DNS_LABEL, quote, requireMatch } from './validation.js';

/**
 * Seals the values of one Secret for its strict scope (`<namespace>/<name>`): returns
 * `spec.encryptedData`, one base64 value per key of `data`.
 */
export type SecretSealer = (target: { readonly namespace: string; readonly name: string }, data: ReadonlyMap<string, Buffer>) => Record<string, string>;

export interface SealedSecretProps {
  /** Name of the SealedSecret and of the Secret the controller unseals it into. */
  readonly name: string;
  /** Namespace of both. */
  readonly namespace: string;
  /** Sealed values, from a SecretSealer: the controller decrypts each into the Secret's `data`. */
  readonly encryptedData: Readonly<Record<string, string>>;
  /**
   * Labels of the SealedSecret and of the Secret.
   * @default none
   */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * Annotations of the Secret (not secret: the State Store shows them).
   * @default none
   */
  readonly secretAnnotations?: Readonly<Record<string, string>>;
  /**
   * The Secret's type.
   * @default 'Opaque'
   */
  readonly type?: string;
  /**
   * The Secret's `immutable`, copied by the controller.
   * @default unset
   */
  readonly immutable?: boolean;
}

const SECRET_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * A Bitnami `SealedSecret` (bitnami.com/v1alpha1) with strict scope: no scope annotation, so the
 * controller unseals it only as `<namespace>/<name>`. Renamed or moved, it no longer decrypts.
 */
export class SealedSecret extends Construct {
  readonly apiObject: bitnami.SealedSecret;

  constructor(scope: Construct, id: string, props: SealedSecretProps) {
    super(scope, id);
    requireMatch('sealed secret name', props.name, SECRET_NAME, 'is not a Secret name');
    requireMatch('sealed secret namespace', props.namespace, DNS_LABEL, 'is not a namespace name');
    const keys = Object.keys(props.encryptedData);
    if (keys.length === 0) throw new Error(`sealed secret ${quote(props.name)} has no encryptedData`);
    for (const key of keys) {
      // Never quote the value: it is ciphertext here, but a caller's mistake could make it plaintext.
      if (!BASE64.test(props.encryptedData[key]!)) throw new Error(`sealed secret ${quote(props.name)} encryptedData.${key} is not base64`);
    }
    const labels = props.labels && Object.keys(props.labels).length > 0 ? { ...props.labels } : undefined;
    const annotations = props.secretAnnotations && Object.keys(props.secretAnnotations).length > 0 ? { ...props.secretAnnotations } : undefined;
    this.apiObject = new bitnami.SealedSecret(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace, ...(labels ? { labels } : {}) },
      spec: {
        encryptedData: { ...props.encryptedData },
        template: {
          ...(labels || annotations ? { metadata: { ...(labels ? { labels } : {}), ...(annotations ? { annotations } : {}) } } : {}),
          type: props.type ?? 'Opaque',
          ...(props.immutable !== undefined ? { immutable: props.immutable } : {}),
        },
      },
    });
  }
}

/**
 * Replaces every core/v1 Secret under `scope` by a SealedSecret of the same name, namespace,
 * labels, annotations, type and immutability, whose values `seal` encrypts (`data` decoded from
 * base64, `stringData` as UTF-8 and winning on a shared key, as the API server merges them). The
 * constructs build plain Secrets; sealing is a delivery choice made after them, in one place.
 */
export function sealSecrets(scope: Construct, seal: SecretSealer): void {
  const secrets = scope.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject && c.apiVersion === 'v1' && c.kind === 'Secret');
  for (const secret of secrets) {
    const manifest = secret.toJson() as {
      metadata: { name: string; namespace: string; labels?: Record<string, string>; annotations?: Record<string, string> };
      type?: string;
      immutable?: boolean;
      data?: Record<string, string>;
      stringData?: Record<string, string>;
    };
    const data = new Map<string, Buffer>();
    for (const [key, value] of Object.entries(manifest.data ?? {})) data.set(key, Buffer.from(value, 'base64'));
    for (const [key, value] of Object.entries(manifest.stringData ?? {})) data.set(key, Buffer.from(value, 'utf8'));
    const { name, namespace, labels, annotations } = manifest.metadata;
    const parent = secret.node.scope!;
    const id = secret.node.id;
    parent.node.tryRemoveChild(id);
    new SealedSecret(parent, id, {
      name,
      namespace,
      encryptedData: seal({ namespace, name }, data),
      labels,
      secretAnnotations: annotations,
      type: manifest.type,
      immutable: manifest.immutable,
    });
  }
}
