import { Catalog, DNS_1035_LABEL, DNS_LABEL, FIXED_DURATION, MAX_ROTATION_TRIGGER, MAX_SELECTOR_LABELS, MAX_TEAM_LENGTH, REQUEST_API, notOneOf, quote, requireLabels } from '../constructs/index.js';
import { RequestError } from './errors.js';

/** A validated request, with the CRD's defaults applied. */
export interface AiRequest {
  readonly name: string;
  readonly namespace: string;
  readonly uid: string;
  readonly tier: string;
  readonly models: readonly string[];
  readonly team: string;
  readonly ui: boolean;
  /** Rotation settings of the request (validated against the tier later, with the catalog's policy). */
  readonly rotation: RequestRotation;
  /** Destination labels for the key Secret and UI; undefined means the platform's default. */
  readonly destinationSelector?: Readonly<Record<string, string>>;
}

/**
 * Longest request name: `<name>-openwebui` is a Service name, a DNS-1035 label of at most 63
 * characters. The CRD cannot check metadata.name, so the pipeline does, before any HTTP call.
 */
export const MAX_REQUEST_NAME = 63 - '-openwebui'.length;

export interface RequestRotation {
  readonly period?: string;
  readonly grace?: string;
  /** Bumped by the requester to rotate now. */
  readonly trigger: number;
}

type Mapping = Record<string, unknown>;

function isMapping(value: unknown): value is Mapping {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(message: string): never {
  throw new RequestError(message);
}

/**
 * Validates a resource request exactly as the CRD schema does (same enums, defaults and patterns,
 * generated from the same catalog) plus what a CRD cannot express: the name's length, the uid.
 * Throws a RequestError naming the field and the value.
 */
export function parseRequest(object: unknown, catalog: Catalog): AiRequest {
  if (!isMapping(object)) fail(`request ${quote(object)} is not a YAML mapping`);
  const apiVersion = `${REQUEST_API.group}/${REQUEST_API.version}`;
  if (object.apiVersion !== apiVersion) fail(`apiVersion ${quote(object.apiVersion)} is not ${apiVersion}`);
  if (object.kind !== REQUEST_API.kind) fail(`kind ${quote(object.kind)} is not ${REQUEST_API.kind}`);

  const metadata = object.metadata;
  if (!isMapping(metadata)) fail('metadata is missing');
  const name = metadata.name;
  if (typeof name !== 'string' || !DNS_1035_LABEL.test(name)) {
    fail(`metadata.name ${quote(name)} is not a DNS-1035 label (lowercase letters, digits and -, starting with a letter)`);
  }
  if (name.length > MAX_REQUEST_NAME) {
    fail(`metadata.name ${quote(name)} is ${name.length} characters; at most ${MAX_REQUEST_NAME} fit the names derived from it`);
  }
  const namespace = metadata.namespace;
  if (typeof namespace !== 'string' || !DNS_LABEL.test(namespace) || namespace.length > 63) {
    fail(`metadata.namespace ${quote(namespace)} is not a namespace name`);
  }
  const uid = metadata.uid;
  if (typeof uid !== 'string' || !/^[A-Za-z0-9-]{1,64}$/.test(uid)) {
    fail(`metadata.uid ${quote(uid)} is not a Kubernetes uid: the pipeline needs the object as Kratix passes it`);
  }

  const spec = object.spec;
  if (spec === undefined || spec === null) fail('spec is missing: a request needs at least spec.team and spec.models');
  if (!isMapping(spec)) fail(`spec ${quote(spec)} is not a mapping`);

  const tier = spec.tier ?? catalog.defaultTier;
  // Stryker disable next-line ConditionalExpression: equivalent, includes() never matches a non-string; the typeof narrows the type
  if (typeof tier !== 'string' || !catalog.tierNames.includes(tier)) fail(notOneOf('spec.tier', tier, catalog.tierNames));

  const team = spec.team;
  if (team === undefined || team === null) fail('spec.team is missing: name the owning team');
  if (typeof team !== 'string' || team.length > MAX_TEAM_LENGTH || !DNS_LABEL.test(team)) {
    fail(`spec.team ${quote(team)} is not a lowercase DNS label of at most ${MAX_TEAM_LENGTH} characters (a-z, 0-9, -)`);
  }

  const models = spec.models;
  if (models === undefined || models === null) fail('spec.models is missing: list at least one model');
  if (!Array.isArray(models)) fail(`spec.models ${quote(models)} is not a list`);
  if (models.length === 0) fail(`spec.models is empty: list at least one of ${catalog.modelNames.join(', ')}`);
  const seen = new Set<string>();
  models.forEach((model: unknown, i) => {
    // Stryker disable next-line ConditionalExpression: equivalent, includes() never matches a non-string; the typeof narrows the type
    if (typeof model !== 'string' || !catalog.modelNames.includes(model)) fail(notOneOf(`spec.models[${i}]`, model, catalog.modelNames));
    if (seen.has(model)) fail(`spec.models[${i}] ${quote(model)} is listed twice`);
    seen.add(model);
  });

  const ui = spec.ui ?? false;
  if (typeof ui !== 'boolean') fail(`spec.ui ${quote(ui)} is not true or false`);

  const rotationSpec = spec.rotation ?? {};
  if (!isMapping(rotationSpec)) fail(`spec.rotation ${quote(rotationSpec)} is not a mapping`);
  // Stryker disable next-line ObjectLiteral: equivalent, trigger is always set below; the literal satisfies the type
  const rotation: { period?: string; grace?: string; trigger: number } = { trigger: 0 };
  for (const field of ['period', 'grace'] as const) {
    const value = rotationSpec[field];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string' || !FIXED_DURATION.test(value)) fail(`spec.rotation.${field} ${quote(value)} is not a duration such as 90m, 12h or 30d`);
    rotation[field] = value;
  }
  const trigger = rotationSpec.trigger ?? 0;
  // Stryker disable next-line ConditionalExpression: equivalent for the typeof, Number.isInteger is false for every non-number
  if (typeof trigger !== 'number' || !Number.isInteger(trigger) || trigger < 0 || trigger > MAX_ROTATION_TRIGGER) {
    fail(`spec.rotation.trigger ${quote(trigger)} is not an integer from 0 to ${MAX_ROTATION_TRIGGER}`);
  }
  rotation.trigger = trigger;

  const selector = spec.destinationSelector;
  let destinationSelector: Record<string, string> | undefined;
  if (selector !== undefined && selector !== null) {
    if (!isMapping(selector)) fail(`spec.destinationSelector ${quote(selector)} is not a map of labels`);
    if (Object.keys(selector).length > MAX_SELECTOR_LABELS) fail(`spec.destinationSelector has ${Object.keys(selector).length} labels; at most ${MAX_SELECTOR_LABELS} are allowed`);
    // An empty selector means "no preference": the platform default applies.
    if (Object.keys(selector).length > 0) {
      try {
        requireLabels('spec.destinationSelector', selector);
      } catch (error) {
        fail((error as Error).message);
      }
      destinationSelector = selector as Record<string, string>;
    }
  }

  return { name, namespace, uid, tier, models: models as string[], team, ui, rotation, ...(destinationSelector ? { destinationSelector } : {}) };
}
