import { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';
import { quote } from './validation.js';

/** What a NetworkPolicy needs to know about the pods of a Deployment. */
export interface DeploymentFacts {
  readonly name: string;
  readonly namespace: string;
  /** The Deployment's metadata labels, reused on objects that belong to the same app. */
  readonly labels: Readonly<Record<string, string>>;
  /** `spec.selector.matchLabels`: the labels that identify this app's pods for good. */
  readonly podSelector: Readonly<Record<string, string>>;
  /** Container ports by port name, across the pod's containers. */
  readonly ports: Readonly<Record<string, number>>;
}

/**
 * Reads the one Deployment inside `scope` as it will be synthesized. Policies take their pod
 * selector and port from here rather than repeating the labels, so a renamed label or port in the
 * workload's construct can never leave a policy selecting nothing (and so protecting nothing).
 */
export function deploymentFacts(scope: Construct, what: string): DeploymentFacts {
  const deployments = scope.node.findAll().filter((c): c is ApiObject => ApiObject.isApiObject(c) && c.kind === 'Deployment');
  if (deployments.length !== 1) {
    throw new Error(`${what} ${quote(scope.node.path)} has ${deployments.length} Deployments: expected exactly one to derive the policy from`);
  }
  const manifest = deployments[0]!.toJson();
  const matchLabels = manifest?.spec?.selector?.matchLabels as Record<string, string> | undefined;
  if (!matchLabels || Object.keys(matchLabels).length === 0) {
    throw new Error(`${what} Deployment ${quote(manifest?.metadata?.name)} has no spec.selector.matchLabels to select its pods by`);
  }
  const ports: Record<string, number> = {};
  for (const container of manifest.spec.template?.spec?.containers ?? []) {
    for (const port of container.ports ?? []) {
      if (typeof port.name === 'string') ports[port.name] = port.containerPort;
    }
  }
  return {
    name: manifest.metadata.name,
    namespace: manifest.metadata.namespace,
    labels: { ...(manifest.metadata.labels ?? {}) },
    podSelector: { ...matchLabels },
    ports,
  };
}

/** The container port called `name`, or an error naming the workload. */
export function namedPort(facts: DeploymentFacts, name: string, what: string): number {
  const port = facts.ports[name];
  if (port === undefined) throw new Error(`${what} Deployment ${quote(facts.name)} has no container port named ${quote(name)}`);
  return port;
}
