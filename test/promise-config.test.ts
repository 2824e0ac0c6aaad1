import { describe, expect, it } from 'vitest';
import {
  type AiPromiseConfigProps,
  gatewayInternalUrl,
  gatewaySettings,
  requireLabels,
  requirePinnedImage,
  resolvePromiseConfig,
} from '../constructs/promise-config.js';
import { TEST_CATALOG } from './support/test-catalog.js';

describe('resolvePromiseConfig', () => {
  it('fills the defaults the original promise implies', () => {
    // GIVEN no settings
    const config = resolvePromiseConfig();
    // THEN every field is explicit, with these values (literals: the images are pinned releases)
    const { catalog, ...rest } = config;
    expect(rest).toStrictEqual({
      platformNamespace: 'ai-platform',
      credentialsSecret: 'litellm-creds',
      derivationSecretKey: 'LITELLM_SALT_KEY',
      gateway: { name: 'litellm', image: 'ghcr.io/berriai/litellm-non_root:main-v1.81.0-stable', replicas: 1, useCredentialsSecretConfig: false, publicUrl: '' },
      database: { name: 'litellm', teamId: 'litellm', dbName: 'litellm', env: 'dev', backupEnabled: false },
      openWebUIImage: 'ghcr.io/open-webui/open-webui:0.11.0',
      destinations: { platform: { environment: 'dev' }, workloads: { environment: 'dev' } },
      networkPolicies: { enabled: true, postgresOperatorNamespace: 'default' },
      retryWhenLiteLLMUnavailable: '',
      gatewayHa: { redis: { name: 'litellm-redis', size: 'large', responseCaching: false }, resources: { cpuRequest: '500m', cpuLimit: '2', memoryRequest: '1Gi', memoryLimit: '2Gi' } },
      metrics: { enabled: false, serviceMonitor: false, bearerTokenSecret: { name: 'litellm-metrics-token', key: 'token' } },
      backstage: { enabled: true, destination: { environment: 'backstage' }, owner: 'kratix-platform', applyAction: 'kube:apply' },
      openWebUIAuth: { mode: 'closed', defaultUserRole: 'pending', bootstrapAdminEmail: 'admin@openwebui.local' },
    });
    // AND the catalog is the shipped one (its entries are pinned in test/shipped-catalog.test.ts)
    expect(catalog.defaultTier).toBe('small');
  });

  it('keeps every value a platform sets', () => {
    const props: AiPromiseConfigProps = {
      catalog: { ...TEST_CATALOG.props, defaultTier: 'medium' },
      platformNamespace: 'ai-platform',
      credentialsSecret: 'ai-creds',
      gateway: { name: 'ai-gateway', image: 'registry.example.com/litellm@sha256:' + 'a'.repeat(64), replicas: 3, useCredentialsSecretConfig: false, publicUrl: 'https://ai.example.com' },
      database: { name: 'gw', teamId: 'ai', dbName: 'gateway', env: 'prod', backupEnabled: true },
      openWebUIImage: 'registry.example.com:5000/open-webui:1.0',
      destinations: { platform: { cluster: 'platform' }, workloads: { tier: 'apps' } },
      retryWhenLiteLLMUnavailable: '90s',
    };
    const config = resolvePromiseConfig(props);
    expect(config.catalog.defaultTier).toBe('medium');
    expect(config.platformNamespace).toBe('ai-platform');
    expect(config.credentialsSecret).toBe('ai-creds');
    expect(config.gateway).toStrictEqual(props.gateway);
    expect(config.database).toStrictEqual(props.database);
    expect(config.openWebUIImage).toBe('registry.example.com:5000/open-webui:1.0');
    expect(config.destinations).toStrictEqual({ platform: { cluster: 'platform' }, workloads: { tier: 'apps' } });
    expect(config.retryWhenLiteLLMUnavailable).toBe('90s');
  });

  it('accepts a public URL that ends in another path, and refuses one ending in / or /v1', () => {
    expect(resolvePromiseConfig({ gateway: { publicUrl: 'https://ai.example.com/v1beta' } }).gateway.publicUrl).toBe('https://ai.example.com/v1beta');
    expect(resolvePromiseConfig({ gateway: { publicUrl: 'http://ai.example.com/gw' } }).gateway.publicUrl).toBe('http://ai.example.com/gw');
    for (const publicUrl of ['https://ai.example.com/', 'https://ai.example.com/v1']) {
      expect(() => resolvePromiseConfig({ gateway: { publicUrl } }), publicUrl).toThrow(
        `gateway.publicUrl '${publicUrl}' must not end in / or /v1: give the base URL, such as https://ai.example.com`,
      );
    }
  });

  it('accepts the retry delays Go parses, 1 to 5 digits of s, m or h', () => {
    for (const retry of ['1s', '90s', '2m', '1h', '99999s']) expect(resolvePromiseConfig({ retryWhenLiteLLMUnavailable: retry }).retryWhenLiteLLMUnavailable).toBe(retry);
    for (const retry of ['0s', '100000s', '1d', '1.5m', '2', 'm2', ' 2m']) {
      expect(() => resolvePromiseConfig({ retryWhenLiteLLMUnavailable: retry }), retry).toThrow(
        `retryWhenLiteLLMUnavailable '${retry}' is not a duration Kratix accepts, such as 90s, 2m or 1h`,
      );
    }
  });

  it.each<[string, AiPromiseConfigProps, string]>([
    ['a bad catalog', { catalog: { tiers: [], models: [] } }, 'catalog has no tiers: define at least one'],
    ['a bad platform namespace', { platformNamespace: 'AI' }, "platformNamespace 'AI' is not a namespace name (lowercase DNS label)"],
    ['a bad credentials Secret', { credentialsSecret: 'Creds' }, "credentialsSecret 'Creds' is not a Secret name (lowercase DNS label)"],
    ['a gateway name starting with a digit', { gateway: { name: '4gw' } }, "gateway.name '4gw' is not a Service name (DNS-1035 label)"],
    ['an unpinned gateway image', { gateway: { image: 'litellm:latest' } }, "gateway.image 'litellm:latest' is not pinned: give an exact tag or digest, not latest"],
    ['zero replicas', { gateway: { replicas: 0 } }, 'gateway.replicas 0 is not a positive integer'],
    ['a public URL that is not http(s)', { gateway: { publicUrl: 'ftp://ai.example.com' } }, "gateway.publicUrl 'ftp://ai.example.com' is not an http(s) URL"],
    ['a public URL that is no URL', { gateway: { publicUrl: 'ai.example.com' } }, "gateway.publicUrl 'ai.example.com' is not an http(s) URL"],
    ['a bad database env', { database: { env: 'qa' as 'dev' } }, "database.env 'qa' is not one of dev, prod"],
    ['an unpinned Open WebUI image', { openWebUIImage: 'open-webui' }, "openWebUIImage 'open-webui' is not pinned"],
    ['empty platform labels', { destinations: { platform: {} } }, 'destinations.platform {} is not a non-empty map of labels'],
    ['a bad workloads label', { destinations: { workloads: { env: 'a b' } } }, "destinations.workloads label 'env' value 'a b' is not a valid label value"],
    ['the master key as derivation secret', { derivationSecretKey: 'LITELLM_MASTER_KEY' }, "derivationSecretKey 'LITELLM_MASTER_KEY' would derive every request's key from the admin credential"],
    ['a derivation secret that is no Secret key', { derivationSecretKey: 'seed/1' }, "derivationSecretKey 'seed/1' is not a Secret key"],
    [
      'a trusted header without NetworkPolicies',
      { openWebUIAuth: { mode: 'trusted-header', trustedHeader: { emailHeader: 'X-Email', proxyNamespaces: { proxy: 'yes' } } }, networkPolicies: { enabled: false } },
      "openWebUIAuth mode 'trusted-header' needs networkPolicies.enabled: only the proxy may reach the UI",
    ],
  ])('rejects %s', (_, props, message) => {
    expect(() => resolvePromiseConfig(props)).toThrow(message);
  });
});

describe('requirePinnedImage', () => {
  it('accepts a tag or a digest, and refuses no tag, latest, or a registry port mistaken for a tag', () => {
    for (const image of ['litellm:1.0', 'ghcr.io/a/b:v1', 'registry:5000/a/b:v1', 'a/b@sha256:' + '0'.repeat(64), 'b:latest-1']) {
      expect(() => requirePinnedImage('image', image), image).not.toThrow();
    }
    for (const image of ['litellm', 'a/b:latest', 'registry:5000/a/b', '']) {
      expect(() => requirePinnedImage('image', image), image).toThrow(`image '${image}' is not pinned: give an exact tag or digest, not latest`);
    }
  });
});

describe('requireLabels', () => {
  it('accepts label keys with a DNS prefix of up to 253 characters and values of up to 63', () => {
    const prefix = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`;
    expect(prefix).toHaveLength(253);
    expect(() => requireLabels('labels', { [`${prefix}/name`]: 'v', empty: '', value: 'v'.repeat(63) })).not.toThrow();
    expect(() => requireLabels('labels', { [`${prefix}e/name`]: 'v' })).toThrow(/^labels label key 'a+\.\.\. is not a valid label key$/);
    expect(() => requireLabels('labels', { k: 'v'.repeat(64) })).toThrow(/^labels label 'k' value 'v+\.\.\. is not a valid label value$/);
  });

  it.each<[string, unknown, string]>([
    ['a list', ['a'], 'labels ["a"] is not a non-empty map of labels'],
    ['null', null, 'labels null is not a non-empty map of labels'],
    ['a string', 'a=b', "labels 'a=b' is not a non-empty map of labels"],
    ['a number value', { a: 1 }, "labels label 'a' value 1 is not a valid label value"],
    ['a key with a space', { 'a b': 'c' }, "labels label key 'a b' is not a valid label key"],
  ])('refuses %s', (_, labels, message) => {
    expect(() => requireLabels('labels', labels)).toThrow(message);
  });
});

describe('derived settings', () => {
  const config = resolvePromiseConfig({ platformNamespace: 'ai-platform', credentialsSecret: 'ai-creds', gateway: { name: 'ai-gateway', replicas: 1, useCredentialsSecretConfig: true } });

  it('the in-cluster URL of the gateway Service', () => {
    expect(gatewayInternalUrl(config)).toBe('http://ai-gateway.ai-platform.svc.cluster.local:4000');
  });

  it('the LiteLLMGateway settings', () => {
    expect(gatewaySettings(config)).toStrictEqual({
      namespace: 'ai-platform',
      name: 'ai-gateway',
      image: 'ghcr.io/berriai/litellm-non_root:main-v1.81.0-stable',
      replicas: 1,
      credentialsSecret: 'ai-creds',
      useCredentialsSecretConfig: true,
      resources: { cpuRequest: '500m', cpuLimit: '2', memoryRequest: '1Gi', memoryLimit: '2Gi' },
      responseCaching: false,
      metrics: false,
    });
  });
});

describe('retryWhenLiteLLMUnavailable, to the end of the value', () => {
  it('refuses a valid delay followed by anything', () => {
    for (const retry of ['90sec', '2m ', '1h30m']) {
      expect(() => resolvePromiseConfig({ retryWhenLiteLLMUnavailable: retry }), retry).toThrow(`retryWhenLiteLLMUnavailable '${retry}' is not a duration Kratix accepts`);
    }
  });
});
