import { Construct } from 'constructs';
import { Redis } from '../imports/redis-marketplace.kratix.io.js';
import { DNS_1035_LABEL, DNS_LABEL, notOneOf, quote, requireMatch } from './validation.js';

/** The Redis promise's sizes: `small` runs one Redis and one Sentinel, `large` three of each. */
export type RedisSize = 'small' | 'large';
export const REDIS_SIZES: readonly RedisSize[] = ['small', 'large'];

export interface RedisClaimProps {
  /** Namespace of the request object (where Kratix reconciles it on the platform cluster). */
  readonly namespace: string;
  /**
   * Name of the request object, which the Redis promise also gives its RedisFailover.
   * @default 'litellm-redis'
   */
  readonly name?: string;
  /**
   * `large` (three Redis pods and three Sentinels) survives the loss of one pod or node with a
   * failover of a few seconds; `small` (one of each) is down until its pod is back.
   * @default 'large'
   */
  readonly size?: RedisSize;
}

/**
 * The Redis promise's pipeline (syntasso/kratix-marketplace redis/internal/configure-pipeline,
 * execute-pipeline and resources/redis-instance.yaml) writes its RedisFailover into namespace
 * `default`, whatever the request says: there is no field to choose it.
 */
const INSTANCE_NAMESPACE = 'default';
/**
 * The Spotahome operator names the Redis StatefulSet `rfr-<name>`; a StatefulSet's pods carry a
 * `controller-revision-hash` label of `<statefulset>-<10-character hash>`, a label value capped at 63,
 * so the StatefulSet name must stay within 52 and the request name within 48.
 */
const MAX_NAME = 48;

/**
 * A request to the Kratix marketplace Redis promise (`marketplace.kratix.io/v1alpha1` `redis`), plus
 * the connection facts the Spotahome redis-operator (v1.2.4, the promise's dependency) derives from
 * it, read in spotahome/redis-operator v1.2.4 operator/redisfailover/service/{names,constants,client,generator}.go:
 * - Sentinel Service `rfs-<name>` on port 26379, monitoring the master as `mymaster`;
 * - no Service for the master (only a headless `rfr-<name>` for the exporter), so clients find the
 *   master through Sentinel;
 * - pod labels `app.kubernetes.io/{name: <name>, component: redis|sentinel, part-of: redis-failover}`;
 * - no password: the promise leaves `spec.auth` unset, so a NetworkPolicy is the only access control.
 */
export class RedisClaim extends Construct {
  static readonly REDIS_PORT = 6379;
  static readonly SENTINEL_PORT = 26379;
  /** The name every Spotahome Sentinel monitors its master under. */
  static readonly MASTER_NAME = 'mymaster';

  /** Name of the request object and of the RedisFailover. */
  readonly name: string;
  /** Namespace of the request object. */
  readonly namespace: string;
  readonly size: RedisSize;
  /** Where the RedisFailover, its pods and its Services run: always `default`. */
  readonly instanceNamespace = INSTANCE_NAMESPACE;
  /** In-cluster DNS name of the Sentinel Service. */
  readonly sentinelHost: string;
  readonly sentinelPort = RedisClaim.SENTINEL_PORT;
  readonly masterName = RedisClaim.MASTER_NAME;
  /** Labels on every Redis and Sentinel pod of this failover (and only on them). */
  readonly podLabels: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: RedisClaimProps) {
    super(scope, id);
    this.namespace = props.namespace;
    this.name = props.name ?? 'litellm-redis';
    this.size = props.size ?? 'large';

    requireMatch('redis claim namespace', this.namespace, DNS_LABEL, 'is not a namespace name (lowercase DNS label)');
    if (this.namespace.length > 63) throw new Error(`redis claim namespace ${quote(this.namespace)} is longer than 63 characters`);
    // Services `rfs-<name>` and `rfr-<name>` are DNS-1035 labels; a leading letter keeps <name> one too.
    requireMatch('redis claim name', this.name, DNS_1035_LABEL, 'is not a DNS-1035 label (lowercase letters, digits and -, starting with a letter)');
    if (this.name.length > MAX_NAME) {
      throw new Error(`redis claim name ${quote(this.name)} is longer than ${MAX_NAME} characters: the operator's StatefulSet rfr-<name> must fit pod labels`);
    }
    if (!REDIS_SIZES.includes(this.size)) throw new Error(notOneOf('redis claim size', this.size, REDIS_SIZES));

    this.sentinelHost = `rfs-${this.name}.${INSTANCE_NAMESPACE}.svc.cluster.local`;
    this.podLabels = { 'app.kubernetes.io/name': this.name, 'app.kubernetes.io/part-of': 'redis-failover' };

    new Redis(this, 'Request', {
      metadata: { name: this.name, namespace: this.namespace },
      spec: { size: this.size },
    });
  }
}
