/**
 * The model catalog: the public model names requests may list, and how the LiteLLM gateway reaches
 * each one. It generates the CRD's model enum and the gateway's `config.yaml` `model_list`.
 */

/** One model the platform offers. */
export interface ModelSpec {
  /** Public name: what requests list in `spec.models`, LiteLLM's `model_name`, `/v1/models` ids. */
  readonly name: string;
  /**
   * LiteLLM provider model id, `<provider>/<model>`: `openai/gpt-5`, `ollama/llama3.2`,
   * `hosted_vllm/my-model` for any OpenAI-compatible server.
   */
  readonly model: string;
  /**
   * Base URL of the provider, for self-hosted OpenAI- or Ollama-compatible servers.
   * @default the provider's public endpoint
   */
  readonly apiBase?: string;
  /**
   * Name of the environment variable (a key of the `litellm-creds` Secret) that holds the provider's
   * API key. The gateway config references it as `os.environ/NAME`; the value never leaves the Secret.
   * @default no API key (for example a local Ollama)
   */
  readonly apiKeyEnv?: string;
  /**
   * One line for the docs table.
   * @default no description
   */
  readonly description?: string;
}

/** The original promise's three models, each on its provider's public API. */
export const DEFAULT_MODELS: readonly ModelSpec[] = [
  { name: 'gpt-5', model: 'openai/gpt-5', apiKeyEnv: 'OPENAI_API_KEY', description: 'OpenAI GPT-5' },
  {
    name: 'gemini-2.5-pro',
    model: 'gemini/gemini-2.5-pro',
    apiKeyEnv: 'GEMINI_API_KEY',
    description: 'Google Gemini 2.5 Pro',
  },
  {
    name: 'claude-opus-4',
    model: 'anthropic/claude-opus-4-20250514',
    apiKeyEnv: 'ANTHROPIC_API_KEY',
    description: 'Anthropic Claude Opus 4',
  },
];
