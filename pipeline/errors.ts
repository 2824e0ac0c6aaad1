/**
 * A failure the pipeline explains in one sentence: bad input, a LiteLLM error, a
 * missing credential. The sentence goes to stderr (the pipeline log, read by the platform team), so
 * it must never carry a secret. `status.message` gets it only for a RequestError.
 */
export class PipelineError extends Error {
  override readonly name = 'PipelineError';
}

/**
 * A failure of the request itself (its spec, its name, its rotation history): the requester needs
 * the whole sentence to fix it, and it quotes only what they wrote, so it may go to the status.
 */
export class RequestError extends PipelineError {}

/**
 * The platform's LiteLLM is older than this promise supports. Its sentence names only two parsed
 * version numbers, so the status may repeat it: the requester learns the platform team must act.
 */
export class UnsupportedLiteLLMError extends PipelineError {}

/** LiteLLM could not be reached or kept failing after every retry: worth running again later. */
export class LiteLLMUnavailableError extends PipelineError {}

const VIRTUAL_KEY = /sk-[A-Za-z0-9_\-]{4,}/g;
/** LiteLLM's abbreviation of a key in its messages and `key_name`: `sk-...` and its last characters. */
const ABBREVIATED_KEY = /sk-\.\.\.[A-Za-z0-9_\-]*/g;
/** A SHA-256 (or longer) hex digest: LiteLLM names keys by their hash in errors. */
const HEX_DIGEST = /\b[0-9a-fA-F]{32,}\b/g;
/** Terminal escape sequences: CSI, OSC (ended by BEL or ST), and the two-byte ones. */
const TERMINAL_ESCAPE = /\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])/g;
const CONTROL = /[\x00-\x1f\x7f-\x9f\u2028\u2029]/g;

/**
 * Masks anything that looks like a LiteLLM key, its abbreviation or its hash. Error text can echo
 * what a server received, and one leaked key in a log or status field is an incident.
 */
export function redact(text: string): string {
  return text.replace(VIRTUAL_KEY, 'sk-***').replace(ABBREVIATED_KEY, 'sk-***').replace(HEX_DIGEST, '<hash>');
}

/** One line, at most `max` characters. */
export function oneLine(text: string, max = 400): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 3)}...` : flat;
}

/**
 * Text from anywhere (LiteLLM's answers included) made fit for a log line or a status field: no
 * terminal escapes, no control characters, one line, bounded, redacted.
 */
export function sanitize(text: string, max = 400): string {
  return redact(oneLine(text.replace(TERMINAL_ESCAPE, '').replace(CONTROL, ' '), max));
}
