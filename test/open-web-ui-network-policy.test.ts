import { Chart, Testing } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { describe, expect, it } from 'vitest';
import { OpenWebUIApp, type OpenWebUIAppProps } from '../constructs/open-web-ui-app.js';
import { OpenWebUINetworkPolicy } from '../constructs/open-web-ui-network-policy.js';
import { synthYaml, validateWithKubernetesModels } from './support/manifests.js';
import { OPEN_WEBUI_PROPS } from './support/open-webui-props.js';

const BASE: OpenWebUIAppProps = OPEN_WEBUI_PROPS;

function policy(overrides: Partial<OpenWebUIAppProps> = {}) {
  const chart = Testing.chart();
  const app = new OpenWebUIApp(chart, 'open-webui', { ...BASE, ...overrides });
  const construct = new OpenWebUINetworkPolicy(chart, 'policy', { app });
  const objects = Testing.synth(chart);
  const find = (kind: string) => objects.find((o) => o.kind === kind);
  return { chart, construct, objects, policy: find('NetworkPolicy'), deployment: find('Deployment') };
}

describe('OpenWebUINetworkPolicy', () => {
  it('synthesizes one valid NetworkPolicy next to the UI', async () => {
    // GIVEN a request's UI
    // WHEN its policy is synthesized in the same chart
    const { chart, objects } = policy();
    // THEN the policy passes schema validation; the snapshot holds only the policy
    expect(validateWithKubernetesModels(objects.filter((o) => o.kind === 'NetworkPolicy'))).toEqual(['NetworkPolicy/team-a-openwebui']);
    const only = new Chart(Testing.app(), 'policy-only');
    new OpenWebUINetworkPolicy(only, 'policy', { app: chart.node.findChild('open-webui') as OpenWebUIApp });
    await expect(synthYaml(only)).toMatchFileSnapshot('__snapshots__/open-web-ui-network-policy.yaml');
  });

  it("selects the UI's pod, in the request's namespace, by the Deployment's selector", () => {
    const { construct, policy: p, deployment } = policy({ name: 'ml', namespace: 'research' });
    expect(construct.name).toBe('ml-openwebui');
    expect(construct.namespace).toBe('research');
    expect(p.metadata).toMatchObject({ name: 'ml-openwebui', namespace: 'research' });
    expect(p.spec.podSelector).toEqual({ matchLabels: deployment.spec.selector.matchLabels });
    expect(deployment.spec.template.metadata.labels).toMatchObject(p.spec.podSelector.matchLabels);
  });

  it('admits TCP 8080 from anywhere and nothing else, and leaves egress alone', () => {
    const { policy: p } = policy();
    expect(p.spec.policyTypes).toEqual(['Ingress']);
    // No `from`: the Service (port 80) forwards to 8080, which is what the policy sees.
    expect(p.spec.ingress).toEqual([{ ports: [{ port: 8080, protocol: 'TCP' }] }]);
    expect(p.spec.egress).toBeUndefined();
  });

  it('refuses a scope without exactly one Deployment to derive the policy from', () => {
    // GIVEN something passed as the app that holds no Deployment
    const chart = Testing.chart();
    const notAnApp = new k8s.KubeConfigMap(chart, 'not-an-app', { metadata: { name: 'x' } });
    // THEN the error names the scope and what was expected
    expect(() => new OpenWebUINetworkPolicy(chart, 'policy', { app: notAnApp as unknown as OpenWebUIApp })).toThrow(
      "open-webui network policy 'test/not-an-app' has 0 Deployments: expected exactly one to derive the policy from",
    );
  });
});
