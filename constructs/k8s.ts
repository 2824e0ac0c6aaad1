/**
 * The generated Kubernetes API classes that cdk8s-plus-28 ships (`KubeDeployment`, `KubeSecret`, ...).
 * The constructs write every field themselves, so they need only these; importing them from here,
 * not from the package root, keeps the high-level cdk8s-plus API out of the pipeline bundle.
 */
export * as k8s from 'cdk8s-plus-28/lib/imports/k8s.js';
