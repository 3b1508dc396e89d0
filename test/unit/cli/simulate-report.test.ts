import { describe, expect, it } from 'vitest';
import { parseReportJson } from '../../../functions/report/json.js';
import { cli } from '../../support/cli.js';

describe('phoenix simulate --report', () => {
  it("gives the run's whole weeks as the trend, named by their first day, and judges the simulated fleet's deadlines", async () => {
    const result = await cli(['simulate', '--days', '14', '--groups', '2', '--size', '3', '--report', 'json']);
    expect(result.code).toBe(0);
    const report = parseReportJson(result.stdout);
    expect(report.trend?.map((week) => week.week)).toEqual(['2026-11-16', '2026-11-23']);
    expect(report.trend?.[1]?.recycledTotal).toBe(report.fleet.recycledTotal);
    expect(report.deadlines?.groupsJudged).toBe(2);
  });

  it('a run shorter than a week is one week of the trend', async () => {
    const result = await cli(['simulate', '--days', '3', '--groups', '1', '--size', '2', '--report', 'json']);
    expect(parseReportJson(result.stdout).trend?.map((week) => week.week)).toEqual(['2026-11-16']);
  });
});
