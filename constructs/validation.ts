/**
 * Shared checks and message formatting, so every error reads the same way:
 * `tier 'xl' is not one of small, medium, large`.
 */

/** RFC 1123 label: what Kubernetes accepts for namespaces and most object names. */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** RFC 1035 label: Service names must also start with a letter. */
export const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
/** LiteLLM duration syntax accepted by `budget_duration` and `duration`. */
export const LITELLM_DURATION = /^[1-9][0-9]*(s|m|h|d|mo)$/;
/** A fixed-length duration: `90s`, `30m`, `12h`, `30d`. */
export const FIXED_DURATION = /^([1-9][0-9]{0,5})(s|m|h|d)$/;

const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;

/** Seconds in a FIXED_DURATION; throws `<what> '<value>' is not a duration such as 12h or 30d`. */
export function durationSeconds(what: string, value: unknown): number {
  const match = typeof value === 'string' ? FIXED_DURATION.exec(value) : null;
  if (!match) throw new Error(`${what} ${quote(value)} is not a duration such as 90m, 12h or 30d`);
  return Number(match[1]) * UNIT_SECONDS[match[2] as keyof typeof UNIT_SECONDS];
}

/** A Kubernetes resource quantity, as far as the constructs use them (cpu, memory, storage). */
export const QUANTITY = /^([0-9]+(\.[0-9]+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;
/** An environment variable name that Kubernetes and a shell both accept. */
export const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;

const MAX_QUOTED = 64;

/** Quotes a value for an error message: strings in single quotes, anything else as JSON, cut short. */
export function quote(value: unknown): string {
  // JavaScript's own word for a missing value means nothing to whoever reads the message.
  if (value === undefined) return '(not set)';
  const text = typeof value === 'string' ? `'${value.slice(0, MAX_QUOTED)}'` : boundedJson(value, MAX_QUOTED);
  // One line, bounded, printable: a hostile value must not turn an error into a wall of text or
  // send terminal escape sequences to whoever reads the log.
  const flat = text.replace(/[\r\n\t]/g, ' ').replace(/[\x00-\x1f\x7f-\x9f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return flat.length > MAX_QUOTED ? `${flat.slice(0, MAX_QUOTED - 3)}...` : flat;
}

/**
 * JSON.stringify that stops once `max` characters are written, so a huge or deeply shared value
 * (a YAML alias bomb) costs at most `max` steps instead of hanging the pipeline.
 */
function boundedJson(value: unknown, max: number): string {
  let out = '';
  const write = (v: unknown): void => {
    if (out.length > max) return;
    if (v === undefined) out += 'null';
    else if (v === null || typeof v !== 'object') out += typeof v === 'bigint' ? String(v) : (JSON.stringify(v) ?? String(v));
    else if (Array.isArray(v)) {
      out += '[';
      for (let i = 0; i < v.length && out.length <= max; i++) {
        if (i > 0) out += ',';
        write(v[i]);
      }
      out += ']';
    } else {
      out += '{';
      let first = true;
      for (const key in v as Record<string, unknown>) {
        if (out.length > max) break;
        if (!first) out += ',';
        first = false;
        out += `${JSON.stringify(key)}:`;
        write((v as Record<string, unknown>)[key]);
      }
      out += '}';
    }
  };
  write(value);
  return out;
}

/** `<what> '<value>' is not one of a, b, c` */
export function notOneOf(what: string, value: unknown, allowed: readonly string[]): string {
  return `${what} ${quote(value)} is not one of ${allowed.join(', ')}`;
}

/** Throws `<what> <value> <rule>` unless `pattern` matches a string `value`. */
export function requireMatch(what: string, value: unknown, pattern: RegExp, rule: string): string {
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw new Error(`${what} ${quote(value)} ${rule}`);
  }
  return value;
}

/** Throws unless `value` is a positive number (an integer when `integer` is set). */
export function requirePositive(what: string, value: unknown, integer: boolean): number {
  const ok = typeof value === 'number' && Number.isFinite(value) && value > 0 && (!integer || Number.isInteger(value));
  if (!ok) throw new Error(`${what} ${quote(value)} is not a positive ${integer ? 'integer' : 'number'}`);
  return value as number;
}

/** Throws on the first name that appears twice. */
export function requireUnique(what: string, names: readonly string[]): void {
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) throw new Error(`${what} ${quote(name)} is defined twice`);
    seen.add(name);
  }
}
