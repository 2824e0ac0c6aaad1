import { isEntityRef } from './backstage-names.js';
import { requireLabels } from './promise-config.js';
import { quote } from './validation.js';

/**
 * Backstage entities, following the Kratix marketplace convention: promise-level entities in an
 * output directory `backstage/` that `destination-selectors.yaml` sends to the Backstage Destination
 * (a Destination whose State Store path Backstage reads as a catalog location), and a Component per
 * request in the same directory of that request's Work.
 */
export interface BackstageConfig {
  /** Write the entities. Off: no `backstage/` directory and no selector for it. */
  readonly enabled: boolean;
  /** `matchLabels` of the Backstage Destination. */
  readonly destination: Readonly<Record<string, string>>;
  /** Entity reference of the group that owns the promise's Component and Template. */
  readonly owner: string;
  /**
   * Scaffolder action that applies the request to the platform cluster, with inputs `manifest` and
   * `namespaced`. `kube:apply` (@devangelista/backstage-scaffolder-kubernetes) finds the resource's
   * plural by discovery; `kubernetes:apply` (@muvaf/kubernetes-apply, in older Kratix docs) guesses
   * `<kind>s`, which is wrong for this API (plural `ai`).
   */
  readonly applyAction: string;
}

export function resolveBackstage(props: Partial<BackstageConfig> | undefined): BackstageConfig {
  const enabled = props?.enabled ?? true;
  if (typeof enabled !== 'boolean') throw new Error(`backstage.enabled ${quote(enabled)} is not true or false`);
  // The label the Kratix marketplace promises and Kratix's Backstage docs use.
  const destination = props?.destination ?? { environment: 'backstage' };
  requireLabels('backstage.destination', destination);
  const owner = props?.owner ?? 'kratix-platform';
  if (typeof owner !== 'string' || !isEntityRef(owner)) {
    throw new Error(`backstage.owner ${quote(owner)} is not a Backstage entity reference such as platform-team or group:default/platform-team`);
  }
  const applyAction = props?.applyAction ?? 'kube:apply';
  if (typeof applyAction !== 'string' || !/^[a-zA-Z0-9][a-zA-Z0-9:._-]{0,99}$/.test(applyAction)) {
    throw new Error(`backstage.applyAction ${quote(applyAction)} is not a scaffolder action id such as kube:apply`);
  }
  return { enabled, destination: { ...destination }, owner, applyAction };
}
