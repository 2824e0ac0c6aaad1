import { createHash } from 'node:crypto';
import { Construct } from 'constructs';
import type { Catalog } from './catalog.js';
import { k8s } from './k8s.js';
import type { TierSpec } from './tiers.js';
import { DNS_LABEL, requireMatch, requireUnique } from './validation.js';

/** Value of the `managed-by` metadata marker on every LiteLLM team and key this promise creates. */
export const MANAGED_BY = 'kratix-ai-promise';

/** Longest readable team id; longer ones keep a readable prefix and end in a hash of the full id. */
const MAX_TEAM_ID = 63;
/** Hex digits of SHA-256 that end a shortened team id: 96 bits, so no one can find a collision. */
const TEAM_ID_HASH_HEX = 24;
/**
 * Separates a shortened id's prefix from its hash. Namespaces and request names are DNS labels
 * (a-z, 0-9, -), so an unshortened id never contains `_`: no request name can spell out another
 * request's shortened id.
 */
const SHORTENED_MARK = '_';

/** The LiteLLM team a request owns: the body fields of `/team/new`, compared field by field on re-runs. */
export interface TeamSpec {
  readonly team_id: string;
  readonly team_alias: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly rpm_limit: number;
  readonly tpm_limit: number;
  readonly max_budget: number;
  readonly budget_duration: string;
  readonly models: readonly string[];
}

/** The LiteLLM virtual key a request owns, without its plaintext. */
export interface KeySpec {
  readonly key_alias: string;
  readonly team_id: string;
  readonly models: readonly string[];
  readonly metadata: Readonly<Record<string, string>>;
}

export interface TeamTierProps {
  /** The catalog that defines the tier and the models. */
  readonly catalog: Catalog;
  /** Tier name from the catalog. */
  readonly tier: string;
  /** Public model names from the catalog, at least one. */
  readonly models: readonly string[];
  /** The owning team (`spec.team`): recorded on the LiteLLM team, never used for naming. */
  readonly owner: string;
  /** Namespace of the request: where the key Secret goes. */
  readonly requestNamespace: string;
  /** `metadata.name` of the request. */
  readonly requestName: string;
  /** `metadata.uid` of the request, recorded on the team and key. */
  readonly requestUid: string;
  /** The virtual key (plaintext, `sk-...`), derived by the pipeline. */
  readonly apiKey: string;
  /** Gateway base URL clients use, without `/v1`. */
  readonly gatewayUrl: string;
  /**
   * Name of the Secret that delivers the key.
   * @default `<requestName>-litellm-key`
   */
  readonly secretName?: string;
  /**
   * Rotation epoch of the key (pipeline/rotation.ts); part of its alias, so each epoch's key is a
   * separate LiteLLM key.
   * @default 'r0' (never rotated)
   */
  readonly keyEpoch?: string;
}

/**
 * Binds one request to a tier and its models: the LiteLLM team and key the pipeline reconciles, and
 * the Secret that delivers the key to the requester's namespace with `OPENAI_API_KEY` and
 * `OPENAI_BASE_URL`, so any OpenAI client can `envFrom` it.
 */
export class TeamTier extends Construct {
  /**
   * Deterministic LiteLLM team id of a request: one team per request, never per `spec.team`. Ids of
   * at most 63 characters are `ai.<namespace>.<name>`; longer ones become `<first 38>_<24 hex of
   * SHA-256(full id)>`, which no unshortened id can equal (it never contains `_`).
   */
  static teamIdFor(namespace: string, name: string): string {
    // Namespaces cannot contain dots, so the first dot after the prefix separates namespace from name.
    const full = `ai.${namespace}.${name}`;
    if (full.length <= MAX_TEAM_ID) return full;
    const digest = createHash('sha256').update(full).digest('hex').slice(0, TEAM_ID_HASH_HEX);
    return `${full.slice(0, MAX_TEAM_ID - TEAM_ID_HASH_HEX - SHORTENED_MARK.length)}${SHORTENED_MARK}${digest}`;
  }

  /**
   * The id earlier versions of this promise gave a request whose id needed shortening (`<first 50>-<12
   * hex>`, which another request's name could spell out); undefined when the id was never shortened.
   * The pipeline moves such a team to the current id, and a delete removes both.
   */
  static legacyTeamIdFor(namespace: string, name: string): string | undefined {
    const full = `ai.${namespace}.${name}`;
    if (full.length <= MAX_TEAM_ID) return undefined;
    const digest = createHash('sha256').update(full).digest('hex').slice(0, 12);
    return `${full.slice(0, MAX_TEAM_ID - digest.length - 1)}-${digest}`;
  }

  /** Alias of the key of one rotation epoch: key aliases are unique across the whole proxy. */
  static keyAliasFor(teamId: string, epoch: string): string {
    return `${teamId}/key-${epoch}`;
  }

  /** Short, non-reversible fingerprint of a key, safe for annotations, logs and status. */
  static fingerprint(apiKey: string): string {
    return createHash('sha256').update(apiKey).digest('hex').slice(0, 12);
  }

  readonly tier: TierSpec;
  readonly team: TeamSpec;
  readonly key: KeySpec;
  readonly secret: k8s.KubeSecret;
  readonly secretName: string;
  readonly keyFingerprint: string;

  constructor(scope: Construct, id: string, props: TeamTierProps) {
    super(scope, id);
    this.tier = props.catalog.tier(props.tier);
    if (props.models.length === 0) throw new Error('models is empty: list at least one model');
    props.models.forEach((m) => props.catalog.model(m));
    requireUnique('model', props.models);
    requireMatch('team', props.owner, DNS_LABEL, 'is not a lowercase DNS label (a-z, 0-9, -)');
    requireMatch('namespace', props.requestNamespace, DNS_LABEL, 'is not a namespace name');
    if (!props.apiKey.startsWith('sk-')) throw new Error(`apiKey must start with 'sk-' (LiteLLM rejects other virtual keys)`);
    const keyEpoch = props.keyEpoch ?? 'r0';
    requireMatch('keyEpoch', keyEpoch, /^[a-z0-9-]{1,64}$/, 'is not an epoch id (a-z, 0-9, -)');

    const teamId = TeamTier.teamIdFor(props.requestNamespace, props.requestName);
    const metadata = {
      'managed-by': MANAGED_BY,
      request: `${props.requestNamespace}/${props.requestName}`,
      'request-uid': props.requestUid,
      owner: props.owner,
      tier: this.tier.name,
    };
    this.team = {
      team_id: teamId,
      team_alias: `${props.requestNamespace}/${props.requestName}`,
      metadata,
      rpm_limit: this.tier.rpmLimit,
      tpm_limit: this.tier.tpmLimit,
      max_budget: this.tier.maxBudgetUsd,
      budget_duration: this.tier.budgetDuration,
      models: [...props.models],
    };
    this.key = {
      key_alias: TeamTier.keyAliasFor(teamId, keyEpoch),
      team_id: teamId,
      models: [...props.models],
      metadata: { ...metadata, epoch: keyEpoch },
    };
    this.keyFingerprint = TeamTier.fingerprint(props.apiKey);

    this.secretName = props.secretName ?? `${props.requestName}-litellm-key`;
    requireMatch('secretName', this.secretName, /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, 'is not a Secret name');
    this.secret = new k8s.KubeSecret(this, 'key-secret', {
      // Rotation rewrites this Secret in place.
      immutable: false,
      metadata: {
        name: this.secretName,
        namespace: props.requestNamespace,
        labels: {
          'app.kubernetes.io/managed-by': MANAGED_BY,
          'app.kubernetes.io/instance': props.requestName,
          'ai.kratix.io/team': props.owner,
        },
        annotations: { 'ai.kratix.io/key-fingerprint': this.keyFingerprint },
      },
      stringData: {
        OPENAI_API_KEY: props.apiKey,
        OPENAI_BASE_URL: `${props.gatewayUrl}/v1`,
      },
    });
  }
}
