import { Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { type OpenWebUIAuthProps, openWebUIAuthEnv, resolveOpenWebUIAuth } from '../constructs/open-web-ui-auth.js';
import { OpenWebUIApp } from '../constructs/open-web-ui-app.js';
import { OpenWebUINetworkPolicy } from '../constructs/open-web-ui-network-policy.js';
import { resolvePromiseConfig } from '../constructs/promise-config.js';
import { synthYaml, validateWithKubernetesModels } from './support/manifests.js';
import { OPEN_WEBUI_PROPS } from './support/open-webui-props.js';

const OIDC: OpenWebUIAuthProps = {
  mode: 'oidc',
  oidc: {
    providerUrl: 'https://login.example.com/realms/acme/.well-known/openid-configuration',
    clientId: 'open-webui',
    clientSecret: { name: 'open-webui-oidc', key: 'client-secret' },
    providerName: 'Acme SSO',
  },
};
const TRUSTED: OpenWebUIAuthProps = {
  mode: 'trusted-header',
  trustedHeader: { emailHeader: 'X-Forwarded-Email', nameHeader: 'X-Forwarded-User', proxyNamespaces: { 'kubernetes.io/metadata.name': 'oauth2-proxy' } },
};

function ui(auth: OpenWebUIAuthProps, adminPassword?: string) {
  const chart = Testing.chart();
  const app = new OpenWebUIApp(chart, 'open-webui', {
    ...OPEN_WEBUI_PROPS,
    auth: resolveOpenWebUIAuth(auth),
    adminPassword,
  });
  const config = resolveOpenWebUIAuth(auth);
  new OpenWebUINetworkPolicy(chart, 'policy', { app, fromNamespaces: config.trustedHeader?.proxyNamespaces });
  const objects = Testing.synth(chart);
  const deployment = objects.find((o) => o.kind === 'Deployment')!;
  const env = Object.fromEntries(deployment.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
  return { chart, objects, env, secret: objects.find((o) => o.kind === 'Secret')!, policy: objects.find((o) => o.kind === 'NetworkPolicy')! };
}

describe('Open WebUI sign-in', () => {
  it('is closed by default: no self sign-up, later accounts pending, a bootstrap admin from the UI Secret', () => {
    // GIVEN no setting
    const auth = resolveOpenWebUIAuth();
    // THEN the mode is closed and nobody can create the first (admin) account by visiting the UI
    expect(auth).toEqual({ mode: 'closed', defaultUserRole: 'pending', bootstrapAdminEmail: 'admin@openwebui.local' });
    const { env, secret } = ui({}, 'p'.repeat(20));
    expect(env).toMatchObject({ WEBUI_AUTH: 'True', ENABLE_SIGNUP: 'False', ENABLE_LOGIN_FORM: 'True', ENABLE_OAUTH_SIGNUP: 'False', DEFAULT_USER_ROLE: 'pending' });
    expect(env.WEBUI_ADMIN_EMAIL).toBe('admin@openwebui.local');
    expect(env.WEBUI_ADMIN_PASSWORD).toEqual({ secretKeyRef: { name: 'team-a-openwebui', key: 'WEBUI_ADMIN_PASSWORD', optional: false } });
    expect(Buffer.from(secret.data.WEBUI_ADMIN_PASSWORD, 'base64').toString()).toBe('p'.repeat(20));
    // AND env stays authoritative on every start, so a sign-up switched on in the admin panel does not survive a restart
    expect(env.ENABLE_PERSISTENT_CONFIG).toBe('False');
  });

  it('signs in through OIDC only, with the client secret by reference', async () => {
    // GIVEN an OIDC provider
    const { chart, objects, env, secret } = ui(OIDC);
    // THEN password sign-up, the login form and password sign-in are off, OAuth sign-up is on, and the secret is a secretKeyRef
    expect(env).toMatchObject({
      ENABLE_SIGNUP: 'False',
      ENABLE_LOGIN_FORM: 'False',
      ENABLE_OAUTH_SIGNUP: 'True',
      OPENID_PROVIDER_URL: 'https://login.example.com/realms/acme/.well-known/openid-configuration',
      OAUTH_PROVIDER_NAME: 'Acme SSO',
      OAUTH_SCOPES: 'openid email profile',
      OAUTH_CLIENT_ID: 'open-webui',
      OAUTH_CLIENT_SECRET: { secretKeyRef: { name: 'open-webui-oidc', key: 'client-secret', optional: false } },
    });
    expect(env.ENABLE_PASSWORD_AUTH).toBe('False');
    expect(env.WEBUI_ADMIN_EMAIL).toBeUndefined();
    // AND no bootstrap admin password is stored
    expect(Object.keys(secret.data)).toEqual(['WEBUI_SECRET_KEY']);
    expect(validateWithKubernetesModels(objects)).toHaveLength(objects.length);
    await expect(synthYaml(chart)).toMatchFileSnapshot('__snapshots__/open-web-ui-auth-oidc.yaml');
  });

  it('trusts a header only from the proxy namespaces', async () => {
    // GIVEN an authenticating proxy in the oauth2-proxy namespace
    const { chart, env, policy } = ui(TRUSTED);
    // THEN the header names are passed, sign-up stays on (the header sign-in creates accounts through it), later accounts wait
    expect(env).toMatchObject({
      WEBUI_AUTH_TRUSTED_EMAIL_HEADER: 'X-Forwarded-Email',
      WEBUI_AUTH_TRUSTED_NAME_HEADER: 'X-Forwarded-User',
      ENABLE_SIGNUP: 'True',
      ENABLE_LOGIN_FORM: 'True',
      DEFAULT_USER_ROLE: 'pending',
    });
    // AND only pods in the proxy's namespaces may connect, so nobody can send the header directly
    expect(policy.spec.ingress).toEqual([{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'oauth2-proxy' } } }], ports: [{ port: 8080, protocol: 'TCP' }] }]);
    await expect(synthYaml(chart)).toMatchFileSnapshot('__snapshots__/open-web-ui-auth-trusted-header.yaml');
  });

  it('leaves the name header out when none is given', () => {
    const auth = resolveOpenWebUIAuth({ mode: 'trusted-header', trustedHeader: { emailHeader: 'X-Email', proxyNamespaces: { proxy: 'yes' } } });
    expect(openWebUIAuthEnv(auth, 'x').map((e) => e.name)).not.toContain('WEBUI_AUTH_TRUSTED_NAME_HEADER');
  });

  it('lets later accounts start as users when the platform says so', () => {
    const env = openWebUIAuthEnv(resolveOpenWebUIAuth({ ...OIDC, defaultUserRole: 'user' }), 'x');
    expect(env).toContainEqual({ name: 'DEFAULT_USER_ROLE', value: 'user' });
  });

  it('resolves a resolved setting to an equal one, through JSON (as promise.yaml carries it)', () => {
    for (const props of [{}, OIDC, TRUSTED]) {
      const resolved = resolveOpenWebUIAuth(props);
      expect(resolveOpenWebUIAuth(JSON.parse(JSON.stringify(resolved)))).toEqual(resolved);
    }
  });

  it('refuses a trusted header when the NetworkPolicies are off', () => {
    expect(() => resolvePromiseConfig({ openWebUIAuth: TRUSTED, networkPolicies: { enabled: false } })).toThrow(
      "openWebUIAuth mode 'trusted-header' needs networkPolicies.enabled: only the proxy may reach the UI",
    );
    expect(resolvePromiseConfig({ openWebUIAuth: TRUSTED }).openWebUIAuth.mode).toBe('trusted-header');
  });

  it.each<[string, OpenWebUIAuthProps, string]>([
    ['an unknown mode', { mode: 'open' as 'closed' }, "openWebUIAuth.mode 'open' is not one of closed, oidc, trusted-header"],
    ['admin as the default role', { defaultUserRole: 'admin' as 'user' }, "openWebUIAuth.defaultUserRole 'admin' is not one of pending, user"],
    ['a bad bootstrap email', { bootstrapAdminEmail: 'admin' }, "openWebUIAuth.bootstrapAdminEmail 'admin' is not an email address"],
    ['a section of another mode', { ...TRUSTED, mode: 'oidc' }, "openWebUIAuth.trustedHeader is set but mode is 'oidc'"],
    ['oidc without settings', { mode: 'oidc' }, "openWebUIAuth mode 'oidc' needs openWebUIAuth.oidc"],
    [
      'an issuer URL instead of the discovery document',
      { mode: 'oidc', oidc: { ...OIDC.oidc!, providerUrl: 'https://login.example.com/realms/acme' } },
      "openWebUIAuth.oidc.providerUrl 'https://login.example.com/realms/acme' is not an https URL ending in /.well-known/openid-configuration",
    ],
    ['a plain-http provider', { mode: 'oidc', oidc: { ...OIDC.oidc!, providerUrl: 'http://x.example.com/.well-known/openid-configuration' } }, 'is not an https URL'],
    ['a bad client secret name', { mode: 'oidc', oidc: { ...OIDC.oidc!, clientSecret: { name: 'Bad_Name', key: 'k' } } }, "openWebUIAuth.oidc.clientSecret.name 'Bad_Name' is not a Secret name"],
    ['scopes without openid', { mode: 'oidc', oidc: { ...OIDC.oidc!, scopes: 'email profile' } }, "openWebUIAuth.oidc.scopes 'email profile' must include openid"],
    ['a trusted header without proxy namespaces', { mode: 'trusted-header', trustedHeader: { emailHeader: 'X-Email', proxyNamespaces: {} } }, 'openWebUIAuth.trustedHeader.proxyNamespaces {} is not a non-empty map of labels'],
    ['a bad proxy namespace label', { mode: 'trusted-header', trustedHeader: { emailHeader: 'X-Email', proxyNamespaces: { 'kubernetes.io/metadata.name': 'not valid!' } } }, "label 'kubernetes.io/metadata.name' value 'not valid!' is not a valid label value"],
    ['a bad header name', { mode: 'trusted-header', trustedHeader: { emailHeader: 'X Email', proxyNamespaces: { a: 'b' } } }, "openWebUIAuth.trustedHeader.emailHeader 'X Email' is not an HTTP header name"],
  ])('rejects %s', (_, props, message) => {
    expect(() => resolveOpenWebUIAuth(props)).toThrow(message);
  });
});
