import { describe, expect, it } from 'vitest';
import { type AiPromiseConfigProps, resolvePromiseConfig } from '../constructs/promise-config.js';

describe('networkPolicies config', () => {
  it('defaults to on, every namespace calling the gateway, and the operator in default', () => {
    // GIVEN no setting
    const { networkPolicies } = resolvePromiseConfig();
    // THEN the policies are on; "every namespace" is the absence of a selector, not an empty one
    expect(networkPolicies).toStrictEqual({ enabled: true, postgresOperatorNamespace: 'default' });
    expect('gatewayClientNamespaces' in networkPolicies).toBe(false);
  });

  it('keeps what the platform sets', () => {
    const { networkPolicies } = resolvePromiseConfig({
      networkPolicies: { enabled: false, gatewayClientNamespaces: { 'ai-access': 'granted' }, postgresOperatorNamespace: 'postgres' },
    });
    expect(networkPolicies).toStrictEqual({ enabled: false, gatewayClientNamespaces: { 'ai-access': 'granted' }, postgresOperatorNamespace: 'postgres' });
  });

  it.each<[string, AiPromiseConfigProps]>([
    ['the defaults', {}],
    ['a narrowed selector', { networkPolicies: { gatewayClientNamespaces: { 'ai-access': 'granted', tier: 'prod' } } }],
    ['policies off', { networkPolicies: { enabled: false } }],
  ])('resolves a resolved config, and its JSON (as the pipelines read it), to an equal one: %s', (_what, props) => {
    const resolved = resolvePromiseConfig(props);
    expect(resolvePromiseConfig(resolved)).toStrictEqual(resolved);
    expect(resolvePromiseConfig(JSON.parse(JSON.stringify(resolved)))).toStrictEqual(resolved);
  });

  it.each<[string, unknown, string]>([
    ['a non-boolean enabled', { enabled: 'no' }, "networkPolicies.enabled 'no' is not true or false"],
    ['an empty client selector', { gatewayClientNamespaces: {} }, 'networkPolicies.gatewayClientNamespaces {} is not a non-empty map of labels'],
    ['a null client selector', { gatewayClientNamespaces: null }, 'networkPolicies.gatewayClientNamespaces null is not a non-empty map of labels'],
    ['a bad client label key', { gatewayClientNamespaces: { '-x': 'y' } }, "networkPolicies.gatewayClientNamespaces label key '-x' is not a valid label key"],
    ['a bad client label value', { gatewayClientNamespaces: { team: 'a/b' } }, "networkPolicies.gatewayClientNamespaces label 'team' value 'a/b' is not a valid label value"],
    [
      'a bad operator namespace',
      { postgresOperatorNamespace: 'Postgres_Operator' },
      "networkPolicies.postgresOperatorNamespace 'Postgres_Operator' is not a namespace name (lowercase DNS label)",
    ],
  ])('rejects %s', (_what, networkPolicies, message) => {
    // GIVEN an invalid setting
    // WHEN the config is resolved
    // THEN it fails with an error that quotes the value and says what is allowed
    expect(() => resolvePromiseConfig({ networkPolicies } as AiPromiseConfigProps)).toThrow(message);
  });
});
