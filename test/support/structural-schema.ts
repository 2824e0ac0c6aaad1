import type { StructuralSchema } from '../../constructs/index.js';

/**
 * What the Kubernetes API server does with a custom resource and its structural schema, for the
 * keywords the request API uses: prune unknown fields, apply defaults, then validate (types, enum,
 * pattern, lengths, item counts, required, set-typed lists). A test double of the API server's
 * admission, written from the apiextensions documentation, so tests can prove the generated CRD
 * accepts and rejects what it should without a cluster.
 */
export interface AdmissionResult {
  readonly errors: string[];
  /** The object after pruning and defaulting (what would be stored). */
  readonly object: unknown;
}

export function admit(schema: StructuralSchema, input: unknown): AdmissionResult {
  const errors: string[] = [];
  const object = visit(schema, structuredClone(input), '', errors);
  return { errors, object };
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function matchesType(schema: StructuralSchema, value: unknown): boolean {
  const actual = typeOf(value);
  return actual === schema.type || (schema.type === 'number' && actual === 'integer');
}

function visit(schema: StructuralSchema, value: unknown, path: string, errors: string[]): unknown {
  const at = path === '' ? '<root>' : path;
  if (!matchesType(schema, value)) {
    errors.push(`${at}: Invalid value: "${typeOf(value)}": ${at} in body must be of type ${schema.type}`);
    return value;
  }
  if (schema.type === 'object') {
    const obj = value as Record<string, unknown>;
    const properties = schema.properties ?? {};
    // The root keeps apiVersion/kind/metadata, which the API server handles itself.
    const kept = path === '' ? new Set(['apiVersion', 'kind', 'metadata', 'status']) : new Set<string>();
    if (schema.additionalProperties) {
      if (schema.maxProperties !== undefined && Object.keys(obj).length > schema.maxProperties) {
        errors.push(`${at}: Too many: ${Object.keys(obj).length}: must have at most ${schema.maxProperties} items`);
      }
      for (const key of Object.keys(obj)) obj[key] = visit(schema.additionalProperties, obj[key], `${path}.${key}`, errors);
      return obj;
    }
    for (const key of Object.keys(obj)) {
      if (!(key in properties) && !kept.has(key)) delete obj[key];
    }
    for (const [key, child] of Object.entries(properties)) {
      if (obj[key] === undefined && child.default !== undefined) obj[key] = structuredClone(child.default);
    }
    for (const key of schema.required ?? []) {
      if (obj[key] === undefined) errors.push(`${path === '' ? '' : `${path}.`}${key}: Required value`);
    }
    for (const [key, child] of Object.entries(properties)) {
      if (obj[key] !== undefined) obj[key] = visit(child, obj[key], path === '' ? key : `${path}.${key}`, errors);
    }
    return obj;
  }
  if (schema.type === 'array') {
    const list = value as unknown[];
    if (schema.minItems !== undefined && list.length < schema.minItems) errors.push(`${at}: Invalid value: ${list.length}: ${at} in body should have at least ${schema.minItems} items`);
    if (schema.maxItems !== undefined && list.length > schema.maxItems) errors.push(`${at}: Too many: ${list.length}: must have at most ${schema.maxItems} items`);
    const items = list.map((item, i) => (schema.items ? visit(schema.items, item, `${path}[${i}]`, errors) : item));
    if (schema['x-kubernetes-list-type'] === 'set') {
      const seen = new Set<string>();
      items.forEach((item, i) => {
        const key = JSON.stringify(item);
        if (seen.has(key)) errors.push(`${path}[${i}]: Duplicate value: ${key}`);
        seen.add(key);
      });
    }
    return items;
  }
  if (schema.enum && !schema.enum.includes(value as string)) {
    errors.push(`${at}: Unsupported value: ${JSON.stringify(value)}: supported values: ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}`);
  }
  if (schema.type === 'integer' || schema.type === 'number') {
    const n = value as number;
    if (schema.minimum !== undefined && n < schema.minimum) errors.push(`${at}: Invalid value: ${n}: ${at} in body should be greater than or equal to ${schema.minimum}`);
    if (schema.maximum !== undefined && n > schema.maximum) errors.push(`${at}: Invalid value: ${n}: ${at} in body should be less than or equal to ${schema.maximum}`);
  }
  if (schema.type === 'string') {
    const text = value as string;
    // Kubernetes counts characters (runes), not UTF-16 units.
    const length = [...text].length;
    if (schema.minLength !== undefined && length < schema.minLength) errors.push(`${at}: Invalid value: ${JSON.stringify(text)}: should be at least ${schema.minLength} chars long`);
    if (schema.maxLength !== undefined && length > schema.maxLength) errors.push(`${at}: Too long: may not be more than ${schema.maxLength} bytes`);
    if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(text)) {
      errors.push(`${at}: Invalid value: ${JSON.stringify(text)}: should match '${schema.pattern}'`);
    }
  }
  return value;
}
