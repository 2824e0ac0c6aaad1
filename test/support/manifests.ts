import { Testing, type Chart } from 'cdk8s';
import { dump } from 'js-yaml';
import * as models from 'kubernetes-models';

/** Readable multi-document YAML of a chart, for file snapshots. */
export function synthYaml(chart: Chart): string {
  return Testing.synth(chart)
    .map((o) => dump(o, { noRefs: true, lineWidth: -1 }))
    .join('---\n');
}

type ModelClass = new (data: unknown) => { validate(): void };
/** kubernetes-models' root exports: one namespace per API group (`apps`, `networkingK8sIo`, core as `v1`). */
const GROUPS = models as unknown as Record<string, Record<string, unknown> | undefined>;

/**
 * The kubernetes-models namespace of a built-in API group, or undefined for any other group.
 * `networking.k8s.io` is exported as `networkingK8sIo`; the core group as `v1` (no version level).
 */
function builtInVersion(apiVersion: string): Record<string, unknown> | undefined {
  const slash = apiVersion.indexOf('/');
  if (slash < 0) return apiVersion === 'v1' ? GROUPS.v1 : undefined;
  const group = apiVersion.slice(0, slash);
  const version = apiVersion.slice(slash + 1);
  const key = group
    .split('.')
    .map((part, i) => (i === 0 ? part : part.charAt(0).toUpperCase() + part.slice(1)))
    .join('');
  const namespace = GROUPS[key];
  if (!namespace) return undefined;
  const versioned = namespace[version] as Record<string, unknown> | undefined;
  if (!versioned) throw new Error(`kubernetes-models has no ${apiVersion}: cannot validate it`);
  return versioned;
}

/**
 * Validates every object of a built-in Kubernetes API group against its kubernetes-models schema
 * and returns the `kind/name` of each validated object. Objects of other groups (custom resources
 * such as `marketplace.kratix.io/*`) are skipped and not listed.
 */
export function validateWithKubernetesModels(objects: any[]): string[] {
  const validated: string[] = [];
  for (const object of objects) {
    const versioned = builtInVersion(String(object?.apiVersion));
    if (!versioned) continue;
    const id = `${object.kind}/${object.metadata?.name}`;
    const Model = versioned[object.kind] as ModelClass | undefined;
    if (typeof Model !== 'function') throw new Error(`${id}: kubernetes-models has no ${object.apiVersion} ${object.kind}`);
    try {
      new Model(object).validate();
    } catch (error) {
      throw new Error(`${id} (${object.apiVersion}) is invalid: ${(error as Error).message}`);
    }
    validated.push(id);
  }
  return validated;
}
