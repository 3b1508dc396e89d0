import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { parseReporterConfig, reportWeek } from './app/config.js';
import { reporterDependencies } from './app/reporter-dependencies.js';
import { buildWeeklyReport, deliverWeeklyReport } from './app/weekly-report.js';

const config = parseReporterConfig(process.env);
const deps = reporterDependencies(config);

/** The weekly schedule (the week that just ended) or `{"week": "2026-W47"}` → HTML and JSON to S3, the summary to SNS, the event. */
export const handler = middy(async (event: unknown) => {
  const week = reportWeek(event, config.timeZone);
  const report = await buildWeeklyReport(deps, { week, timeZone: config.timeZone, region: config.region, ownerTagKey: config.ownerTagKey }, Date.now());
  const delivered = await deliverWeeklyReport(deps, report, Date.now());
  return { week, html: delivered.html.uri, json: delivered.json.uri };
}).use(injectLambdaContext(deps.powertoolsLogger));
