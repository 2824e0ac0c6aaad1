/**
 * LiteLLM proxy management-API emulator: an in-process HTTP test double of the endpoints the
 * pipeline uses (teams, virtual keys, model listing, health), with the proxy's real status codes,
 * error shapes and duplicate semantics, plus fault injection for resilience tests.
 *
 * Behaviour follows LiteLLM's FastAPI handlers (management_endpoints/{team,key_management}_endpoints.py,
 * auth/user_api_key_auth.py): error bodies are either ProxyException
 * (`{"error":{"message","type","param","code"}}`, messages often a Python dict repr), FastAPI's
 * `{"detail":...}` (/team/update, /team/delete, unknown routes) or pydantic's 422 list.
 *
 * Only node built-ins are used. Run it directly to get a standalone proxy:
 *   npx tsx test/support/litellm-emulator.ts [--port 4000]
 */
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

export interface FaultRule {
  /** HTTP method to match; @default any */
  readonly method?: string;
  /** Path to match without query, e.g. '/team/info'; '*' matches every path */
  readonly path: string;
  /** How many matching requests the fault applies to; @default 1; Infinity allowed */
  readonly times?: number;
  /** Respond with this status (and `body`, default a ProxyException-shaped error for that status) instead of handling */
  readonly status?: number;
  /** Body for `status`: a string is sent verbatim, anything else as JSON. */
  readonly body?: unknown;
  /** Extra response headers for `status` and `malformed`, e.g. { 'retry-after': '1' } */
  readonly headers?: Record<string, string>;
  /** Wait this long before responding (then handle normally unless status/drop/malformed also set) */
  readonly delayMs?: number;
  /** Destroy the socket without any response */
  readonly drop?: boolean;
  /** Respond 200 with a body that is not valid JSON */
  readonly malformed?: boolean;
  /**
   * `/team/info` only: the team lookup itself fails (database error, timeout). LiteLLM's handler
   * wraps the lookup in `except Exception` and answers the same 404 "Team not found" as for a
   * missing team, so a 404 alone does not prove the team is gone.
   */
  readonly teamLookupFails?: boolean;
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string>;
  /** Parsed JSON body; the raw text when it is not JSON; null when empty. */
  readonly body: unknown;
  /** Status actually sent (0 when dropped) */
  readonly status: number;
  /** True when a fault rule produced the response (status, drop or malformed) */
  readonly faulted: boolean;
}

export interface EmulatorOptions {
  /** @default 'sk-emulator-master-key-0123456789abcdef' */
  readonly masterKey?: string;
  /** Proxy model_list names; @default ['gpt-5','gemini-2.5-pro','claude-opus-4'] */
  readonly models?: readonly string[];
  /** @default 0 (ephemeral) */
  readonly port?: number;
  /** Clock for created_at/expires/budget_reset_at; @default () => new Date() */
  readonly now?: () => Date;
  /**
   * The LiteLLM release to behave as. Releases before 1.81.0 (e.g. '1.80.12', the gateway pinned
   * until then) have no /health/readiness/details (the public /health/readiness carries
   * `litellm_version`), ignore `/key/list?status=`, reject `duration: "-1"` on /key/update and
   * answer its unknown key with 404 instead of 401.
   * @default PINNED_LITELLM_RELEASE
   */
  readonly release?: string;
}

/** The release the promise pins (constructs/promise-config.ts LITELLM_IMAGE) and the emulator follows by default. */
export const PINNED_LITELLM_RELEASE = '1.81.0';
/** The first release with `/key/list?status=deleted` (BerriAI/litellm PR #19260, release notes v1.81.0). */
const DELETED_KEYS_RELEASE = [1, 81, 0] as const;
/** The first release where `duration: "-1"` on /key/update means "never expires" (PR #18278, release notes v1.80.15). */
const NEVER_EXPIRES_RELEASE = [1, 80, 15] as const;

/** One entry of a team's `members_with_roles`. */
export interface TeamMember {
  role: 'admin' | 'user';
  user_id: string | null;
  user_email: string | null;
}

/** A row of LiteLLM_TeamTable, as the management API returns it. Datetimes are Python isoformat strings. */
export interface TeamRow {
  team_id: string;
  team_alias: string | null;
  organization_id: string | null;
  admins: unknown[];
  members: unknown[];
  members_with_roles: TeamMember[];
  team_member_permissions: string[];
  metadata: Record<string, unknown> | null;
  tpm_limit: number | null;
  rpm_limit: number | null;
  max_budget: number | null;
  budget_duration: string | null;
  budget_reset_at: string | null;
  models: string[];
  blocked: boolean;
  spend: number;
  max_parallel_requests: number | null;
  model_spend: Record<string, unknown>;
  model_max_budget: Record<string, unknown>;
  model_id: number | null;
  litellm_model_table: Record<string, unknown> | null;
  object_permission_id: string | null;
  object_permission: Record<string, unknown> | null;
  created_at: string;
  updated_at: string;
}

/** A row of LiteLLM_VerificationToken. `token` is the sha256 hex of the plaintext, which is never stored. */
export interface KeyRow {
  token: string;
  key_name: string | null;
  key_alias: string | null;
  spend: number;
  max_budget: number | null;
  expires: string | null;
  models: string[];
  aliases: Record<string, unknown>;
  config: Record<string, unknown>;
  user_id: string | null;
  team_id: string | null;
  max_parallel_requests: number | null;
  metadata: Record<string, unknown>;
  tpm_limit: number | null;
  rpm_limit: number | null;
  budget_duration: string | null;
  budget_reset_at: string | null;
  allowed_cache_controls: unknown[];
  allowed_routes: unknown[];
  permissions: Record<string, unknown>;
  model_spend: Record<string, unknown>;
  model_max_budget: Record<string, unknown>;
  soft_budget_cooldown: boolean;
  blocked: boolean | null;
  organization_id: string | null;
  budget_id: string | null;
  created_by: string | null;
  updated_by: string | null;
  object_permission_id: string | null;
  created_at: string;
  updated_at: string;
}

// ---------------------------------------------------------------------------------------------
// Constants taken from LiteLLM
// ---------------------------------------------------------------------------------------------

const DEFAULT_MASTER_KEY = 'sk-emulator-master-key-0123456789abcdef';
const DEFAULT_MODELS = ['gpt-5', 'gemini-2.5-pro', 'claude-opus-4'] as const;
/** `litellm_proxy_admin_name`: the user_id of master-key callers. */
const PROXY_ADMIN_USER_ID = 'default_user_id';
/** Keys of UI sessions; /key/list hides them. */
const UI_SESSION_TOKEN_TEAM_ID = 'litellm-dashboard';
/** `created` of every /v1/models entry. */
const MODEL_CREATED = 1677610602;
const NOT_PREMIUM_USER =
  'You must be a LiteLLM Enterprise user to use this feature. If you have a license please set `LITELLM_LICENSE` in your env. ' +
  'Get a 7 day trial key here: https://www.litellm.ai/enterprise#trial. \nPricing: https://www.litellm.ai/#pricing';
const ALL_TEAM_MODELS = 'all-team-models';
const ALL_PROXY_MODELS = 'all-proxy-models';
const KEY_LIST_SORT_COLUMNS = ['spend', 'max_budget', 'created_at', 'updated_at', 'token', 'key_alias'];
const TEAM_LIST_SORT_COLUMNS = ['team_id', 'team_alias', 'created_at'];
/** `_normalize_duration` word aliases of newer builds. */
const DURATION_WORDS: Record<string, string> = { hourly: '1h', daily: '24h', weekly: '7d', monthly: '30d' };

// ---------------------------------------------------------------------------------------------
// Replies and error shapes
// ---------------------------------------------------------------------------------------------

interface Reply {
  readonly status: number;
  /** JSON body; ignored when `text` is set. */
  readonly body?: unknown;
  /** Raw body (sent as text/plain unless headers say otherwise). */
  readonly text?: string;
  readonly headers?: Record<string, string>;
}

/** Thrown by handlers to answer early. */
class ReplyError extends Error {
  constructor(readonly reply: Reply) {
    super(`HTTP ${reply.status}`);
  }
}

/** A Python ValueError raised inside LiteLLM (duration parsing); callers map it like the real handler. */
class PyValueError extends Error {}

/** `ProxyException` as serialised by LiteLLM's exception handler. */
function proxyError(status: number, message: string, type: string, param: string | null = 'None'): ReplyError {
  return new ReplyError({ status, body: { error: { message, type, param, code: String(status) } } });
}

/** FastAPI's default HTTPException body. */
function detailError(status: number, detail: unknown): ReplyError {
  return new ReplyError({ status, body: { detail } });
}

interface PydanticError {
  type: string;
  loc: (string | number)[];
  msg: string;
  input: unknown;
  ctx?: Record<string, unknown>;
}

function validationError(errors: PydanticError[]): ReplyError {
  return new ReplyError({ status: 422, body: { detail: errors } });
}

/** Python `repr()` of a JSON-like value, used for the dict-repr messages (`"{'error': 'X'}"`). */
export function pyRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return pyStrRepr(value);
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).map(([k, v]) => `${pyStrRepr(k)}: ${pyRepr(v)}`);
    return `{${entries.join(', ')}}`;
  }
  return pyStrRepr(String(value));
}

function pyStrRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = '';
  for (const ch of s) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return quote + out + quote;
}

/** Python `repr(float)` for values pydantic coerced to float (`-1` → `-1.0`). */
function pyFloat(n: number): string {
  return Number.isInteger(n) && Math.abs(n) < 1e16 ? `${n}.0` : String(n);
}

/** `HTTPException(detail={"error": msg})` converted by handle_exception_on_proxy. */
function dictReprError(status: number, message: string, type = 'internal_server_error'): ReplyError {
  return proxyError(status, pyRepr({ error: message }), type);
}

// ---------------------------------------------------------------------------------------------
// Small utilities
// ---------------------------------------------------------------------------------------------

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** `_hash_token_if_needed`: plaintext keys start with `sk-`; anything else is taken as a hash. */
function hashIfNeeded(token: string): string {
  return token.startsWith('sk-') ? sha256(token) : token;
}

/** `abbreviate_api_key` */
function abbreviate(key: string): string {
  return `sk-...${key.slice(-4)}`;
}

/** Masking used in the "Virtual Key expected" and "Invalid key format" messages. */
function maskKey(key: string): string {
  return key.length > 8 ? `${key.slice(0, 4)}****${key.slice(-4)}` : '****';
}

/** Python `datetime.isoformat()` of an aware UTC datetime (microseconds omitted when zero). */
function pyIso(date: Date, sep = 'T'): string {
  const iso = date.toISOString();
  const ms = date.getUTCMilliseconds();
  return `${iso.slice(0, 10)}${sep}${iso.slice(11, 19)}${ms ? `.${String(ms * 1000).padStart(6, '0')}` : ''}+00:00`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

function ceilDiv(a: number, b: number): number {
  return Math.ceil(a / b);
}

/** `duration_in_seconds` of litellm_core_utils/duration_parser.py (months are calendar months). */
function durationSeconds(duration: string, now: Date): number {
  const normalized = DURATION_WORDS[duration.trim().toLowerCase()] ?? duration;
  const match = /^(\d+)(mo|[smhdw]?)/.exec(normalized);
  if (!match) throw new PyValueError('Invalid duration format');
  const value = Number(match[1]);
  switch (match[2]) {
    case 's':
      return value;
    case 'm':
      return value * 60;
    case 'h':
      return value * 3600;
    case 'd':
      return value * 86_400;
    case 'w':
      return value * 604_800;
    case 'mo': {
      const totalMonths = now.getUTCMonth() + value;
      const year = now.getUTCFullYear() + Math.floor(totalMonths / 12);
      const month = totalMonths % 12;
      const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
      const target = new Date(now.getTime());
      target.setUTCFullYear(year, month, Math.min(now.getUTCDate(), lastDay));
      return Math.trunc((target.getTime() - now.getTime()) / 1000);
    }
    default:
      throw new PyValueError(`Unsupported duration unit, passed duration: ${duration}`);
  }
}

function addDuration(now: Date, duration: string): Date {
  return new Date(now.getTime() + durationSeconds(duration, now) * 1000);
}

// ---------------------------------------------------------------------------------------------
// Request body validation (the subset of pydantic v2 lax-mode behaviour the models need)
// ---------------------------------------------------------------------------------------------

type FieldType = 'str' | 'int' | 'float' | 'bool' | 'list' | 'list[str]' | 'dict' | 'members';

interface FieldSpec {
  readonly type: FieldType;
  /** `None` accepted */
  readonly nullable: boolean;
  readonly required: boolean;
}

type ModelSpec = Record<string, FieldSpec>;

/** Optional[T] = None */
const opt = (type: FieldType): FieldSpec => ({ type, nullable: true, required: false });
/** T = default (null rejected) */
const dflt = (type: FieldType): FieldSpec => ({ type, nullable: false, required: false });
/** required T */
const req = (type: FieldType): FieldSpec => ({ type, nullable: false, required: true });

const TEAM_BASE_FIELDS: ModelSpec = {
  team_alias: opt('str'),
  organization_id: opt('str'),
  metadata: opt('dict'),
  tpm_limit: opt('int'),
  rpm_limit: opt('int'),
  max_budget: opt('float'),
  budget_duration: opt('str'),
  model_aliases: opt('dict'),
  tags: opt('list'),
  guardrails: opt('list[str]'),
  prompts: opt('list[str]'),
  object_permission: opt('dict'),
  team_member_permissions: opt('list[str]'),
  team_member_budget: opt('float'),
  team_member_rpm_limit: opt('int'),
  team_member_tpm_limit: opt('int'),
  team_member_key_duration: opt('str'),
  model_rpm_limit: opt('dict'),
  model_tpm_limit: opt('dict'),
  rpm_limit_type: opt('str'),
  tpm_limit_type: opt('str'),
  max_parallel_requests: opt('int'),
};

const NEW_TEAM_SPEC: ModelSpec = {
  ...TEAM_BASE_FIELDS,
  team_id: opt('str'),
  members_with_roles: dflt('members'),
  admins: dflt('list'),
  members: dflt('list'),
  models: dflt('list'),
  blocked: dflt('bool'),
};

const UPDATE_TEAM_SPEC: ModelSpec = {
  ...TEAM_BASE_FIELDS,
  team_id: req('str'),
  models: opt('list'),
  blocked: opt('bool'),
};

const DELETE_TEAM_SPEC: ModelSpec = { team_ids: req('list[str]') };

const KEY_FIELDS: ModelSpec = {
  key_alias: opt('str'),
  duration: opt('str'),
  models: opt('list'),
  spend: opt('float'),
  max_budget: opt('float'),
  user_id: opt('str'),
  team_id: opt('str'),
  organization_id: opt('str'),
  budget_id: opt('str'),
  max_parallel_requests: opt('int'),
  metadata: opt('dict'),
  tpm_limit: opt('int'),
  rpm_limit: opt('int'),
  budget_duration: opt('str'),
  allowed_cache_controls: opt('list'),
  allowed_routes: opt('list'),
  config: opt('dict'),
  permissions: opt('dict'),
  model_max_budget: opt('dict'),
  model_rpm_limit: opt('dict'),
  model_tpm_limit: opt('dict'),
  guardrails: opt('list[str]'),
  prompts: opt('list[str]'),
  enforced_params: opt('list[str]'),
  tags: opt('list'),
  blocked: opt('bool'),
  aliases: opt('dict'),
  object_permission: opt('dict'),
  soft_budget: opt('float'),
  send_invite_email: opt('bool'),
  rpm_limit_type: opt('str'),
  tpm_limit_type: opt('str'),
  key_type: opt('str'),
  auto_rotate: opt('bool'),
  rotation_interval: opt('str'),
};

const GENERATE_KEY_SPEC: ModelSpec = { ...KEY_FIELDS, key: opt('str') };

/** `key` is required by pydantic; handled by hand because newer builds also accept `key_alias` alone. */
const UPDATE_KEY_SPEC: ModelSpec = {
  ...KEY_FIELDS,
  key: opt('str'),
  temp_budget_increase: opt('float'),
  temp_budget_expiry: opt('str'),
};

const DELETE_KEY_SPEC: ModelSpec = { keys: opt('list[str]'), key_aliases: opt('list[str]') };

const TRUE_WORDS = new Set(['1', 'on', 't', 'true', 'y', 'yes']);
const FALSE_WORDS = new Set(['0', 'off', 'f', 'false', 'n', 'no']);

/** Validates and coerces one value; returns the errors it found. */
function checkValue(type: FieldType, value: unknown, loc: (string | number)[]): { value: unknown; errors: PydanticError[] } {
  const fail = (errType: string, msg: string, ctx?: Record<string, unknown>): { value: unknown; errors: PydanticError[] } => ({
    value,
    errors: [{ type: errType, loc, msg, input: value, ...(ctx ? { ctx } : {}) }],
  });
  switch (type) {
    case 'str':
      return typeof value === 'string' ? { value, errors: [] } : fail('string_type', 'Input should be a valid string');
    case 'int':
      if (typeof value === 'boolean') return { value: value ? 1 : 0, errors: [] };
      if (typeof value === 'number') {
        return Number.isInteger(value)
          ? { value, errors: [] }
          : fail('int_from_float', 'Input should be a valid integer, got a number with a fractional part');
      }
      if (typeof value === 'string') {
        return /^\s*[+-]?\d+\s*$/.test(value)
          ? { value: Number(value.trim()), errors: [] }
          : fail('int_parsing', 'Input should be a valid integer, unable to parse string as an integer');
      }
      return fail('int_type', 'Input should be a valid integer');
    case 'float':
      if (typeof value === 'boolean') return { value: value ? 1 : 0, errors: [] };
      if (typeof value === 'number') return { value, errors: [] };
      if (typeof value === 'string') {
        const n = Number(value.trim());
        return value.trim() !== '' && Number.isFinite(n)
          ? { value: n, errors: [] }
          : fail('float_parsing', 'Input should be a valid number, unable to parse string as a number');
      }
      return fail('float_type', 'Input should be a valid number');
    case 'bool':
      if (typeof value === 'boolean') return { value, errors: [] };
      if (value === 0 || value === 1) return { value: value === 1, errors: [] };
      if (typeof value === 'string') {
        const word = value.trim().toLowerCase();
        if (TRUE_WORDS.has(word)) return { value: true, errors: [] };
        if (FALSE_WORDS.has(word)) return { value: false, errors: [] };
      }
      return typeof value === 'string' || typeof value === 'number'
        ? fail('bool_parsing', 'Input should be a valid boolean, unable to interpret input')
        : fail('bool_type', 'Input should be a valid boolean');
    case 'list':
      return Array.isArray(value) ? { value, errors: [] } : fail('list_type', 'Input should be a valid list');
    case 'list[str]': {
      if (!Array.isArray(value)) return fail('list_type', 'Input should be a valid list');
      const errors = value.flatMap((item, i) => checkValue('str', item, [...loc, i]).errors);
      return { value, errors };
    }
    case 'dict':
      return isRecord(value) ? { value, errors: [] } : fail('dict_type', 'Input should be a valid dictionary');
    case 'members': {
      if (!Array.isArray(value)) return fail('list_type', 'Input should be a valid list');
      const errors: PydanticError[] = [];
      const members: TeamMember[] = [];
      value.forEach((item, i) => {
        const itemLoc = [...loc, i];
        if (!isRecord(item)) {
          errors.push({
            type: 'model_type',
            loc: itemLoc,
            msg: 'Input should be a valid dictionary or instance of Member',
            input: item,
            ctx: { class_name: 'Member' },
          });
          return;
        }
        if ((item.user_id === undefined || item.user_id === null) && (item.user_email === undefined || item.user_email === null)) {
          errors.push({
            type: 'value_error',
            loc: itemLoc,
            msg: 'Value error, Either user_id or user_email must be provided',
            input: item,
            ctx: { error: {} },
          });
          return;
        }
        if (!('role' in item)) {
          errors.push({ type: 'missing', loc: [...itemLoc, 'role'], msg: 'Field required', input: item });
        } else if (item.role !== 'admin' && item.role !== 'user') {
          errors.push({
            type: 'literal_error',
            loc: [...itemLoc, 'role'],
            msg: "Input should be 'admin' or 'user'",
            input: item.role,
            ctx: { expected: "'admin' or 'user'" },
          });
        }
        for (const field of ['user_id', 'user_email'] as const) {
          const v = item[field];
          if (v !== undefined && v !== null) errors.push(...checkValue('str', v, [...itemLoc, field]).errors);
        }
        members.push({
          role: item.role as 'admin' | 'user',
          user_id: typeof item.user_id === 'string' ? item.user_id : null,
          user_email: typeof item.user_email === 'string' ? item.user_email : null,
        });
      });
      return { value: members, errors };
    }
  }
}

/**
 * Validates a request body against a model: returns only the fields present in the body
 * (pydantic's `exclude_unset`), coerced; unknown fields are ignored like pydantic does.
 */
function validateModel(body: unknown, spec: ModelSpec): Record<string, unknown> {
  if (body === undefined || body === null) {
    throw validationError([{ type: 'missing', loc: ['body'], msg: 'Field required', input: null }]);
  }
  if (!isRecord(body)) {
    throw validationError([
      {
        type: 'model_attributes_type',
        loc: ['body'],
        msg: 'Input should be a valid dictionary or object to extract fields from',
        input: body,
      },
    ]);
  }
  const errors: PydanticError[] = [];
  const data: Record<string, unknown> = {};
  for (const [field, fieldSpec] of Object.entries(spec)) {
    if (!(field in body)) {
      if (fieldSpec.required) errors.push({ type: 'missing', loc: ['body', field], msg: 'Field required', input: body });
      continue;
    }
    const value = body[field];
    if (value === null && fieldSpec.nullable) {
      data[field] = null;
      continue;
    }
    const checked = checkValue(fieldSpec.type, value, ['body', field]);
    errors.push(...checked.errors);
    data[field] = checked.value;
  }
  if (errors.length > 0) throw validationError(errors);
  return data;
}

// ---------------------------------------------------------------------------------------------
// The emulator
// ---------------------------------------------------------------------------------------------

type Access = 'public' | 'admin' | 'models' | 'key-info' | 'team-info';

interface Caller {
  readonly kind: 'master' | 'virtual';
  /** Virtual callers only */
  readonly row?: KeyRow;
}

interface RequestContext {
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string>;
  /** Parsed JSON body (undefined when empty) */
  readonly body: unknown;
  readonly caller: Caller;
  /** `{key}` of /key/{key}/regenerate */
  readonly pathParam?: string;
}

interface Route {
  readonly method: 'GET' | 'POST';
  readonly path: string | RegExp;
  readonly access: Access;
  /** Route declares a pydantic body model (JSON decode errors answer 422 before auth) */
  readonly hasBody: boolean;
  readonly handler: (ctx: RequestContext) => Reply;
}

interface MutableRecord {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  status: number;
  faulted: boolean;
}

interface ActiveFault {
  readonly rule: FaultRule;
  remaining: number;
}

const WRITE_PATHS = new Set(['/team/new', '/team/update', '/team/delete', '/key/generate', '/key/update', '/key/delete', '/key/regenerate']);
const KEY_REGENERATE_PATH = /^\/key\/(.+)\/regenerate$/;

export class LiteLLMEmulator {
  /** 'http://127.0.0.1:<port>' */
  readonly url: string;
  readonly masterKey: string;
  /** Every request, in arrival order. */
  readonly requests: RecordedRequest[] = [];

  private readonly server: Server;
  private readonly proxyModels: readonly string[];
  private now: () => Date;
  private release: string;
  private readonly teamTable = new Map<string, TeamRow>();
  private readonly keyTable = new Map<string, KeyRow>();
  /** LiteLLM_DeletedVerificationToken: rows removed by /key/delete, shown by /key/list?status=deleted. */
  private readonly deletedKeys: (KeyRow & { deleted_at: string; deleted_by: string | null })[] = [];
  private faults: ActiveFault[] = [];
  private readonly sleepers = new Set<{ timer: NodeJS.Timeout; wake: () => void }>();
  private nextModelId = 1;
  private stopped = false;
  private readonly routes: readonly Route[];

  private constructor(server: Server, url: string, options: EmulatorOptions) {
    this.server = server;
    this.url = url;
    this.masterKey = options.masterKey ?? DEFAULT_MASTER_KEY;
    this.proxyModels = [...(options.models ?? DEFAULT_MODELS)];
    this.now = options.now ?? (() => new Date());
    this.release = options.release ?? PINNED_LITELLM_RELEASE;
    this.routes = [
      { method: 'GET', path: '/health/liveliness', access: 'public', hasBody: false, handler: () => ({ status: 200, body: "I'm alive!" }) },
      { method: 'GET', path: '/health/liveness', access: 'public', hasBody: false, handler: () => ({ status: 200, body: "I'm alive!" }) },
      { method: 'GET', path: '/health/readiness', access: 'public', hasBody: false, handler: () => this.readiness() },
      { method: 'GET', path: '/health/readiness/details', access: 'models', hasBody: false, handler: () => ({ status: 200, body: this.readinessDetails() }) },
      { method: 'GET', path: '/v1/models', access: 'models', hasBody: false, handler: (ctx) => this.listModels(ctx) },
      { method: 'GET', path: '/models', access: 'models', hasBody: false, handler: (ctx) => this.listModels(ctx) },
      { method: 'POST', path: '/team/new', access: 'admin', hasBody: true, handler: (ctx) => this.teamNew(ctx) },
      { method: 'GET', path: '/team/info', access: 'team-info', hasBody: false, handler: (ctx) => this.teamInfo(ctx) },
      { method: 'POST', path: '/team/update', access: 'admin', hasBody: true, handler: (ctx) => this.teamUpdate(ctx) },
      { method: 'POST', path: '/team/delete', access: 'admin', hasBody: true, handler: (ctx) => this.teamDelete(ctx) },
      { method: 'GET', path: '/team/list', access: 'admin', hasBody: false, handler: (ctx) => this.teamList(ctx) },
      { method: 'GET', path: '/v2/team/list', access: 'admin', hasBody: false, handler: (ctx) => this.teamListV2(ctx) },
      { method: 'POST', path: '/key/generate', access: 'admin', hasBody: true, handler: (ctx) => this.keyGenerate(ctx) },
      { method: 'GET', path: '/key/info', access: 'key-info', hasBody: false, handler: (ctx) => this.keyInfo(ctx) },
      { method: 'POST', path: '/key/update', access: 'admin', hasBody: true, handler: (ctx) => this.keyUpdate(ctx) },
      { method: 'POST', path: '/key/delete', access: 'admin', hasBody: true, handler: (ctx) => this.keyDelete(ctx) },
      { method: 'POST', path: '/key/regenerate', access: 'admin', hasBody: true, handler: () => this.keyRegenerate() },
      { method: 'POST', path: KEY_REGENERATE_PATH, access: 'admin', hasBody: true, handler: () => this.keyRegenerate() },
      { method: 'GET', path: '/key/list', access: 'admin', hasBody: false, handler: (ctx) => this.keyList(ctx) },
    ];
  }

  /** Starts an emulator listening on 127.0.0.1. */
  static async start(options: EmulatorOptions = {}): Promise<LiteLLMEmulator> {
    releaseParts(options.release ?? PINNED_LITELLM_RELEASE);
    const server = createServer();
    await new Promise<void>((resolveListen, rejectListen) => {
      server.once('error', rejectListen);
      server.listen(options.port ?? 0, '127.0.0.1', () => {
        server.off('error', rejectListen);
        resolveListen();
      });
    });
    const { port } = server.address() as AddressInfo;
    const emulator = new LiteLLMEmulator(server, `http://127.0.0.1:${port}`, options);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      emulator.onRequest(req, res).catch(() => {
        if (!res.headersSent && !res.destroyed) {
          res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
          res.end('Internal Server Error');
        }
      });
    });
    return emulator;
  }

  /** Management writes: POST to /team/new|update|delete, /key/generate|update|delete|regenerate (faulted ones included). */
  writes(): RecordedRequest[] {
    return this.requests.filter((r) => r.method === 'POST' && (WRITE_PATHS.has(r.path) || KEY_REGENERATE_PATH.test(r.path)));
  }

  /** Management reads: GET /team/*, /v2/team/*, /key/* */
  reads(): RecordedRequest[] {
    return this.requests.filter(
      (r) => r.method === 'GET' && (r.path.startsWith('/team/') || r.path.startsWith('/v2/team/') || r.path.startsWith('/key/')),
    );
  }

  resetRequests(): void {
    this.requests.length = 0;
  }

  /** Adds a fault rule; rules are matched in insertion order, one rule per request. */
  inject(rule: FaultRule): void {
    const times = rule.times ?? 1;
    if (times > 0) this.faults.push({ rule, remaining: times });
  }

  clearFaults(): void {
    this.faults = [];
  }

  /** Behave as another LiteLLM release from the next request on (see EmulatorOptions.release). */
  setRelease(release: string): void {
    releaseParts(release);
    this.release = release;
  }

  setNow(now: () => Date): void {
    this.now = now;
  }

  /** Deep copies of the team rows, in creation order. */
  teams(): TeamRow[] {
    return [...this.teamTable.values()].map(clone);
  }

  /** Deep copies of the key rows, in creation order (with `token`, never the plaintext). */
  keys(): KeyRow[] {
    return [...this.keyTable.values()].map(clone);
  }

  /** Inserts or replaces a team without HTTP, e.g. a team some other tool created. */
  seedTeam(row: Partial<TeamRow> & { team_id: string }): void {
    const base = this.newTeamRow(row.team_id);
    this.teamTable.set(row.team_id, { ...base, ...clone(row) });
  }

  /** Inserts or replaces a key without HTTP; `token` and `key_name` derive from `plaintext`. */
  seedKey(plaintext: string, row: Partial<KeyRow>): void {
    const token = sha256(plaintext);
    const base = this.newKeyRow(token, abbreviate(plaintext));
    this.keyTable.set(token, { ...base, ...clone(row), token, key_name: row.key_name ?? base.key_name });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const sleeper of this.sleepers) {
      clearTimeout(sleeper.timer);
      sleeper.wake();
    }
    this.sleepers.clear();
    const closed = new Promise<void>((resolveClose) => this.server.close(() => resolveClose()));
    this.server.closeAllConnections();
    await closed;
  }

  // -------------------------------------------------------------------------------------------
  // HTTP plumbing
  // -------------------------------------------------------------------------------------------

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = (req.method ?? 'GET').toUpperCase();
    const record: MutableRecord = {
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      body: null,
      status: 0,
      faulted: false,
    };
    this.requests.push(record);

    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    record.body = raw === '' ? null : parseJsonOr(raw, raw);

    const fault = this.takeFault(method, url.pathname);
    if (fault?.delayMs !== undefined && fault.delayMs > 0) await this.sleep(fault.delayMs);
    if (this.stopped || res.destroyed) return;

    if (fault?.drop) {
      record.faulted = true;
      record.status = 0;
      req.socket.destroy();
      return;
    }
    if (fault?.malformed) {
      record.faulted = true;
      this.send(res, record, { status: 200, text: '{"broken', headers: { 'content-type': 'application/json', ...fault.headers } });
      return;
    }
    if (fault?.status !== undefined) {
      record.faulted = true;
      this.send(res, record, faultReply(fault));
      return;
    }
    if (fault?.teamLookupFails && url.pathname === '/team/info') {
      record.faulted = true;
      const teamId = url.searchParams.get('team_id') ?? 'None';
      this.send(res, record, proxyError(404, pyRepr({ message: `Team not found, passed team id: ${teamId}.` }), 'auth_error').reply);
      return;
    }

    let reply: Reply;
    try {
      reply = this.dispatch(method, url, req, raw);
    } catch (error) {
      if (error instanceof ReplyError) reply = error.reply;
      else reply = { status: 500, text: 'Internal Server Error' };
    }
    this.send(res, record, reply);
  }

  private send(res: ServerResponse, record: MutableRecord, reply: Reply): void {
    record.status = reply.status;
    if (res.destroyed) return;
    const text = reply.text ?? JSON.stringify(reply.body ?? null);
    const headers: Record<string, string> = {
      'content-type': reply.text !== undefined ? 'text/plain; charset=utf-8' : 'application/json',
      ...reply.headers,
    };
    res.writeHead(reply.status, headers);
    res.end(text);
  }

  private takeFault(method: string, path: string): FaultRule | undefined {
    const index = this.faults.findIndex(
      ({ rule }) => (rule.method === undefined || rule.method.toUpperCase() === method) && (rule.path === '*' || rule.path === path),
    );
    if (index < 0) return undefined;
    const active = this.faults[index]!;
    active.remaining -= 1;
    if (active.remaining <= 0) this.faults.splice(index, 1);
    return active.rule;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((wake) => {
      const sleeper = {
        timer: setTimeout(() => {
          this.sleepers.delete(sleeper);
          wake();
        }, ms),
        wake,
      };
      this.sleepers.add(sleeper);
    });
  }

  private dispatch(method: string, url: URL, req: IncomingMessage, raw: string): Reply {
    const path = url.pathname;
    let route = this.findRoute(method, path);
    if (!route) {
      // Starlette's redirect_slashes
      if (path.length > 1 && path.endsWith('/') && this.findRoute(method, path.replace(/\/+$/, ''))) {
        const target = new URL(url.href);
        target.pathname = path.replace(/\/+$/, '');
        return { status: 307, text: '', headers: { location: `${this.url}${target.pathname}${target.search}` } };
      }
      const allowed = this.routes.filter((r) => matches(r.path, path) && this.serves(r)).map((r) => r.method);
      if (allowed.length > 0) {
        return { status: 405, body: { detail: 'Method Not Allowed' }, headers: { allow: [...new Set(allowed)].join(', ') } };
      }
      return { status: 404, body: { detail: 'Not Found' } };
    }

    // FastAPI reads the JSON body before resolving dependencies: a syntax error answers 422 before auth.
    let body: unknown;
    if (route.hasBody && raw !== '') body = parseRequestJson(raw, req.headers['content-type']);

    const caller = route.access === 'public' ? { kind: 'master' as const } : this.authenticate(req, route, path);
    const regen = KEY_REGENERATE_PATH.exec(path);
    const ctx: RequestContext = {
      method,
      path,
      query: Object.fromEntries(url.searchParams),
      body,
      caller,
      ...(regen && route.path === KEY_REGENERATE_PATH ? { pathParam: decodeURIComponent(regen[1]!) } : {}),
    };
    return route.handler(ctx);
  }

  private findRoute(method: string, path: string): Route | undefined {
    return this.routes.find((r) => r.method === method && matches(r.path, path) && this.serves(r));
  }

  private olderThan(version: readonly [number, number, number]): boolean {
    const [major, minor, patch] = releaseParts(this.release);
    return (major - version[0] || minor - version[1] || patch - version[2]) < 0;
  }

  /**
   * Releases before 1.81.0: the 1.80.x behaviour the pipeline must detect and refuse. The release
   * that split /health/readiness/details off the public probe, and the one whose /key/update answers
   * an unknown key with 401, are not pinned down: both are modelled as changing with 1.81.0.
   */
  private get legacy(): boolean {
    return this.olderThan(DELETED_KEYS_RELEASE);
  }

  /** Older releases have no /health/readiness/details route: FastAPI answers it 404 Not Found. */
  private serves(route: Route): boolean {
    return !(this.legacy && route.path === '/health/readiness/details');
  }

  // -------------------------------------------------------------------------------------------
  // Health (health_endpoints/_health_endpoints.py)
  // -------------------------------------------------------------------------------------------

  /** `_get_health_readiness_details`, with a connected database and no cache or callbacks. */
  private readinessDetails(): Record<string, unknown> {
    return {
      status: 'healthy',
      db: 'connected',
      cache: null,
      litellm_version: this.release,
      success_callbacks: [],
      use_aiohttp_transport: true,
      log_level: 'WARNING',
      is_detailed_debug: false,
    };
  }

  /** Public readiness: low-detail on newer releases, the whole details dict (version included) on older ones. */
  private readiness(): Reply {
    return { status: 200, body: this.legacy ? this.readinessDetails() : { status: 'healthy' } };
  }

  // -------------------------------------------------------------------------------------------
  // Authentication (user_api_key_auth)
  // -------------------------------------------------------------------------------------------

  private authenticate(req: IncomingMessage, route: Route, path: string): Caller {
    const apiKey = extractApiKey(req);
    if (apiKey === null) throw proxyError(401, 'Authentication Error, No api key passed in.', 'auth_error');
    if (apiKey === '') {
      throw proxyError(401, 'Authentication Error, Malformed API Key passed in. Ensure Key has `Bearer ` prefix.', 'auth_error');
    }
    if (safeEqual(apiKey, this.masterKey)) return { kind: 'master' };

    if (!apiKey.startsWith('sk-')) {
      throw proxyError(401, `LiteLLM Virtual Key expected. Received=${maskKey(apiKey)}, expected to start with 'sk-'.`, 'auth_error');
    }
    const token = sha256(apiKey);
    const row = this.keyTable.get(token);
    if (!row) {
      throw proxyError(
        401,
        `Authentication Error, Invalid proxy server token passed. Received API Key = ${abbreviate(apiKey)}, Key Hash (Token) =${token}. ` +
          'Unable to find token in cache or `LiteLLM_VerificationTokenTable`',
        'token_not_found_in_db',
        'key',
      );
    }
    if (row.blocked === true) {
      throw proxyError(401, "Authentication Error, Key is blocked. Update via `/key/unblock` if you're an admin.", 'auth_error');
    }
    const now = this.now();
    if (row.expires !== null && Date.parse(row.expires) < now.getTime()) {
      throw proxyError(
        401,
        `Authentication Error - Expired Key. Key Expiry time ${pyIso(new Date(Date.parse(row.expires)), ' ')} and current time ${pyIso(now, ' ')}`,
        'expired_key',
        abbreviate(token),
      );
    }
    if (row.team_id !== null) {
      const team = this.teamTable.get(row.team_id);
      if (!team) {
        throw proxyError(404, `Team doesn't exist in db. Team=${row.team_id}. Create team via \`/team/new\` call.`, 'auth_error');
      }
      if (team.blocked) {
        throw proxyError(401, `Authentication Error, Team=${team.team_id} is blocked. Update via \`/team/unblock\` if your admin.`, 'auth_error');
      }
    }
    if (route.access === 'admin') {
      throw proxyError(
        401,
        'Authentication Error, Only proxy admin can be used to generate, delete, update info for new keys/users/teams. ' +
          `Route=${path}. Your role=unknown. Your user_id=unknown`,
        'auth_error',
      );
    }
    return { kind: 'virtual', row };
  }

  // -------------------------------------------------------------------------------------------
  // /v1/models
  // -------------------------------------------------------------------------------------------

  private listModels(ctx: RequestContext): Reply {
    let names: readonly string[];
    if (ctx.caller.kind === 'master' || !ctx.caller.row) {
      names = this.proxyModels;
    } else {
      const key = ctx.caller.row;
      const team = key.team_id !== null ? this.teamTable.get(key.team_id) : undefined;
      let teamModels = team?.models ?? [];
      if (teamModels.includes(ALL_PROXY_MODELS)) teamModels = [...this.proxyModels];
      let keyModels = key.models;
      if (keyModels.includes(ALL_TEAM_MODELS)) keyModels = teamModels;
      if (keyModels.includes(ALL_PROXY_MODELS)) keyModels = [...this.proxyModels];
      names = keyModels.length > 0 ? keyModels : teamModels.length > 0 ? teamModels : this.proxyModels;
    }
    const unique = [...new Set(names)];
    return {
      status: 200,
      body: { data: unique.map((id) => ({ id, object: 'model', created: MODEL_CREATED, owned_by: 'openai' })), object: 'list' },
    };
  }

  // -------------------------------------------------------------------------------------------
  // Teams
  // -------------------------------------------------------------------------------------------

  private newTeamRow(teamId: string): TeamRow {
    const now = pyIso(this.now());
    return {
      team_id: teamId,
      team_alias: null,
      organization_id: null,
      admins: [],
      members: [],
      members_with_roles: [],
      team_member_permissions: [],
      metadata: {},
      tpm_limit: null,
      rpm_limit: null,
      max_budget: null,
      budget_duration: null,
      budget_reset_at: null,
      models: [],
      blocked: false,
      spend: 0,
      max_parallel_requests: null,
      model_spend: {},
      model_max_budget: {},
      model_id: null,
      litellm_model_table: null,
      object_permission_id: null,
      object_permission: null,
      created_at: now,
      updated_at: now,
    };
  }

  /** Runs a handler body the way `handle_exception_on_proxy` would convert a ValueError. */
  private durationOr500<T>(fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      if (error instanceof PyValueError) throw proxyError(500, error.message, 'internal_server_error');
      throw error;
    }
  }

  private modelTable(aliases: Record<string, unknown>): { id: number; row: Record<string, unknown> } {
    const id = this.nextModelId++;
    return { id, row: { id, model_aliases: aliases, created_by: PROXY_ADMIN_USER_ID, updated_by: PROXY_ADMIN_USER_ID } };
  }

  private objectPermission(permission: Record<string, unknown>): Record<string, unknown> {
    return { object_permission_id: randomUUID(), mcp_servers: [], mcp_access_groups: [], vector_stores: [], ...permission };
  }

  /** POST /team/new */
  private teamNew(ctx: RequestContext): Reply {
    const data = validateModel(ctx.body, NEW_TEAM_SPEC);
    const teamId = typeof data.team_id === 'string' ? data.team_id : randomUUID();
    if (typeof data.team_id === 'string' && this.teamTable.has(teamId)) {
      throw dictReprError(400, `Team id = ${teamId} already exists. Please use a different team id.`);
    }
    const members = [...((data.members_with_roles as TeamMember[] | undefined) ?? [])];
    if (!members.some((m) => m.user_id === PROXY_ADMIN_USER_ID)) {
      members.push({ role: 'admin', user_id: PROXY_ADMIN_USER_ID, user_email: null });
    }
    const row = this.newTeamRow(teamId);
    row.team_alias = (data.team_alias as string | null | undefined) ?? null;
    row.organization_id = (data.organization_id as string | null | undefined) ?? null;
    row.admins = (data.admins as unknown[] | undefined) ?? [];
    row.members = (data.members as unknown[] | undefined) ?? [];
    row.members_with_roles = members;
    row.team_member_permissions = (data.team_member_permissions as string[] | null | undefined) ?? [];
    row.metadata = teamMetadata((data.metadata as Record<string, unknown> | null | undefined) ?? {}, data);
    row.tpm_limit = (data.tpm_limit as number | null | undefined) ?? null;
    row.rpm_limit = (data.rpm_limit as number | null | undefined) ?? null;
    row.max_budget = (data.max_budget as number | null | undefined) ?? null;
    row.budget_duration = (data.budget_duration as string | null | undefined) ?? null;
    row.models = (data.models as string[] | undefined) ?? [];
    row.blocked = (data.blocked as boolean | undefined) ?? false;
    // max_parallel_requests is accepted but never stored on teams
    if (row.budget_duration !== null) {
      const duration = row.budget_duration;
      row.budget_reset_at = pyIso(this.durationOr500(() => addDuration(this.now(), duration)));
    }
    if (isRecord(data.model_aliases)) {
      const table = this.modelTable(data.model_aliases);
      row.model_id = table.id;
      row.litellm_model_table = table.row;
    }
    if (isRecord(data.object_permission)) {
      row.object_permission = this.objectPermission(data.object_permission);
      row.object_permission_id = row.object_permission.object_permission_id as string;
    }
    this.teamTable.set(teamId, row);
    return { status: 200, body: clone(row) };
  }

  /** GET /team/info */
  private teamInfo(ctx: RequestContext): Reply {
    const teamId = ctx.query.team_id;
    // team_info converts every HTTPException to type auth_error, keeping the status
    if (teamId === undefined) {
      throw proxyError(422, pyRepr({ message: 'Malformed request. No team id passed in.' }), 'auth_error');
    }
    const team = this.teamTable.get(teamId);
    if (!team) throw proxyError(404, pyRepr({ message: `Team not found, passed team id: ${teamId}.` }), 'auth_error');
    if (ctx.caller.kind === 'virtual' && ctx.caller.row?.team_id !== teamId) {
      throw proxyError(403, pyRepr({ error: `User=None not authorized to access this team=${teamId}` }), 'auth_error');
    }
    // Expired keys included, and with their hashed `token`: get_data's team_id branch filters on
    // team_id only, and the loop meant to drop `token` pops it from a local copy.
    const keys = [...this.keyTable.values()].filter((k) => k.team_id === teamId).map((k) => clone(k));
    return {
      status: 200,
      body: { team_id: teamId, team_info: { ...clone(team), team_member_budget_table: null }, keys, team_memberships: [] },
    };
  }

  /** POST /team/update */
  private teamUpdate(ctx: RequestContext): Reply {
    const data = validateModel(ctx.body, UPDATE_TEAM_SPEC);
    const teamId = data.team_id as string;
    const existing = this.teamTable.get(teamId);
    if (!existing) throw detailError(404, { error: `Team not found, passed team_id=${teamId}` });
    const row = clone(existing);
    const now = this.now();
    for (const [field, value] of Object.entries(data)) {
      // max_parallel_requests is accepted but never stored on teams
      if (field === 'team_id' || field === 'model_aliases' || field === 'object_permission' || field === 'max_parallel_requests') continue;
      if (field in row) (row as unknown as Record<string, unknown>)[field] = clone(value);
    }
    if ('metadata' in data || hasMetadataField(data)) {
      // _update_team_metadata_field: a metadata field sent without `metadata` replaces the whole dict
      row.metadata = teamMetadata('metadata' in data ? (data.metadata as Record<string, unknown> | null) : null, data);
    }
    if (typeof data.budget_duration === 'string') {
      const duration = data.budget_duration;
      // no try/except in update_team: a bad duration is an unhandled 500
      try {
        row.budget_reset_at = pyIso(addDuration(now, duration));
      } catch (error) {
        if (error instanceof PyValueError) throw new ReplyError({ status: 500, text: 'Internal Server Error' });
        throw error;
      }
    }
    if (isRecord(data.model_aliases)) {
      const table = this.modelTable(data.model_aliases);
      row.model_id = row.model_id ?? table.id;
      row.litellm_model_table = { ...table.row, id: row.model_id };
    }
    if ('object_permission' in data) {
      row.object_permission = isRecord(data.object_permission)
        ? { ...this.objectPermission(data.object_permission), object_permission_id: row.object_permission_id ?? randomUUID() }
        : null;
      row.object_permission_id = (row.object_permission?.object_permission_id as string | undefined) ?? row.object_permission_id;
    }
    row.updated_at = pyIso(now);
    this.teamTable.set(teamId, row);
    return { status: 200, body: { team_id: teamId, data: clone(row) } };
  }

  /** POST /team/delete */
  private teamDelete(ctx: RequestContext): Reply {
    const data = validateModel(ctx.body, DELETE_TEAM_SPEC);
    const teamIds = data.team_ids as string[];
    for (const teamId of teamIds) {
      if (!this.teamTable.has(teamId)) throw detailError(404, { error: `Team not found, passed team_id=${teamId}` });
    }
    const doomed = new Set(teamIds);
    for (const [token, key] of this.keyTable) {
      if (key.team_id !== null && doomed.has(key.team_id)) this.keyTable.delete(token);
    }
    for (const teamId of teamIds) this.teamTable.delete(teamId);
    return { status: 200, body: { deleted_teams: teamIds } };
  }

  /** GET /team/list: bare array sorted by team_alias, each with keys (full rows) and team_memberships */
  private teamList(ctx: RequestContext): Reply {
    const { user_id: userId, organization_id: organizationId } = ctx.query;
    let teams = [...this.teamTable.values()];
    if (userId) teams = teams.filter((t) => t.members_with_roles.some((m) => m.user_id === userId));
    const rows = teams.map((team) => ({
      ...clone(team),
      team_memberships: [],
      keys: [...this.keyTable.values()].filter((k) => k.team_id === team.team_id).map(clone),
    }));
    rows.sort((a, b) => compareStrings(a.team_alias ?? '', b.team_alias ?? ''));
    const filtered =
      organizationId === undefined
        ? rows
        : rows.filter((t) => (organizationId === 'default_organization' ? t.organization_id === null : t.organization_id === organizationId));
    return { status: 200, body: filtered };
  }

  /** GET /v2/team/list */
  private teamListV2(ctx: RequestContext): Reply {
    const q = ctx.query;
    const errors: PydanticError[] = [];
    const page = queryInt(q, 'page', 1, { ge: 1 }, errors);
    const pageSize = queryInt(q, 'page_size', 10, { ge: 1, le: 100 }, errors);
    if (errors.length > 0) throw validationError(errors);

    let teams = [...this.teamTable.values()];
    if (q.team_id) teams = teams.filter((t) => t.team_id === q.team_id);
    if (q.team_alias) {
      const needle = q.team_alias.toLowerCase();
      teams = teams.filter((t) => t.team_alias !== null && t.team_alias.toLowerCase().includes(needle));
    }
    if (q.organization_id) teams = teams.filter((t) => t.organization_id === q.organization_id);
    if (q.user_id) {
      const userId = q.user_id;
      const all = [...this.teamTable.values()];
      const userTeams = all.filter((t) => t.members_with_roles.some((m) => m.user_id === userId)).map((t) => t.team_id);
      if (userTeams.length === 0) throw detailError(404, { error: `User not found, passed user_id=${userId}` });
      if (q.team_id && !userTeams.includes(q.team_id)) throw detailError(404, { error: `User is not a member of team_id=${q.team_id}` });
      teams = teams.filter((t) => userTeams.includes(t.team_id));
    }
    const sortBy = q.sort_by && TEAM_LIST_SORT_COLUMNS.includes(q.sort_by) ? q.sort_by : undefined;
    const order = (q.sort_order ?? 'asc').toLowerCase() === 'desc' ? 'desc' : 'asc';
    teams.sort(
      sortBy
        ? (a, b) => compareColumn(a as unknown as Record<string, unknown>, b as unknown as Record<string, unknown>, sortBy, order)
        : (a, b) => compareColumn(a as unknown as Record<string, unknown>, b as unknown as Record<string, unknown>, 'created_at', 'desc'),
    );
    const total = teams.length;
    return {
      status: 200,
      body: {
        teams: teams.slice((page - 1) * pageSize, page * pageSize).map(clone),
        total,
        page,
        page_size: pageSize,
        total_pages: ceilDiv(total, pageSize),
      },
    };
  }

  // -------------------------------------------------------------------------------------------
  // Keys
  // -------------------------------------------------------------------------------------------

  private newKeyRow(token: string, keyName: string | null): KeyRow {
    const now = pyIso(this.now());
    return {
      token,
      key_name: keyName,
      key_alias: null,
      spend: 0,
      max_budget: null,
      expires: null,
      models: [],
      aliases: {},
      config: {},
      user_id: null,
      team_id: null,
      max_parallel_requests: null,
      metadata: {},
      tpm_limit: null,
      rpm_limit: null,
      budget_duration: null,
      budget_reset_at: null,
      allowed_cache_controls: [],
      allowed_routes: [],
      permissions: {},
      model_spend: {},
      model_max_budget: {},
      soft_budget_cooldown: false,
      blocked: null,
      organization_id: null,
      budget_id: null,
      created_by: null,
      updated_by: null,
      object_permission_id: null,
      created_at: now,
      updated_at: now,
    };
  }

  /** `_enforce_unique_key_alias` */
  private enforceUniqueAlias(alias: unknown, exceptToken?: string): void {
    if (typeof alias !== 'string') return;
    for (const key of this.keyTable.values()) {
      if (key.key_alias === alias && key.token !== exceptToken) {
        throw proxyError(
          400,
          `Key with alias '${alias}' already exists. Unique key aliases across all keys are required.`,
          'bad_request_error',
          'key_alias',
        );
      }
    }
  }

  /** POST /key/generate */
  private keyGenerate(ctx: RequestContext): Reply {
    const data = validateModel(ctx.body, GENERATE_KEY_SPEC);
    if (typeof data.max_budget === 'number' && data.max_budget < 0) {
      throw dictReprError(400, `max_budget cannot be negative. Received: ${pyFloat(data.max_budget)}`);
    }
    if (typeof data.soft_budget === 'number' && data.soft_budget < 0) {
      throw dictReprError(400, `soft_budget cannot be negative. Received: ${pyFloat(data.soft_budget)}`);
    }
    const metadataIn = isRecord(data.metadata) ? data.metadata : {};
    if (metadataIn.service_account_id !== undefined && metadataIn.service_account_id !== null && data.team_id == null) {
      throw proxyError(400, 'team_id is required for service account keys. Please specify `team_id` in the request body.', 'internal_server_error');
    }
    this.enforceUniqueAlias(data.key_alias);
    const customKey = typeof data.key === 'string' ? data.key : undefined;
    if (customKey !== undefined && !customKey.startsWith('sk-')) {
      throw dictReprError(400, `Invalid key format. LiteLLM Virtual Key must start with 'sk-'. Received: ${maskKey(customKey)}`);
    }
    const plaintext = customKey ?? `sk-${randomBytes(16).toString('base64url')}`;
    const token = sha256(plaintext);
    const now = this.now();

    const row = this.newKeyRow(token, abbreviate(plaintext));
    const str = (field: string): string | null => (typeof data[field] === 'string' ? (data[field] as string) : null);
    const num = (field: string): number | null => (typeof data[field] === 'number' ? (data[field] as number) : null);
    row.key_alias = str('key_alias');
    row.models = Array.isArray(data.models) ? (clone(data.models) as string[]) : [];
    row.spend = num('spend') ?? 0;
    row.max_budget = num('max_budget');
    row.user_id = str('user_id');
    row.team_id = str('team_id');
    row.organization_id = str('organization_id');
    row.budget_id = str('budget_id');
    row.max_parallel_requests = num('max_parallel_requests');
    row.tpm_limit = num('tpm_limit');
    row.rpm_limit = num('rpm_limit');
    row.budget_duration = str('budget_duration');
    row.aliases = isRecord(data.aliases) ? clone(data.aliases) : {};
    row.config = isRecord(data.config) ? clone(data.config) : {};
    row.permissions = isRecord(data.permissions) ? clone(data.permissions) : {};
    row.model_max_budget = isRecord(data.model_max_budget) ? clone(data.model_max_budget) : {};
    row.allowed_cache_controls = Array.isArray(data.allowed_cache_controls) ? clone(data.allowed_cache_controls) : [];
    row.allowed_routes = keyTypeRoutes(str('key_type')) ?? (Array.isArray(data.allowed_routes) ? clone(data.allowed_routes) : []);
    row.blocked = typeof data.blocked === 'boolean' ? data.blocked : null;
    row.created_by = PROXY_ADMIN_USER_ID;
    row.updated_by = PROXY_ADMIN_USER_ID;
    row.metadata = keyMetadata(clone(metadataIn), data);
    const duration = str('duration');
    this.durationOr500(() => {
      row.expires = duration === null ? null : pyIso(addDuration(now, duration));
      row.budget_reset_at = row.budget_duration === null ? null : pyIso(addDuration(now, row.budget_duration));
    });
    if (isRecord(data.object_permission)) row.object_permission_id = randomUUID();

    // The insert is an upsert on the hash with an empty update: an existing row stays as it is.
    const existing = this.keyTable.get(token);
    if (!existing) this.keyTable.set(token, row);
    const stored = existing ?? row;

    const { token: _hash, ...echo } = clone(row);
    return {
      status: 200,
      body: {
        ...echo,
        duration: null,
        soft_budget: num('soft_budget'),
        model_rpm_limit: isRecord(data.model_rpm_limit) ? data.model_rpm_limit : null,
        model_tpm_limit: isRecord(data.model_tpm_limit) ? data.model_tpm_limit : null,
        guardrails: Array.isArray(data.guardrails) ? data.guardrails : null,
        tags: Array.isArray(data.tags) ? data.tags : null,
        enforced_params: Array.isArray(data.enforced_params) ? data.enforced_params : null,
        object_permission: isRecord(data.object_permission) ? data.object_permission : null,
        litellm_budget_table: null,
        key: plaintext,
        token,
        token_id: token,
        created_at: stored.created_at,
        updated_at: stored.updated_at,
      },
    };
  }

  /** GET /key/info */
  private keyInfo(ctx: RequestContext): Reply {
    const caller = ctx.caller;
    // Without ?key= the caller's own key is described; the master key has no row.
    const passed = ctx.query.key ?? (caller.kind === 'virtual' ? caller.row?.token : undefined);
    const row = passed === undefined ? undefined : this.keyTable.get(hashIfNeeded(passed));
    if (!row) throw proxyError(404, 'Key not found in database', 'not_found_error', 'key');
    if (caller.kind === 'virtual' && caller.row?.token !== row.token) {
      throw proxyError(403, "You are not allowed to access this key's info. Your role=None", 'internal_server_error');
    }
    const info: Record<string, unknown> = { ...withoutToken(row), litellm_budget_table: null };
    return { status: 200, body: { key: passed ?? null, info } };
  }

  /** POST /key/update; every HTTPException becomes type auth_error with its status */
  private keyUpdate(ctx: RequestContext): Reply {
    const data = validateModel(ctx.body, UPDATE_KEY_SPEC);
    let passedKey = typeof data.key === 'string' ? data.key : undefined;
    if (passedKey === undefined) {
      if (typeof data.key_alias !== 'string') {
        throw validationError([
          data.key === null
            ? { type: 'string_type', loc: ['body', 'key'], msg: 'Input should be a valid string', input: null }
            : { type: 'missing', loc: ['body', 'key'], msg: 'Field required', input: ctx.body },
        ]);
      }
      const alias = data.key_alias;
      const matchesAlias = [...this.keyTable.values()].filter((k) => k.key_alias === alias);
      if (matchesAlias.length === 0) throw proxyError(404, `Key not found. No key with key_alias='${alias}'.`, 'auth_error');
      if (matchesAlias.length > 1) {
        throw proxyError(400, `Multiple keys share key_alias='${alias}', so it cannot be used as an identifier.`, 'auth_error');
      }
      passedKey = matchesAlias[0]!.token;
    }
    if ((data.temp_budget_increase == null) !== (data.temp_budget_expiry == null)) {
      throw validationError([
        {
          type: 'value_error',
          loc: ['body'],
          msg: 'Value error, temp_budget_increase and temp_budget_expiry must be set together',
          input: ctx.body,
          ctx: { error: {} },
        },
      ]);
    }
    if (typeof data.max_budget === 'number' && data.max_budget < 0) {
      throw dictReprError(400, `max_budget cannot be negative. Received: ${pyFloat(data.max_budget)}`, 'auth_error');
    }
    const existing = this.keyTable.get(hashIfNeeded(passedKey));
    if (!existing && !this.legacy) {
      // PrismaClient.get_data(find_unique) raises before the handler's own check, echoing the key as sent
      throw proxyError(401, `Authentication Error: invalid user key - user key does not exist in db. User Key=${passedKey}`, 'auth_error');
    }
    if (!existing) {
      throw dictReprError(404, `Team not found, passed team_id=${typeof data.team_id === 'string' ? data.team_id : 'None'}`, 'auth_error');
    }
    if (typeof data.team_id === 'string' && data.team_id !== existing.team_id) {
      const team = this.teamTable.get(data.team_id);
      if (!team) {
        throw proxyError(404, `Team doesn't exist in db. Team=${data.team_id}. Create team via \`/team/new\` call.`, 'auth_error');
      }
      if (existing.tpm_limit !== null && team.tpm_limit !== null && team.tpm_limit > 0 && existing.tpm_limit > team.tpm_limit) {
        throw proxyError(
          403,
          `Key=${existing.token} has a tpm_limit=${existing.tpm_limit} which is greater than the team's tpm_limit=${team.tpm_limit}.`,
          'auth_error',
        );
      }
    }

    // prepare_key_update_data
    const now = this.now();
    const changes: Record<string, unknown> = {};
    for (const [field, value] of Object.entries(data)) {
      if (field === 'key' || KEY_METADATA_FIELDS.has(field) || field === 'temp_budget_increase' || field === 'temp_budget_expiry') continue;
      changes[field] = clone(value);
    }
    if ('duration' in changes) {
      const duration = changes.duration;
      delete changes.duration;
      // "-1" means "never expires" since PR #18278 (v1.80.15); older releases parse it as a duration and fail
      if (duration === '-1' && !this.olderThan(NEVER_EXPIRES_RELEASE)) changes.expires = null;
      else if (typeof duration === 'string' && duration.length > 0) {
        changes.expires = pyIso(this.updateDuration(() => addDuration(now, duration)));
      }
    }
    if ('budget_duration' in changes) {
      const budgetDuration = changes.budget_duration;
      delete changes.budget_duration;
      if (typeof budgetDuration === 'string' && budgetDuration.length > 0) {
        changes.budget_reset_at = pyIso(this.updateDuration(() => addDuration(now, budgetDuration)));
        changes.budget_duration = budgetDuration;
      }
    }
    if ('object_permission' in changes) {
      const permission = changes.object_permission;
      delete changes.object_permission;
      if (isRecord(permission)) changes.object_permission_id = existing.object_permission_id ?? randomUUID();
    }
    if (typeof changes.key_type === 'string') {
      const routes = keyTypeRoutes(changes.key_type);
      if (routes) changes.allowed_routes = routes;
    }
    delete changes.key_type;
    const baseMetadata = 'metadata' in changes ? (changes.metadata as Record<string, unknown> | null) : clone(existing.metadata);
    changes.metadata = keyMetadata(baseMetadata ?? {}, data);

    this.enforceUniqueAlias(changes.key_alias, existing.token);

    const row = clone(existing);
    const target = row as unknown as Record<string, unknown>;
    for (const [field, value] of Object.entries(changes)) {
      if (field in target) target[field] = value;
    }
    row.updated_by = PROXY_ADMIN_USER_ID;
    row.updated_at = pyIso(now);
    this.keyTable.set(row.token, row);
    const echoed: Record<string, unknown> = {};
    for (const field of Object.keys(changes)) if (field in target) echoed[field] = clone(target[field]);
    return { status: 200, body: { key: passedKey, ...echoed, token: row.token } };
  }

  /** Duration errors inside update_key_fn become "Authentication Error, ..." 400s. */
  private updateDuration(fn: () => Date): Date {
    try {
      return fn();
    } catch (error) {
      if (error instanceof PyValueError) throw proxyError(400, `Authentication Error, ${error.message}`, 'auth_error');
      throw error;
    }
  }

  /** POST /key/delete */
  private keyDelete(ctx: RequestContext): Reply {
    if (isRecord(ctx.body)) {
      const keys = ctx.body.keys;
      const aliases = ctx.body.key_aliases;
      // Python truthiness, as in KeyRequest.validate_at_least_one
      const empty = (v: unknown): boolean =>
        v === undefined || v === null || v === '' || v === false || v === 0 || (Array.isArray(v) && v.length === 0) || (isRecord(v) && Object.keys(v).length === 0);
      if (empty(keys) && empty(aliases)) {
        throw validationError([
          {
            type: 'value_error',
            loc: ['body'],
            msg: "Value error, At least one of 'keys' or 'key_aliases' must be provided.",
            input: ctx.body,
            ctx: { error: {} },
          },
        ]);
      }
    }
    const data = validateModel(ctx.body, DELETE_KEY_SPEC);
    const keys = Array.isArray(data.keys) && data.keys.length > 0 ? (data.keys as string[]) : undefined;
    const aliases = (data.key_aliases as string[] | null | undefined) ?? [];
    const tokens = keys
      ? keys.map(hashIfNeeded)
      : [...this.keyTable.values()].filter((k) => k.key_alias !== null && aliases.includes(k.key_alias)).map((k) => k.token);
    const rows = tokens.map((t) => this.keyTable.get(t)).filter((r): r is KeyRow => r !== undefined);
    if (rows.length === 0) throw dictReprError(404, 'No keys found');
    const deletedAt = pyIso(this.now());
    for (const row of rows) {
      this.deletedKeys.push({ ...clone(row), deleted_at: deletedAt, deleted_by: PROXY_ADMIN_USER_ID });
      this.keyTable.delete(row.token);
    }
    return { status: 200, body: { deleted_keys: keys ?? aliases } };
  }

  /** POST /key/regenerate and /key/{key}/regenerate: Enterprise only */
  private keyRegenerate(): Reply {
    throw proxyError(500, `Regenerating Virtual Keys is an Enterprise feature, ${NOT_PREMIUM_USER}`, 'internal_server_error');
  }

  /** GET /key/list */
  private keyList(ctx: RequestContext): Reply {
    const q = ctx.query;
    const errors: PydanticError[] = [];
    const page = queryInt(q, 'page', 1, { ge: 1 }, errors);
    const size = queryInt(q, 'size', 10, { ge: 1, le: 100 }, errors);
    const fullObject = queryBool(q, 'return_full_object', errors);
    if (errors.length > 0) throw validationError(errors);
    // Releases before the deleted-keys table ignore `status` and list live keys (PRs #18228/#19260).
    const status = this.legacy ? undefined : q.status;
    if (status !== undefined && status !== 'deleted') {
      throw dictReprError(400, "Invalid status value. Currently only 'deleted' is supported.");
    }
    let sort: { column: string; order: 'asc' | 'desc' } | undefined;
    if (q.sort_by !== undefined) {
      if (!KEY_LIST_SORT_COLUMNS.includes(q.sort_by)) {
        throw dictReprError(400, `Invalid sort column. Must be one of: ${KEY_LIST_SORT_COLUMNS.join(', ')}`);
      }
      const order = (q.sort_order ?? 'desc').toLowerCase();
      if (order !== 'asc' && order !== 'desc') throw dictReprError(400, "Invalid sort order. Must be 'asc' or 'desc'");
      sort = { column: q.sort_by, order };
    }

    const source: KeyRow[] = status === 'deleted' ? this.deletedKeys : [...this.keyTable.values()];
    const rows = source.filter(
      (k) =>
        k.team_id !== UI_SESSION_TOKEN_TEAM_ID &&
        (!q.user_id || k.user_id === q.user_id) &&
        (!q.team_id || k.team_id === q.team_id) &&
        (!q.key_alias || k.key_alias === q.key_alias) &&
        (!q.organization_id || k.organization_id === q.organization_id) &&
        (!q.key_hash || k.token === q.key_hash),
    );
    rows.sort((a, b) => {
      const ra = a as unknown as Record<string, unknown>;
      const rb = b as unknown as Record<string, unknown>;
      if (sort) return compareColumn(ra, rb, sort.column, sort.order);
      return compareColumn(ra, rb, 'created_at', 'desc') || compareColumn(ra, rb, 'token', 'desc');
    });
    const pageRows = rows.slice((page - 1) * size, page * size);
    return {
      status: 200,
      body: {
        keys: fullObject ? pageRows.map((k) => ({ ...clone(k), litellm_budget_table: null })) : pageRows.map((k) => k.token),
        total_count: rows.length,
        current_page: page,
        total_pages: ceilDiv(rows.length, size),
      },
    };
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers that need no emulator state
// ---------------------------------------------------------------------------------------------

/** `X.Y.Z` of a release option; anything else is a mistake in the test. */
function releaseParts(release: string): [number, number, number] {
  const match = /^(\d+)\.(\d+)\.(\d+)$/.exec(release);
  if (!match) throw new Error(`emulator release '${release}' is not X.Y.Z`);
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

function matches(pattern: string | RegExp, path: string): boolean {
  return typeof pattern === 'string' ? pattern === path : pattern.test(path);
}

function parseJsonOr(raw: string, fallback: unknown): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return fallback;
  }
}

/** FastAPI's body reading: JSON when the content type is absent or JSON, else the raw bytes. */
function parseRequestJson(raw: string, contentType: string | undefined): unknown {
  const mediaType = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  const isJson = mediaType === '' || mediaType === 'application/json' || (mediaType.startsWith('application/') && mediaType.endsWith('+json'));
  if (!isJson) return raw;
  try {
    return JSON.parse(raw) as unknown;
  } catch (error) {
    const message = error instanceof Error ? error.message : '';
    const position = /position (\d+)/.exec(message);
    const pos = position ? Number(position[1]) : /end of JSON/.test(message) ? raw.length : 0;
    throw validationError([{ type: 'json_invalid', loc: ['body', pos], msg: 'JSON decode error', input: {}, ctx: { error: 'Expecting value' } }]);
  }
}

function faultReply(rule: FaultRule): Reply {
  const status = rule.status ?? 500;
  const headers = { ...rule.headers };
  if (rule.body === undefined) {
    const type = status === 401 ? 'auth_error' : status === 404 ? 'not_found_error' : status >= 500 ? 'internal_server_error' : 'bad_request_error';
    return {
      status,
      body: { error: { message: `Emulated fault: ${status} ${STATUS_CODES[status] ?? ''}`.trim(), type, param: 'None', code: String(status) } },
      headers,
    };
  }
  if (typeof rule.body === 'string') return { status, text: rule.body, headers: { 'content-type': 'application/json', ...headers } };
  return { status, body: rule.body, headers };
}

/** Header precedence of `get_api_key`: x-litellm-api-key, then Authorization, then the provider headers. */
function extractApiKey(req: IncomingMessage): string | null {
  const header = (name: string): string | undefined => {
    const value = req.headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const custom = header('x-litellm-api-key');
  if (custom !== undefined) return stripKnownPrefix(custom, true);
  const authorization = header('authorization');
  if (authorization !== undefined) return stripKnownPrefix(authorization, false);
  for (const name of ['api-key', 'x-api-key', 'x-goog-api-key', 'ocp-apim-subscription-key']) {
    const value = header(name);
    if (value !== undefined) return value;
  }
  return null;
}

/** `_get_bearer_token` (returns '' without a known prefix) / `_get_bearer_token_or_received_api_key`. */
function stripKnownPrefix(value: string, keepUnprefixed: boolean): string {
  for (const prefix of ['Bearer ', 'Basic ', 'bearer ']) {
    if (value.startsWith(prefix)) return value.split(prefix).join('');
  }
  return keepUnprefixed ? value : '';
}

function safeEqual(a: string, b: string): boolean {
  const ba = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  return ba.length === bb.length && timingSafeEqual(ba, bb);
}

function withoutToken(row: KeyRow): Omit<KeyRow, 'token'> {
  const { token: _token, ...rest } = clone(row);
  return rest;
}

/** Team fields LiteLLM keeps inside `metadata` rather than in columns. */
const TEAM_METADATA_FIELDS = ['tags', 'guardrails', 'prompts', 'model_rpm_limit', 'model_tpm_limit', 'team_member_key_duration', 'rpm_limit_type', 'tpm_limit_type'];

function hasMetadataField(data: Record<string, unknown>): boolean {
  return TEAM_METADATA_FIELDS.some((f) => data[f] !== undefined && data[f] !== null);
}

function teamMetadata(base: Record<string, unknown> | null, data: Record<string, unknown>): Record<string, unknown> | null {
  let metadata = base === null ? null : clone(base);
  for (const field of TEAM_METADATA_FIELDS) {
    if (data[field] !== undefined && data[field] !== null) {
      metadata = metadata ?? {};
      metadata[field] = clone(data[field]);
    }
  }
  return metadata;
}

/** Key fields LiteLLM keeps inside `metadata` (LiteLLM_ManagementEndpoint_MetadataFields + model limits). */
const KEY_METADATA_FIELDS = new Set(['model_rpm_limit', 'model_tpm_limit', 'guardrails', 'prompts', 'tags', 'enforced_params']);

function keyMetadata(base: Record<string, unknown>, data: Record<string, unknown>): Record<string, unknown> {
  const metadata = clone(base);
  for (const field of KEY_METADATA_FIELDS) {
    if (data[field] !== undefined && data[field] !== null) metadata[field] = clone(data[field]);
  }
  return metadata;
}

/** `handle_key_type` */
function keyTypeRoutes(keyType: string | null): string[] | undefined {
  if (keyType === 'llm_api') return ['llm_api_routes'];
  if (keyType === 'management') return ['management_routes'];
  if (keyType === 'read_only') return ['info_routes'];
  return undefined;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Postgres ordering: NULLS LAST ascending, NULLS FIRST descending; datetimes by instant. */
function compareColumn(a: Record<string, unknown>, b: Record<string, unknown>, column: string, order: 'asc' | 'desc'): number {
  const va = a[column];
  const vb = b[column];
  const sign = order === 'asc' ? 1 : -1;
  if (va === vb) return 0;
  if (va === null || va === undefined) return order === 'asc' ? 1 : -1;
  if (vb === null || vb === undefined) return order === 'asc' ? -1 : 1;
  if (column.endsWith('_at')) return sign * (Date.parse(String(va)) - Date.parse(String(vb)));
  if (typeof va === 'number' && typeof vb === 'number') return sign * (va - vb);
  return sign * compareStrings(String(va), String(vb));
}

function queryInt(
  query: Record<string, string>,
  name: string,
  fallback: number,
  bounds: { ge?: number; le?: number },
  errors: PydanticError[],
): number {
  const raw = query[name];
  if (raw === undefined) return fallback;
  if (!/^\s*[+-]?\d+\s*$/.test(raw)) {
    errors.push({ type: 'int_parsing', loc: ['query', name], msg: 'Input should be a valid integer, unable to parse string as an integer', input: raw });
    return fallback;
  }
  const value = Number(raw.trim());
  if (bounds.ge !== undefined && value < bounds.ge) {
    errors.push({
      type: 'greater_than_equal',
      loc: ['query', name],
      msg: `Input should be greater than or equal to ${bounds.ge}`,
      input: raw,
      ctx: { ge: bounds.ge },
    });
  } else if (bounds.le !== undefined && value > bounds.le) {
    errors.push({ type: 'less_than_equal', loc: ['query', name], msg: `Input should be less than or equal to ${bounds.le}`, input: raw, ctx: { le: bounds.le } });
  }
  return value;
}

function queryBool(query: Record<string, string>, name: string, errors: PydanticError[]): boolean {
  const raw = query[name];
  if (raw === undefined) return false;
  const word = raw.trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  errors.push({ type: 'bool_parsing', loc: ['query', name], msg: 'Input should be a valid boolean, unable to interpret input', input: raw });
  return false;
}

// ---------------------------------------------------------------------------------------------
// Standalone mode
// ---------------------------------------------------------------------------------------------

const invokedDirectly = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);

if (invokedDirectly) {
  const portFlag = process.argv.indexOf('--port');
  const port = portFlag >= 0 ? Number(process.argv[portFlag + 1]) : 4000;
  const emulator = await LiteLLMEmulator.start({ port });
  process.stdout.write(`LiteLLM emulator listening on ${emulator.url}\nmaster key: ${emulator.masterKey}\n`);
  const shutdown = (): void => {
    void emulator.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}
