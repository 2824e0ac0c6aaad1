import { describe, expect, it } from 'vitest';
import { type BackstageConfig, resolveBackstage, resolvePromiseConfig } from '../constructs/index.js';

describe('backstage config', () => {
  it('is on by default, for Destinations labelled environment=backstage, as the Kratix marketplace does', () => {
    expect(resolveBackstage(undefined)).toEqual({ enabled: true, destination: { environment: 'backstage' }, owner: 'kratix-platform', applyAction: 'kube:apply' });
  });

  it('takes a platform’s own Destination labels, owner and apply action, and survives the JSON round trip', () => {
    const props: BackstageConfig = { enabled: true, destination: { portal: 'backstage', region: 'eu' }, owner: 'group:platform/ai-team', applyAction: 'kubernetes:apply' };
    const resolved = resolvePromiseConfig({ backstage: props });
    expect(resolved.backstage).toEqual(props);
    expect(resolvePromiseConfig(JSON.parse(JSON.stringify(resolved))).backstage).toEqual(props);
  });

  it('can be switched off', () => {
    expect(resolveBackstage({ enabled: false }).enabled).toBe(false);
  });

  it.each<[string, Partial<BackstageConfig>, string]>([
    ['a non-boolean switch', { enabled: 'no' as unknown as boolean }, "backstage.enabled 'no' is not true or false"],
    ['empty destination labels', { destination: {} }, 'backstage.destination {} is not a non-empty map of labels'],
    ['a bad destination label', { destination: { environment: 'back stage' } }, "backstage.destination label 'environment' value 'back stage' is not a valid label value"],
    ['an owner with spaces', { owner: 'platform team' }, "backstage.owner 'platform team' is not a Backstage entity reference"],
    ['an owner with a bad namespace', { owner: 'group:my_ns/team' }, "backstage.owner 'group:my_ns/team' is not a Backstage entity reference"],
    ['an action with spaces', { applyAction: 'kube apply' }, "backstage.applyAction 'kube apply' is not a scaffolder action id"],
  ])('rejects %s', (_, props, message) => {
    expect(() => resolveBackstage(props)).toThrow(message);
  });
});
