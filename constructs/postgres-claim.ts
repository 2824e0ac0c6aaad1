import { Construct } from 'constructs';
import { Postgresql } from '../imports/marketplace.kratix.io.js';
import { DNS_1035_LABEL, DNS_LABEL, notOneOf, quote, requireMatch } from './validation.js';

export interface PostgresClaimProps {
  /** Namespace of the request object (where Kratix reconciles it on the platform cluster). */
  readonly namespace: string;
  /**
   * Name of the request object; part of the instance, Service and Secret names.
   * @default 'litellm'
   */
  readonly name?: string;
  /**
   * PostgreSQL promise `teamId`: the role that owns the database, and the instance name's prefix.
   * @default 'litellm'
   */
  readonly teamId?: string;
  /**
   * Database to create, owned by the `teamId` role.
   * @default 'litellm'
   */
  readonly dbName?: string;
  /**
   * PostgreSQL promise sizing profile.
   * @default 'dev'
   */
  readonly env?: 'dev' | 'prod';
  /**
   * Turns on the operator's scheduled logical backups.
   * @default false
   */
  readonly backupEnabled?: boolean;
  /**
   * Namespace where the database instance, its Service and its credentials Secret live (the
   * promise's `spec.namespace`). A Pod can only reference that Secret from this same namespace.
   * @default namespace
   */
  readonly instanceNamespace?: string;
}

/** Kubernetes object names that become DNS labels are capped at 63 characters. */
const MAX_LABEL = 63;
/** PostgreSQL identifiers are capped at 63 bytes; lowercase unquoted ones also need no URL encoding. */
const PG_IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * A request to the PostgreSQL promise (`marketplace.kratix.io/v1alpha2` `postgresql`), plus the
 * connection facts the Zalando operator behind that promise derives from it. Every spec field is
 * written explicitly, because the promise's own defaults (`acid`, `postgres`) are not ours.
 */
export class PostgresClaim extends Construct {
  /** The port every Zalando instance Service listens on. */
  static readonly PORT = 5432;

  /** Name of the request object. */
  readonly name: string;
  /** Namespace of the request object. */
  readonly namespace: string;
  /** The owning role, which the credentials Secret is for. */
  readonly teamId: string;
  readonly dbName: string;
  /** Where the database, its Service and its credentials Secret live. */
  readonly instanceNamespace: string;
  /** The Zalando cluster and Service name: `<teamId>-<name>-postgresql`. */
  readonly instanceName: string;
  /** The owner role's Secret (keys `username`, `password`) in `instanceNamespace`. */
  readonly credentialsSecretName: string;
  /** In-cluster DNS name of the primary. */
  readonly host: string;
  readonly port: number = PostgresClaim.PORT;

  constructor(scope: Construct, id: string, props: PostgresClaimProps) {
    super(scope, id);
    this.namespace = props.namespace;
    this.name = props.name ?? 'litellm';
    this.teamId = props.teamId ?? 'litellm';
    this.dbName = props.dbName ?? 'litellm';
    this.instanceNamespace = props.instanceNamespace ?? this.namespace;
    const env = props.env ?? 'dev';
    const backupEnabled = props.backupEnabled ?? false;

    requireLabel('postgres claim namespace', this.namespace, DNS_LABEL, 'is not a namespace name (lowercase DNS label)');
    requireLabel('postgres claim name', this.name, DNS_LABEL, 'is not a lowercase DNS label');
    // The instance name starts with teamId and is a Service name, which must start with a letter.
    requireLabel('postgres claim teamId', this.teamId, DNS_1035_LABEL, 'is not a DNS-1035 label (lowercase letters, digits and -, starting with a letter)');
    requireMatch('postgres claim dbName', this.dbName, PG_IDENTIFIER, 'is not a PostgreSQL database name (lowercase letters, digits and _, starting with a letter or _, at most 63 characters)');
    requireLabel('postgres claim instanceNamespace', this.instanceNamespace, DNS_LABEL, 'is not a namespace name (lowercase DNS label)');
    if (env !== 'dev' && env !== 'prod') throw new Error(notOneOf('postgres claim env', env, ['dev', 'prod']));

    this.instanceName = `${this.teamId}-${this.name}-postgresql`;
    if (this.instanceName.length > MAX_LABEL) {
      throw new Error(
        `postgres claim teamId ${quote(this.teamId)} and name ${quote(this.name)} make an instance name of ` +
          `${this.instanceName.length} characters: <teamId>-<name>-postgresql must be at most ${MAX_LABEL}, it is a Service name`,
      );
    }
    this.credentialsSecretName = `${this.teamId}.${this.instanceName}.credentials.postgresql.acid.zalan.do`;
    this.host = `${this.instanceName}.${this.instanceNamespace}.svc.cluster.local`;

    new Postgresql(this, 'Request', {
      metadata: { name: this.name, namespace: this.namespace },
      spec: { env, teamId: this.teamId, dbName: this.dbName, namespace: this.instanceNamespace, backupEnabled },
    });
  }
}

function requireLabel(what: string, value: unknown, pattern: RegExp, rule: string): void {
  requireMatch(what, value, pattern, rule);
  if ((value as string).length > MAX_LABEL) throw new Error(`${what} ${quote(value)} is longer than ${MAX_LABEL} characters`);
}
