import { createHash } from 'node:crypto';

/**
 * Backstage's default naming rules for catalog entities, from its descriptor-format documentation
 * (docs/features/software-catalog/descriptor-format.md):
 * - `metadata.name`: 1-63 characters, sequences of `[a-zA-Z0-9]` separated by one of `[-_.]`;
 * - `metadata.namespace`: sequences of `[a-zA-Z0-9]` separated by `-`, at most 63 characters.
 * Kubernetes names may repeat a hyphen (`a--b`), Backstage names may not, so names taken from a
 * request go through `entityName` / `entityNamespace`.
 */
export const ENTITY_NAME = /^[a-zA-Z0-9]+([-_.][a-zA-Z0-9]+)*$/;
export const ENTITY_NAMESPACE = /^[a-zA-Z0-9]+(-[a-zA-Z0-9]+)*$/;
export const MAX_ENTITY_NAME = 63;

const HASH_LENGTH = 8;

function shorten(value: string, valid: (v: string) => boolean): string {
  if (value.length <= MAX_ENTITY_NAME && valid(value)) return value;
  // Collapse what Backstage refuses, and keep two different inputs apart with a hash of the original.
  const hash = createHash('sha256').update(value).digest('hex').slice(0, HASH_LENGTH);
  const cleaned = value.replace(/[^a-zA-Z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  const head = cleaned.slice(0, MAX_ENTITY_NAME - HASH_LENGTH - 1).replace(/-+$/, '');
  return head === '' ? hash : `${head}-${hash}`;
}

/** A valid entity name for any Kubernetes name: unchanged when already valid. */
export function entityName(value: string): string {
  return shorten(value, (v) => ENTITY_NAME.test(v));
}

/** A valid entity namespace for any Kubernetes namespace: unchanged when already valid. */
export function entityNamespace(value: string): string {
  return shorten(value, (v) => ENTITY_NAMESPACE.test(v));
}

/** `[<kind>:][<namespace>/]<name>`, the string form of an entity reference. */
export function isEntityRef(value: string): boolean {
  const match = /^(?:([a-zA-Z][a-zA-Z0-9]*):)?(?:([^/:]+)\/)?([^/:]+)$/.exec(value);
  if (!match) return false;
  const [, , namespace, name] = match;
  return (namespace === undefined || (namespace.length <= MAX_ENTITY_NAME && ENTITY_NAMESPACE.test(namespace))) && name!.length <= MAX_ENTITY_NAME && ENTITY_NAME.test(name!);
}
