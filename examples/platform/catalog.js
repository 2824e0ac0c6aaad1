// This platform's catalog: the promise's own tiers and models plus ours, named with our prefix so
// they never clash with a tier or model a later version of the package adds. Plain JavaScript: the
// package ships compiled code and type declarations, so editors still check these entries.
import { DEFAULT_MODELS, DEFAULT_TIERS } from 'kratix-ai-promise';

/** @type {import('kratix-ai-promise').TierSpec[]} */
export const TIERS = [
  ...DEFAULT_TIERS,
  {
    name: 'acme-xlarge',
    rpmLimit: 6000,
    tpmLimit: 3_000_000,
    maxBudgetUsd: 5000,
    budgetDuration: '30d',
    ui: { cpuRequest: '2', cpuLimit: '8', memoryRequest: '4Gi', memoryLimit: '8Gi', storage: '100Gi' },
    rotation: { period: '7d', grace: '1d' },
    description: 'Org-wide production traffic (ours)',
  },
];

/** @type {import('kratix-ai-promise').ModelSpec[]} */
export const MODELS = [
  ...DEFAULT_MODELS,
  { name: 'acme-llama3.2', model: 'ollama/llama3.2', apiBase: 'http://ollama.models.svc.cluster.local:11434', description: 'Llama 3.2 on our Ollama' },
];
