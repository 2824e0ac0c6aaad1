import { describe, expect, it } from 'vitest';
import type { TeamSpec } from '../constructs/index.js';
import type { ObservedTeam } from '../pipeline/reconcile.js';
import { usageStatus } from '../pipeline/usage.js';

const DESIRED: TeamSpec = {
  team_id: 'ai.team-a.example',
  team_alias: 'team-a/example',
  metadata: {},
  rpm_limit: 60,
  tpm_limit: 30_000,
  max_budget: 10,
  budget_duration: '1d',
  models: ['gpt-5'],
};

const row = (fields: Partial<ObservedTeam>): ObservedTeam => ({ team_id: DESIRED.team_id, budget_duration: '1d', max_budget: 10, ...fields });

describe('usageStatus', () => {
  it('reports spend, budget, share used and the reset time LiteLLM reported', () => {
    // GIVEN a team that spent $2.5 of $10, resetting at midnight UTC (Python isoformat with an offset)
    const usage = usageStatus(row({ spend: 2.5, budget_reset_at: '2026-12-02T00:00:00+00:00' }), DESIRED);
    // THEN status says so, with the reset time in UTC
    expect(usage).toEqual({ spendUsd: 2.5, maxBudgetUsd: 10, budgetUsedPercent: 25, budgetDuration: '1d', budgetResetsAt: '2026-12-02T00:00:00.000Z' });
  });

  it('reads a reset time without an offset as UTC, as LiteLLM writes it', () => {
    expect(usageStatus(row({ spend: 0, budget_reset_at: '2026-12-02T00:00:00.123456' }), DESIRED).budgetResetsAt).toBe('2026-12-02T00:00:00.123Z');
  });

  it('rounds spend to a hundredth of a cent and the share to one decimal', () => {
    const usage = usageStatus(row({ spend: 0.123456 }), DESIRED);
    expect(usage.spendUsd).toBe(0.1235);
    expect(usage.budgetUsedPercent).toBe(1.2);
  });

  it('shows more than 100% when LiteLLM let spend pass the budget', () => {
    expect(usageStatus(row({ spend: 12 }), DESIRED).budgetUsedPercent).toBe(120);
  });

  it('reports nothing spent and no reset time for a team this run created', () => {
    expect(usageStatus(null, DESIRED)).toEqual({ spendUsd: 0, maxBudgetUsd: 10, budgetUsedPercent: 0, budgetDuration: '1d' });
  });

  it('uses the budget this run applied, and leaves out a reset time of the previous budget period', () => {
    // GIVEN a row read before the run moved the team from a 1d budget of $10 to a 30d budget of $1000
    const usage = usageStatus(row({ spend: 50, budget_reset_at: '2026-12-02T00:00:00Z' }), { ...DESIRED, max_budget: 1000, budget_duration: '30d' });
    // THEN the share is of the new budget, and the stale reset time is not shown
    expect(usage).toEqual({ spendUsd: 50, maxBudgetUsd: 1000, budgetUsedPercent: 5, budgetDuration: '30d' });
  });

  it.each([
    ['a missing spend', { spend: undefined }],
    ['a null spend', { spend: null }],
    ['a negative spend', { spend: -3 }],
    ['a string spend', { spend: '5' as unknown as number }],
  ])('treats %s as nothing spent', (_, fields) => {
    expect(usageStatus(row(fields), DESIRED).spendUsd).toBe(0);
  });

  it.each(['next tuesday', '', 'x'.repeat(100)])('drops an unreadable reset time %j', (value) => {
    expect(usageStatus(row({ budget_reset_at: value }), DESIRED).budgetResetsAt).toBeUndefined();
  });
});
