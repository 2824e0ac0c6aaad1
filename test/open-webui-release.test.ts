import { Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { type OpenWebUIAuthProps, resolveOpenWebUIAuth } from '../constructs/open-web-ui-auth.js';
import { OpenWebUIApp } from '../constructs/open-web-ui-app.js';
import { resolvePromiseConfig } from '../constructs/promise-config.js';
import { OPEN_WEBUI_RELEASE, OPEN_WEBUI_RELEASE_ENV } from './support/open-webui-release.js';
import { OPEN_WEBUI_PROPS } from './support/open-webui-props.js';

const MODES: Record<string, OpenWebUIAuthProps> = {
  closed: {},
  oidc: {
    mode: 'oidc',
    oidc: {
      providerUrl: 'https://login.example.com/realms/acme/.well-known/openid-configuration',
      clientId: 'open-webui',
      clientSecret: { name: 'open-webui-oidc', key: 'client-secret' },
    },
  },
  'trusted-header': { mode: 'trusted-header', trustedHeader: { emailHeader: 'X-Forwarded-Email', nameHeader: 'X-Forwarded-User', proxyNamespaces: { proxy: 'yes' } } },
};

function envNames(auth: OpenWebUIAuthProps): string[] {
  const chart = Testing.chart();
  new OpenWebUIApp(chart, 'ui', { ...OPEN_WEBUI_PROPS, auth: resolveOpenWebUIAuth(auth) });
  const deployment = Testing.synth(chart).find((o) => o.kind === 'Deployment')!;
  const pod = deployment.spec.template.spec;
  return [...pod.initContainers, ...pod.containers].flatMap((c: { env?: { name: string }[] }) => (c.env ?? []).map((e) => e.name));
}

describe('the pinned Open WebUI release', () => {
  it('is the release whose variables test/support/open-webui-release.ts lists', () => {
    // GIVEN the default config
    // THEN it pins exactly the release the list was checked against: a new pin fails here until
    // its variables are checked again
    expect(resolvePromiseConfig().openWebUIImage).toBe(`ghcr.io/open-webui/open-webui:${OPEN_WEBUI_RELEASE}`);
    expect(OPEN_WEBUI_RELEASE).toBe('0.11.0');
  });

  it.each(Object.keys(MODES))('reads every variable a UI in %s mode gets', (mode) => {
    // GIVEN a UI in this sign-in mode
    const names = envNames(MODES[mode]!);
    // THEN each variable it sets is one the pinned release defines (an unknown one would be
    // silently ignored by Open WebUI, and its setting lost)
    expect(names.length).toBeGreaterThan(10);
    expect(names.filter((name) => !(name in OPEN_WEBUI_RELEASE_ENV))).toEqual([]);
  });

  it('gives the closed mode a bootstrap admin the release creates, and the oidc mode no password sign-in', () => {
    // GIVEN the default (closed) and the oidc modes
    // THEN closed sets all three start-up admin variables, and oidc turns password sign-in off
    expect(envNames(MODES.closed!)).toEqual(expect.arrayContaining(['WEBUI_ADMIN_EMAIL', 'WEBUI_ADMIN_PASSWORD', 'WEBUI_ADMIN_NAME']));
    const oidc = envNames(MODES.oidc!);
    expect(oidc).toContain('ENABLE_PASSWORD_AUTH');
    expect(oidc).not.toContain('WEBUI_ADMIN_EMAIL');
  });
});
