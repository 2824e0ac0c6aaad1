/**
 * The Open WebUI release the promise pins, and the environment variables of it that the promise
 * sets, each with where that release defines it. Written from upstream facts, not from our code:
 * a variable the constructs set that is not here fails test/open-webui-release.test.ts, and so does
 * a new pin, until someone checks the variables against the new release and updates this file.
 *
 * Sources (Open WebUI 0.11.0, the app version of its Helm chart 16.0.0):
 * - `docs`: open-webui/docs `docs/reference/env-configuration.mdx` at 1eea3847, which states it is
 *   up to date with v0.11.0; `ConfigVar` there is what older releases called `PersistentConfig`.
 * - `env.py`: open-webui/open-webui `backend/open_webui/env.py` (plain `os.environ` reads, e.g.
 *   `WEBUI_ADMIN_EMAIL = os.environ.get("WEBUI_ADMIN_EMAIL", "")` under "Admin Account Runtime
 *   Creation", next to the trusted headers).
 * - `config.py`: open-webui/open-webui `backend/open_webui/config.py` (`PersistentConfig` entries
 *   such as `OPENID_PROVIDER_URL` with config key `oauth.oidc.provider_url`).
 * - `chart`: open-webui/helm-charts `charts/open-webui` at a6305e7 (chart 16.0.0, appVersion 0.11.0),
 *   `templates/workload-manager.yaml`, which sets the gateway variables the same way.
 */
export const OPEN_WEBUI_RELEASE = '0.11.0';

export const OPEN_WEBUI_RELEASE_ENV: Readonly<Record<string, string>> = {
  // The gateway connection (docs "OpenAI"; config.py, ConfigVar).
  OPENAI_API_BASE_URL: 'docs, config.py, chart',
  OPENAI_API_KEY: 'docs, config.py, chart',
  ENABLE_OPENAI_API: 'docs, config.py',
  ENABLE_OLLAMA_API: 'docs, config.py, chart',
  DEFAULT_MODELS: 'docs, config.py',
  // Storage and sessions (env.py).
  DATA_DIR: 'docs, env.py',
  WEBUI_SECRET_KEY: 'docs, env.py',
  // Env wins over the database on every start (config.py; docs: "False: Environment variables take precedence").
  ENABLE_PERSISTENT_CONFIG: 'docs, config.py',
  // Sign-in (docs "Authentication"; env.py for WEBUI_AUTH and the admin, config.py for the ConfigVars).
  WEBUI_AUTH: 'docs, env.py',
  ENABLE_SIGNUP: 'docs, config.py',
  ENABLE_LOGIN_FORM: 'docs, config.py',
  ENABLE_PASSWORD_AUTH: 'docs: off refuses password sign-in at /signin and /ldap',
  DEFAULT_USER_ROLE: 'docs, config.py',
  WEBUI_ADMIN_EMAIL: 'docs, env.py: admin created at start-up when no user exists; sign-up then off',
  WEBUI_ADMIN_PASSWORD: 'docs, env.py',
  WEBUI_ADMIN_NAME: 'docs, env.py',
  // OIDC (docs "OAuth"/"SSO"; config.py).
  ENABLE_OAUTH_SIGNUP: 'docs, config.py',
  OAUTH_CLIENT_ID: 'docs, config.py',
  OAUTH_CLIENT_SECRET: 'docs, config.py',
  OPENID_PROVIDER_URL: 'docs, config.py',
  OAUTH_PROVIDER_NAME: 'docs, config.py',
  OAUTH_SCOPES: 'docs, config.py',
  // Trusted header (docs "SSO, Trusted Header"; env.py).
  WEBUI_AUTH_TRUSTED_EMAIL_HEADER: 'docs, env.py',
  WEBUI_AUTH_TRUSTED_NAME_HEADER: 'docs, env.py',
};
