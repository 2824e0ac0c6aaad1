/**
 * Backstage's catalog rules, written down from its documentation (backstage/backstage
 * docs/features/software-catalog/descriptor-format.md, "Common to All Kinds: The Metadata",
 * "Kind: Component", references.md) and the Template v1beta3 JSON schema
 * (plugins/scaffolder-common/src/Template.v1beta3.schema.json). Independent of the code under test:
 * it does not import constructs/backstage-names.ts.
 */

/** `metadata.name`: 1-63 characters, sequences of [a-zA-Z0-9] separated by one of [-_.]. */
const NAME = /^[a-zA-Z0-9]+([-_.][a-zA-Z0-9]+)*$/;
/** `metadata.namespace`: sequences of [a-zA-Z0-9] separated by -, at most 63 characters. */
const NAMESPACE = /^[a-zA-Z0-9]+(-[a-zA-Z0-9]+)*$/;
/** Label and annotation keys: optional lowercase-domain prefix (≤ 253) and a name part like NAME (≤ 63). */
const DOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** Tags: sequences of [a-z0-9:+#] separated by -, at most 63 characters. */
const TAG = /^[a-z0-9:+#]+(-[a-z0-9:+#]+)*$/;

export const validName = (v: unknown): boolean => typeof v === 'string' && v.length >= 1 && v.length <= 63 && NAME.test(v);
export const validNamespace = (v: unknown): boolean => typeof v === 'string' && v.length >= 1 && v.length <= 63 && NAMESPACE.test(v);

function validKey(key: string): boolean {
  const slash = key.lastIndexOf('/');
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  const name = slash < 0 ? key : key.slice(slash + 1);
  return (prefix === undefined || (prefix.length <= 253 && DOMAIN.test(prefix))) && validName(name);
}

/** `[<kind>:][<namespace>/]<name>` */
export function validEntityRef(ref: unknown): boolean {
  if (typeof ref !== 'string') return false;
  const match = /^(?:([^:/]+):)?(?:([^:/]+)\/)?([^:/]+)$/.exec(ref);
  return match !== null && (match[2] === undefined || validNamespace(match[2])) && validName(match[3]);
}

function validUrl(url: unknown): boolean {
  try {
    return typeof url === 'string' && new URL(url).protocol.length > 1;
  } catch {
    return false;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const nonEmpty = (v: unknown): boolean => typeof v === 'string' && v.length > 0;

/** Every rule an entity breaks, as `<field>: <why>`; empty when the catalog would accept it. */
export function entityErrors(entity: any): string[] {
  const errors: string[] = [];
  const fail = (field: string, why: string) => errors.push(`${field}: ${why}`);
  if (!nonEmpty(entity?.apiVersion)) fail('apiVersion', 'required');
  if (!nonEmpty(entity?.kind)) fail('kind', 'required');
  const m = entity?.metadata;
  if (!isObject(m)) return [...errors, 'metadata: required'];
  if (!validName(m.name)) fail('metadata.name', `${JSON.stringify(m.name)} breaks the name rules`);
  if (m.namespace !== undefined && !validNamespace(m.namespace)) fail('metadata.namespace', `${JSON.stringify(m.namespace)} breaks the namespace rules`);
  for (const field of ['title', 'description'] as const) if (m[field] !== undefined && typeof m[field] !== 'string') fail(`metadata.${field}`, 'not a string');
  if (m.labels !== undefined) {
    if (!isObject(m.labels)) fail('metadata.labels', 'not a map');
    else for (const [k, v] of Object.entries(m.labels)) if (!validKey(k) || !validName(v)) fail(`metadata.labels.${k}`, `key or value ${JSON.stringify(v)} breaks the rules`);
  }
  if (m.annotations !== undefined) {
    if (!isObject(m.annotations)) fail('metadata.annotations', 'not a map');
    else for (const [k, v] of Object.entries(m.annotations)) if (!validKey(k) || typeof v !== 'string') fail(`metadata.annotations.${k}`, 'bad key or a value that is not a string');
  }
  if (m.tags !== undefined) {
    if (!Array.isArray(m.tags)) fail('metadata.tags', 'not a list');
    else for (const t of m.tags) if (typeof t !== 'string' || t.length > 63 || !TAG.test(t)) fail('metadata.tags', `${JSON.stringify(t)} breaks the tag rules`);
  }
  if (m.links !== undefined) {
    if (!Array.isArray(m.links)) fail('metadata.links', 'not a list');
    else
      m.links.forEach((l: any, i: number) => {
        if (!validUrl(l?.url)) fail(`metadata.links[${i}].url`, 'not a URI');
        // Icon keys: sequences of [a-z0-9A-Z] separated by one of [-_.].
        if (l?.icon !== undefined && !NAME.test(String(l.icon))) fail(`metadata.links[${i}].icon`, 'breaks the icon key rules');
        for (const f of ['title', 'type']) if (l?.[f] !== undefined && typeof l[f] !== 'string') fail(`metadata.links[${i}].${f}`, 'not a string');
      });
  }
  const spec = entity.spec;
  if (entity.kind === 'Component') {
    if (entity.apiVersion !== 'backstage.io/v1alpha1') fail('apiVersion', 'a Component is backstage.io/v1alpha1');
    if (!isObject(spec)) return [...errors, 'spec: required'];
    for (const f of ['type', 'lifecycle']) if (!nonEmpty(spec[f])) fail(`spec.${f}`, 'required');
    if (!validEntityRef(spec.owner)) fail('spec.owner', `${JSON.stringify(spec.owner)} is not an entity reference`);
    for (const f of ['system', 'subcomponentOf']) if (spec[f] !== undefined && !validEntityRef(spec[f])) fail(`spec.${f}`, 'not an entity reference');
    for (const f of ['providesApis', 'consumesApis', 'dependsOn', 'dependencyOf']) {
      if (spec[f] !== undefined && (!Array.isArray(spec[f]) || !spec[f].every(validEntityRef))) fail(`spec.${f}`, 'not a list of entity references');
    }
  }
  if (entity.kind === 'Template') {
    if (entity.apiVersion !== 'scaffolder.backstage.io/v1beta3') fail('apiVersion', 'this check knows Template v1beta3 only');
    if (!isObject(spec)) return [...errors, 'spec: required'];
    if (!nonEmpty(spec.type)) fail('spec.type', 'required, at least one character');
    for (const f of ['owner', 'lifecycle']) if (spec[f] !== undefined && !nonEmpty(spec[f])) fail(`spec.${f}`, 'at least one character');
    const pages = spec.parameters;
    if (pages !== undefined && !isObject(pages) && !(Array.isArray(pages) && pages.every(isObject))) fail('spec.parameters', 'an object or a list of objects');
    if (!Array.isArray(spec.steps)) fail('spec.steps', 'required list');
    else spec.steps.forEach((s: any, i: number) => {
      if (!isObject(s) || typeof s.action !== 'string') fail(`spec.steps[${i}].action`, 'required');
      if (s?.input !== undefined && !isObject(s.input)) fail(`spec.steps[${i}].input`, 'an object');
    });
    if (spec.output !== undefined && !isObject(spec.output)) fail('spec.output', 'an object');
  }
  return errors;
}
