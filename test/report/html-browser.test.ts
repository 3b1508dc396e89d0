import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../functions/cli/phoenix.js';

/** Debian's Chromium, driven by playwright-core: no browser download in CI. */
const CHROMIUM = '/usr/bin/chromium';
/** A stable place to look at the last rendering by eye. */
const SCREENSHOT_COPY = '/tmp/phoenix-report.png';

/** The simulated week through the CLI itself; launch-failure gives a failure and a quarantine to show. */
async function simulatedReportHtml(): Promise<string> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const args = ['simulate', '--report', 'html', '--groups', '12', '--size', '6', '--scenario', 'launch-failure'];
  const code = await main(args, { stdout: (text) => stdout.push(text), stderr: (text) => stderr.push(text) }, Date.UTC(2026, 10, 23));
  expect(stderr.join('\n')).toBe('');
  expect(code).toBe(0);
  return stdout.join('');
}

async function nonEmptyBoxes(page: Page, selector: string): Promise<number> {
  let count = 0;
  for (const element of await page.locator(selector).all()) {
    const box = await element.boundingBox();
    if (box !== null && box.width > 0 && box.height > 0) count += 1;
  }
  return count;
}

describe('the HTML report in a real browser', () => {
  let browser: Browser | undefined;
  let page: Page;
  let directory: string;
  const errors: string[] = [];
  const requests: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: this test needs Chromium; install it with \`apt-get install chromium\` (Debian/Ubuntu)`);
    }
    const launched = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    });
    browser = launched;
    page = await launched.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => errors.push(`page: ${error.message}`));
    page.on('request', (request) => {
      if (!request.url().startsWith('file:')) requests.push(request.url());
    });
    directory = await mkdtemp(join(tmpdir(), 'phoenix-report-'));
    const file = join(directory, 'report.html');
    await writeFile(file, await simulatedReportHtml());
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('loads without errors and fetches nothing', () => {
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    expect(existsSync(join(directory, 'report.html'))).toBe(true);
  });

  it.each([
    { case: 'recycled per day', chart: 'svg.chart-daily', bars: 'svg.chart-daily g.bar rect' },
    { case: 'age histogram', chart: 'svg.chart-ages', bars: 'svg.chart-ages rect.bar' },
  ])('the $case chart is drawn, with bars of non-zero height', async ({ chart, bars }) => {
    const box = await page.locator(chart).boundingBox();
    expect(box?.width ?? 0).toBeGreaterThan(200);
    expect(box?.height ?? 0).toBeGreaterThan(100);
    expect(await page.locator(chart).getAttribute('role')).toBe('img');
    expect(await nonEmptyBoxes(page, bars)).toBeGreaterThan(0);
  });

  it('shows the headline, the quarantine that needs attention and the failed replacement', async () => {
    await expect(page.title()).resolves.toMatch(/^Phoenix weekly recycle report/);
    expect(await page.locator('.tile').count()).toBeGreaterThanOrEqual(6);
    expect(await page.locator('.attention li.severe').count()).toBeGreaterThan(0);
    expect(await page.getByRole('heading', { name: /Failed replacements/ }).count()).toBe(1);
  });

  it('takes a full-page screenshot', async () => {
    const file = join(directory, 'report.png');
    await page.screenshot({ path: file, fullPage: true });
    await copyFile(file, SCREENSHOT_COPY);
    expect(existsSync(SCREENSHOT_COPY)).toBe(true);
  });
});
