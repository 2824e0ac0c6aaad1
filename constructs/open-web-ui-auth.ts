import { k8s } from './k8s.js';
import { requireLabels } from './promise-config.js';
import { notOneOf, quote, requireMatch } from './validation.js';

/**
 * How people sign in to a request's Open WebUI. Every variable below was checked against the pinned
 * release, ghcr.io/open-webui/open-webui:0.11.0 (test/support/open-webui-release.ts lists each with
 * its source; docs/configuration.md explains them).
 *
 * Open WebUI makes the **first** account its admin, and with its defaults (`ENABLE_SIGNUP=True`)
 * anyone who reaches the port can create that account. So sign-up is never left open:
 * - `closed` (default): no self sign-up, login form only, and a bootstrap admin whose password the
 *   pipeline derives into the UI's Secret (`WEBUI_ADMIN_*`; see `bootstrapAdminEmail`);
 * - `oidc`: single sign-on only; the login form, password sign-up and password sign-in are off;
 * - `trusted-header`: an authenticating proxy in front of the UI names the user in a header. Only
 *   that proxy may reach the pod, so this mode needs the NetworkPolicies and `proxyNamespaces`.
 */
export type OpenWebUIAuthMode = 'closed' | 'oidc' | 'trusted-header';
export const OPEN_WEBUI_AUTH_MODES: readonly OpenWebUIAuthMode[] = ['closed', 'oidc', 'trusted-header'];

/** A key of a Secret that exists in every namespace that gets a UI (the platform distributes it). */
export interface SecretKeyRef {
  readonly name: string;
  readonly key: string;
}

export interface OidcConfig {
  /** The provider's discovery document, `https://<issuer>/.well-known/openid-configuration` (`OPENID_PROVIDER_URL`). */
  readonly providerUrl: string;
  /** OAuth client id (`OAUTH_CLIENT_ID`). */
  readonly clientId: string;
  /** Secret key holding the client secret (`OAUTH_CLIENT_SECRET`, read through secretKeyRef, never in promise.yaml). */
  readonly clientSecret: SecretKeyRef;
  /** Name on the sign-in button (`OAUTH_PROVIDER_NAME`). */
  readonly providerName: string;
  /** Scopes requested (`OAUTH_SCOPES`). */
  readonly scopes: string;
}

export interface TrustedHeaderConfig {
  /** Header with the user's email, set by the proxy (`WEBUI_AUTH_TRUSTED_EMAIL_HEADER`). */
  readonly emailHeader: string;
  /** Header with the user's display name (`WEBUI_AUTH_TRUSTED_NAME_HEADER`); empty for none. */
  readonly nameHeader: string;
  /** `matchLabels` of the namespaces the proxy runs in: the only pods the UI's NetworkPolicy admits. */
  readonly proxyNamespaces: Readonly<Record<string, string>>;
}

export interface OpenWebUIAuthProps {
  /** @default 'closed' */
  readonly mode?: OpenWebUIAuthMode;
  /**
   * Role of accounts after the first (`DEFAULT_USER_ROLE`): `pending` waits for an admin.
   * @default 'pending'
   */
  readonly defaultUserRole?: 'pending' | 'user';
  /**
   * `closed` only: email of the bootstrap admin (`WEBUI_ADMIN_EMAIL`); its password is derived per
   * request and stored in the UI's Secret under `WEBUI_ADMIN_PASSWORD`.
   * @default 'admin@openwebui.local'
   */
  readonly bootstrapAdminEmail?: string;
  /** Required for `oidc`. */
  readonly oidc?: Partial<OidcConfig> & Pick<OidcConfig, 'providerUrl' | 'clientId' | 'clientSecret'>;
  /** Required for `trusted-header`. */
  readonly trustedHeader?: Partial<TrustedHeaderConfig> & Pick<TrustedHeaderConfig, 'emailHeader' | 'proxyNamespaces'>;
}

/** A resolved setting: the mode's own section only, every default filled. */
export interface OpenWebUIAuthConfig {
  readonly mode: OpenWebUIAuthMode;
  readonly defaultUserRole: 'pending' | 'user';
  readonly bootstrapAdminEmail?: string;
  readonly oidc?: OidcConfig;
  readonly trustedHeader?: TrustedHeaderConfig;
}

/** Key of the UI's Secret that holds the bootstrap admin's password (closed mode). */
export const ADMIN_PASSWORD_KEY = 'WEBUI_ADMIN_PASSWORD';

/** The shape of an email address (one `@`, a dot in the domain, no whitespace); Open WebUI lower-cases it. */
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const HEADER = /^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/;
const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const SECRET_DATA_KEY = /^[-._a-zA-Z0-9]{1,253}$/;
const PRINTABLE = /^[\x20-\x7e]{1,128}$/;
const SCOPES = /^[\x21-\x7e]+( [\x21-\x7e]+)*$/;
const DISCOVERY = '/.well-known/openid-configuration';

export function resolveOpenWebUIAuth(props: OpenWebUIAuthProps = {}): OpenWebUIAuthConfig {
  const mode = props.mode ?? 'closed';
  if (!OPEN_WEBUI_AUTH_MODES.includes(mode)) throw new Error(notOneOf('openWebUIAuth.mode', mode, OPEN_WEBUI_AUTH_MODES));
  const defaultUserRole = props.defaultUserRole ?? 'pending';
  if (defaultUserRole !== 'pending' && defaultUserRole !== 'user') {
    // `admin` is refused: every account would be an admin of the team's UI.
    throw new Error(notOneOf('openWebUIAuth.defaultUserRole', defaultUserRole, ['pending', 'user']));
  }
  for (const [section, used] of [['bootstrapAdminEmail', 'closed'], ['oidc', 'oidc'], ['trustedHeader', 'trusted-header']] as const) {
    if (props[section] !== undefined && mode !== used) throw new Error(`openWebUIAuth.${section} is set but mode is ${quote(mode)}: it applies to mode '${used}' only`);
  }
  switch (mode) {
    case 'closed': {
      const bootstrapAdminEmail = props.bootstrapAdminEmail ?? 'admin@openwebui.local';
      requireMatch('openWebUIAuth.bootstrapAdminEmail', bootstrapAdminEmail, EMAIL, 'is not an email address');
      return { mode, defaultUserRole, bootstrapAdminEmail };
    }
    case 'oidc':
      return { mode, defaultUserRole, oidc: resolveOidc(props.oidc) };
    case 'trusted-header':
      return { mode, defaultUserRole, trustedHeader: resolveTrustedHeader(props.trustedHeader) };
  }
}

function resolveOidc(props: OpenWebUIAuthProps['oidc']): OidcConfig {
  if (props === undefined) throw new Error("openWebUIAuth mode 'oidc' needs openWebUIAuth.oidc with providerUrl, clientId and clientSecret");
  let url: URL | undefined;
  try {
    url = new URL(props.providerUrl);
  } catch {
    url = undefined;
  }
  if (!url || url.protocol !== 'https:' || !url.pathname.endsWith(DISCOVERY)) {
    throw new Error(`openWebUIAuth.oidc.providerUrl ${quote(props.providerUrl)} is not an https URL ending in ${DISCOVERY}`);
  }
  requireMatch('openWebUIAuth.oidc.clientId', props.clientId, PRINTABLE, 'is not 1-128 printable characters');
  const secret = props.clientSecret;
  requireMatch('openWebUIAuth.oidc.clientSecret.name', secret?.name, DNS_SUBDOMAIN, 'is not a Secret name (DNS subdomain)');
  requireMatch('openWebUIAuth.oidc.clientSecret.key', secret?.key, SECRET_DATA_KEY, 'is not a Secret key (letters, digits, -, _ and .)');
  const providerName = props.providerName ?? 'SSO';
  requireMatch('openWebUIAuth.oidc.providerName', providerName, PRINTABLE, 'is not 1-128 printable characters');
  const scopes = props.scopes ?? 'openid email profile';
  requireMatch('openWebUIAuth.oidc.scopes', scopes, SCOPES, 'is not a space-separated list of scopes');
  if (!scopes.split(' ').includes('openid')) throw new Error(`openWebUIAuth.oidc.scopes ${quote(scopes)} must include openid`);
  return { providerUrl: props.providerUrl, clientId: props.clientId, clientSecret: { name: secret.name, key: secret.key }, providerName, scopes };
}

function resolveTrustedHeader(props: OpenWebUIAuthProps['trustedHeader']): TrustedHeaderConfig {
  if (props === undefined) throw new Error("openWebUIAuth mode 'trusted-header' needs openWebUIAuth.trustedHeader with emailHeader and proxyNamespaces");
  requireMatch('openWebUIAuth.trustedHeader.emailHeader', props.emailHeader, HEADER, 'is not an HTTP header name');
  const nameHeader = props.nameHeader ?? '';
  if (nameHeader !== '') requireMatch('openWebUIAuth.trustedHeader.nameHeader', nameHeader, HEADER, 'is not an HTTP header name');
  // Only the proxy may reach the UI: these labels become the NetworkPolicy's only source.
  requireLabels('openWebUIAuth.trustedHeader.proxyNamespaces', props.proxyNamespaces);
  return { emailHeader: props.emailHeader, nameHeader, proxyNamespaces: { ...props.proxyNamespaces } };
}

const value = (name: string, v: string): k8s.EnvVar => ({ name, value: v });
const fromSecret = (name: string, ref: SecretKeyRef): k8s.EnvVar => ({ name, valueFrom: { secretKeyRef: { name: ref.name, key: ref.key, optional: false } } });

/**
 * The Open WebUI env of a sign-in mode. `uiSecretName` is the UI's own Secret, which holds the
 * bootstrap admin's password in closed mode. All of these are `PersistentConfig` values in Open
 * WebUI; the UI runs with `ENABLE_PERSISTENT_CONFIG=False`, so these values win on every start.
 */
export function openWebUIAuthEnv(auth: OpenWebUIAuthConfig, uiSecretName: string): k8s.EnvVar[] {
  const common = [value('WEBUI_AUTH', 'True'), value('DEFAULT_USER_ROLE', auth.defaultUserRole)];
  switch (auth.mode) {
    case 'closed':
      return [
        ...common,
        value('ENABLE_SIGNUP', 'False'),
        value('ENABLE_LOGIN_FORM', 'True'),
        value('ENABLE_OAUTH_SIGNUP', 'False'),
        // On an empty database Open WebUI creates this admin at start-up (`env.py`, 0.7 and later);
        // with a user present it ignores them, so a changed password in the UI is never reset.
        value('WEBUI_ADMIN_EMAIL', auth.bootstrapAdminEmail!),
        value('WEBUI_ADMIN_NAME', 'Admin'),
        fromSecret('WEBUI_ADMIN_PASSWORD', { name: uiSecretName, key: ADMIN_PASSWORD_KEY }),
      ];
    case 'oidc': {
      const oidc = auth.oidc!;
      return [
        ...common,
        // Accounts come from the identity provider only. The login form off only hides the
        // password fields; ENABLE_PASSWORD_AUTH off also refuses password sign-in at the API
        // (`/api/v1/auths/signin` and `/ldap`), which the form merely fronts.
        value('ENABLE_SIGNUP', 'False'),
        value('ENABLE_LOGIN_FORM', 'False'),
        value('ENABLE_PASSWORD_AUTH', 'False'),
        value('ENABLE_OAUTH_SIGNUP', 'True'),
        value('OPENID_PROVIDER_URL', oidc.providerUrl),
        value('OAUTH_PROVIDER_NAME', oidc.providerName),
        value('OAUTH_SCOPES', oidc.scopes),
        value('OAUTH_CLIENT_ID', oidc.clientId),
        fromSecret('OAUTH_CLIENT_SECRET', oidc.clientSecret),
      ];
    }
    case 'trusted-header': {
      const header = auth.trustedHeader!;
      return [
        ...common,
        // A trusted-header sign-in creates a missing account through the sign-up route, which
        // refuses when sign-up or the login form is off (routers/auths.py `signup`).
        value('ENABLE_SIGNUP', 'True'),
        value('ENABLE_LOGIN_FORM', 'True'),
        value('ENABLE_OAUTH_SIGNUP', 'False'),
        value('WEBUI_AUTH_TRUSTED_EMAIL_HEADER', header.emailHeader),
        ...(header.nameHeader ? [value('WEBUI_AUTH_TRUSTED_NAME_HEADER', header.nameHeader)] : []),
      ];
    }
  }
}
