import got, { type Got } from 'got';
import { LiteLLMUnavailableError, PipelineError, sanitize } from './errors.js';

export interface LiteLLMClientOptions {
  /** Base URL of the proxy, e.g. http://litellm.default.svc.cluster.local:4000 */
  readonly baseUrl: string;
  /** Sent only in the Authorization header. */
  readonly masterKey: string;
  /**
   * Timeout of one HTTP attempt.
   * @default 10_000 ms
   */
  readonly attemptTimeoutMs?: number;
  /**
   * Bound on one call including its retries.
   * @default 60_000 ms
   */
  readonly callTimeoutMs?: number;
  /**
   * Attempts per call (the first one included).
   * @default 5
   */
  readonly maxAttempts?: number;
  /**
   * Largest response body read; a larger one fails the call. Bounds memory: Kratix's default
   * pipeline limit is 256Mi, and a body is held as text and then parsed.
   * @default 8 MiB
   */
  readonly maxResponseBytes?: number;
}

/** A response bigger than the client reads: no retry gives a smaller one. */
class ResponseTooLarge extends Error {}

export interface LiteLLMResponse {
  readonly status: number;
  /** Parsed JSON body; `undefined` when the body is empty. */
  readonly body: unknown;
}

/** Statuses worth another attempt: LiteLLM restarts, proxies in front of it, and rate limits. */
const RETRYABLE_STATUS = new Set([408, 429, 500, 502, 503, 504]);
const BASE_BACKOFF_MS = 200;
const MAX_BACKOFF_MS = 5_000;

/**
 * The pipeline's only door to LiteLLM. Every call is bounded (attempt timeout, attempts, total
 * time), retried with exponential backoff (and Retry-After when LiteLLM sends one) on 408/429/5xx,
 * connection errors, timeouts and unparsable bodies. Non-retryable statuses are returned to the
 * caller, which decides what a 404 or a 400 "already exists" means. The master key goes into the
 * Authorization header and nowhere else.
 */
export class LiteLLMClient {
  /** Calls made (after retries, each attempt counts), for logs and benchmarks. */
  readonly counts = { reads: 0, writes: 0 };
  private readonly http: Got;
  private readonly baseUrl: string;
  private readonly callTimeoutMs: number;
  private readonly maxAttempts: number;
  private readonly masterKey: string;
  private readonly maxResponseBytes: number;

  constructor(options: LiteLLMClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.callTimeoutMs = options.callTimeoutMs ?? 60_000;
    this.maxAttempts = options.maxAttempts ?? 5;
    this.masterKey = options.masterKey;
    this.maxResponseBytes = options.maxResponseBytes ?? 8 * 1024 * 1024;
    this.http = got.extend({
      headers: { authorization: `Bearer ${options.masterKey}`, accept: 'application/json' },
      timeout: { request: options.attemptTimeoutMs ?? 10_000 },
      retry: { limit: 0 },
      throwHttpErrors: false,
      followRedirect: false,
      responseType: 'text',
    });
  }

  get(path: string, query: Record<string, string> = {}): Promise<LiteLLMResponse> {
    const search = new URLSearchParams(query).toString();
    return this.call('GET', `${path}${search ? `?${search}` : ''}`, undefined);
  }

  post(path: string, body: unknown): Promise<LiteLLMResponse> {
    return this.call('POST', path, body);
  }

  /** `LiteLLM POST http://…/team/new answered 400: Team id = X already exists…` */
  describe(method: string, path: string, response: LiteLLMResponse): string {
    return this.scrub(`LiteLLM ${method} ${this.baseUrl}${path.split('?')[0]} answered ${response.status}: ${errorMessage(response.body)}`);
  }

  /**
   * One line without secrets or terminal escapes. A proxy in front of LiteLLM may echo the
   * Authorization header into an error body, and master keys generated elsewhere need not start
   * with `sk-`.
   */
  private scrub(text: string): string {
    return sanitize(this.masterKey === '' ? text : text.split(this.masterKey).join('***'));
  }

  /**
   * One HTTP attempt that stops reading past maxResponseBytes: a Content-Length above it is refused
   * before the body arrives, and a body that streams past it is cancelled mid-way, so memory stays
   * bounded whatever the server sends.
   */
  private async bounded(url: string, method: 'GET' | 'POST', body: unknown) {
    const request = this.http(url, { method, ...(body === undefined ? {} : { json: body }) });
    let tooLarge = false;
    const stop = () => {
      tooLarge = true;
      request.cancel();
    };
    request.on('response', (response: { headers: Record<string, string | string[] | undefined> }) => {
      if (Number(response.headers['content-length']) > this.maxResponseBytes) stop();
    });
    request.on('downloadProgress', (progress: { transferred: number }) => {
      if (progress.transferred > this.maxResponseBytes) stop();
    });
    try {
      return await request;
    } catch (error) {
      if (tooLarge) throw new ResponseTooLarge();
      throw error;
    }
  }

  private async call(method: 'GET' | 'POST', path: string, body: unknown): Promise<LiteLLMResponse> {
    const url = `${this.baseUrl}${path}`;
    const where = `LiteLLM ${method} ${this.baseUrl}${path.split('?')[0]}`;
    const deadline = Date.now() + this.callTimeoutMs;
    let lastProblem = '';
    for (let attempt = 1; ; attempt++) {
      if (method === 'GET') this.counts.reads++;
      else this.counts.writes++;
      let retryAfterMs: number | undefined;
      try {
        const response = await this.bounded(url, method, body);
        const parsed = parseBody(response.body);
        if (RETRYABLE_STATUS.has(response.statusCode)) {
          lastProblem = `answered ${response.statusCode}: ${errorMessage(parsed.ok ? parsed.value : response.body)}`;
          retryAfterMs = retryAfter(response.headers['retry-after']);
        } else if (!parsed.ok) {
          lastProblem = `answered ${response.statusCode} with a body that is not JSON`;
        } else {
          return { status: response.statusCode, body: parsed.value };
        }
      } catch (error) {
        if (error instanceof ResponseTooLarge) {
          throw new PipelineError(this.scrub(`${where} answered more than ${mebibytes(this.maxResponseBytes)}, more than a LiteLLM answer to this pipeline can be; check the proxy at LITELLM_URL`));
        }
        lastProblem = `failed: ${connectionProblem(error)}`;
      }
      const backoff = Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** (attempt - 1));
      const delay = Math.max(backoff, retryAfterMs ?? 0);
      if (attempt >= this.maxAttempts || Date.now() + delay >= deadline) {
        throw new LiteLLMUnavailableError(this.scrub(`${where} ${lastProblem} (gave up after ${attempt} attempt${attempt === 1 ? '' : 's'})`));
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

function mebibytes(bytes: number): string {
  return `${Math.round((bytes / 1024 / 1024) * 100) / 100} MiB`;
}

function parseBody(text: string): { ok: true; value: unknown } | { ok: false } {
  if (text.trim() === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** Retry-After in seconds or as an HTTP date; capped so a hostile header cannot stall the run. */
function retryAfter(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  const seconds = Number(value);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - Date.now();
  return Number.isFinite(ms) && ms > 0 ? Math.min(ms, 30_000) : undefined;
}

function connectionProblem(error: unknown): string {
  const e = error as { code?: string; message?: string; name?: string };
  if (e.name === 'TimeoutError' || e.code === 'ETIMEDOUT') return 'timed out';
  if (e.code) return e.code;
  return e.message ?? String(error);
}

/**
 * One readable sentence from LiteLLM's three error shapes: `{"error":{"message"}}` (often a Python
 * dict repr such as `{'error': 'X'}`), `{"detail":{"error":…}}` or `{"detail":"…"}`, and the 422
 * list `{"detail":[{"loc","msg"}]}`. Never parses the message as JSON.
 */
export function errorMessage(body: unknown): string {
  if (typeof body === 'string') return unwrapRepr(body);
  if (typeof body !== 'object' || body === null) return String(body ?? 'empty body');
  const b = body as { error?: unknown; detail?: unknown; message?: unknown };
  if (typeof b.error === 'object' && b.error !== null) {
    const message = (b.error as { message?: unknown }).message;
    if (typeof message === 'string') return unwrapRepr(message);
  }
  if (typeof b.error === 'string') return unwrapRepr(b.error);
  if (Array.isArray(b.detail)) {
    return b.detail
      .map((d: { loc?: unknown[]; msg?: unknown }) => `${Array.isArray(d?.loc) ? d.loc.join('.') : '?'}: ${String(d?.msg ?? '')}`)
      .join('; ');
  }
  if (typeof b.detail === 'string') return unwrapRepr(b.detail);
  if (typeof b.detail === 'object' && b.detail !== null) {
    const inner = b.detail as { error?: unknown; message?: unknown };
    if (typeof inner.error === 'string') return inner.error;
    if (typeof inner.message === 'string') return inner.message;
  }
  if (typeof b.message === 'string') return b.message;
  return JSON.stringify(body);
}

/** `{'error': 'Team id = x already exists.'}` → `Team id = x already exists.` */
function unwrapRepr(message: string): string {
  const match = /^\{'(?:error|message)': ["'](.*)["']\}$/s.exec(message.trim());
  return match ? match[1]! : message;
}
