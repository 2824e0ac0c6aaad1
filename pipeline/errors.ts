/**
 * A failure the pipeline explains in one sentence: bad input, a LiteLLM or Kubernetes API error, a
 * missing credential. The sentence goes to stderr and into `status.message`, so it must never
 * carry a secret.
 */
export class PipelineError extends Error {
  override readonly name = 'PipelineError';
}

/** LiteLLM could not be reached or kept failing after every retry: worth running again later. */
export class LiteLLMUnavailableError extends PipelineError {}

const VIRTUAL_KEY = /sk-[A-Za-z0-9_\-]{4,}/g;

/**
 * Masks anything that looks like a LiteLLM key. Error text can echo what a server received, and
 * one leaked key in a status field is an incident.
 */
export function redact(text: string): string {
  return text.replace(VIRTUAL_KEY, 'sk-***');
}

/** One line, at most `max` characters. */
export function oneLine(text: string, max = 400): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 3)}...` : flat;
}
