// Opens a generated report in headless Chromium (Debian's, driven by playwright-core): every
// chart is drawn (a canvas with painted pixels, and each series with data drawn over all the
// chart's points, as its uPlot instance says), no console error, no network request at all;
// saves a screenshot. Run by run.sh (which skips when Chromium or playwright-core is missing):
//   REPORT_HTML=report.html SCREENSHOT=report.png node --test report_test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
const reportPath = process.env.REPORT_HTML;
const screenshotPath = process.env.SCREENSHOT;
const require = createRequire(import.meta.url);

const playwright = require('playwright-core');
if (!existsSync(chromiumPath)) throw new Error(`${chromiumPath} is missing`);
if (!reportPath || !existsSync(reportPath)) {
  throw new Error(`REPORT_HTML must name a generated report (got ${reportPath})`);
}

async function withPage(viewport, body) {
  const profile = mkdtempSync(join(tmpdir(), 'fourdollar-chromium-'));
  // A fresh profile (--user-data-dir) each time, so Chromium has nothing to sync or update.
  const context = await playwright.chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    viewport,
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking',
      '--no-first-run', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await context.newPage();
    const requests = [];
    const errors = [];
    page.on('request', (request) => {
      const url = request.url();
      if (url !== pathToFileURL(reportPath).href) requests.push(url);
    });
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(String(error)));
    await page.goto(pathToFileURL(reportPath).href, { waitUntil: 'load' });
    await body(page, requests, errors);
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

// For each chart: its canvas size and how many of its pixels are painted.
async function chartPixels(page) {
  return page.$$eval('.uplot canvas', (canvases) => canvases.map((canvas) => {
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let painted = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) painted++;
    return { width: canvas.width, height: canvas.height, painted };
  }));
}

// For each chart (its uPlot instance, window.fourdollarCharts): its title, its number of points,
// the number the report's data gives for a chart over the run's seconds, and for each series
// its label, how many values it has, the range of points it drew (idxs) and whether uPlot built
// its path.
async function chartSeries(page) {
  return page.evaluate(() => {
    const data = JSON.parse(document.getElementById('report-data').textContent);
    return window.fourdollarCharts.map((u) => ({
      title: u.root.querySelector('.u-title').textContent,
      points: u.data[0].length,
      expected: u.series[0].label === 's' ? data.seconds.t.length : null,
      series: u.series.slice(1).map((s, k) => ({
        label: s.label,
        values: u.data[k + 1].filter((v) => v !== null && v !== undefined).length,
        idxs: s.idxs ? [s.idxs[0], s.idxs[1]] : null,
        drawn: Boolean(s._paths && s._paths.stroke),
      })),
    }));
  });
}

test('every chart is drawn, with no console error and no network request', async () => {
  await withPage({ width: 1200, height: 900 }, async (page, requests, errors) => {
    const declared = Number(await page.getAttribute('body', 'data-charts'));
    const charts = await chartPixels(page);
    assert.ok(declared >= 4, `expected at least 4 charts, the page made ${declared}`);
    assert.equal(charts.length, declared);
    charts.forEach((chart, i) => {
      assert.ok(chart.width > 0 && chart.height > 0, `chart ${i} has an empty canvas`);
      assert.ok(chart.painted > 1000, `chart ${i} is blank (${chart.painted} painted pixels)`);
    });
    const drawn = await chartSeries(page);
    assert.equal(drawn.length, declared);
    for (const chart of drawn) {
      assert.ok(chart.points > 0, `"${chart.title}" has no points`);
      if (chart.expected !== null) {
        assert.equal(chart.points, chart.expected, `"${chart.title}": one point per second`);
      }
      assert.ok(chart.series.some((s) => s.values > 0), `"${chart.title}" has no data`);
      for (const s of chart.series.filter((series) => series.values > 0)) {
        const what = `"${chart.title}", series ${s.label}`;
        assert.ok(s.drawn, `${what}: no path drawn for ${s.values} values`);
        assert.deepEqual(s.idxs, [0, chart.points - 1], `${what}: drew points ${s.idxs}`);
      }
    }
    // Results with k6's phases chart them, and the handshakes when there were any.
    const phases = await page.evaluate(() =>
      JSON.parse(document.getElementById('report-data').textContent).phases);
    const titles = drawn.map((chart) => chart.title);
    if (phases) {
      assert.ok(titles.includes('Connect and TLS handshake per second'), 'no phases chart');
      assert.ok(titles.includes('Connect and TLS handshake by achieved rate'),
        'no phases chart against the rate');
      const handshakes = phases.full_total + phases.resumed_total;
      assert.equal(titles.includes('TLS handshakes per second: full and resumed'),
        handshakes > 0, 'the handshakes chart goes with handshakes');
      if (handshakes > 0) {
        assert.match(await page.textContent('main'),
          /TLS handshakes: [0-9,]+ full \([0-9.]+%\), [0-9,]+ resumed/);
      }
    }
    const headline = await page.textContent('#headline');
    assert.match(headline, /requests\/s/);
    assert.ok(await page.$$eval('table', (tables) => tables.length) >= 2, 'tables missing');
    assert.deepEqual(errors, []);
    assert.deepEqual(requests, []);
    if (screenshotPath) await page.screenshot({ path: screenshotPath, fullPage: true });
  });
});

test('the page fits a phone screen without horizontal scrolling', async () => {
  await withPage({ width: 390, height: 844 }, async (page, requests, errors) => {
    const overflow = await page.evaluate(() =>
      document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `the page is ${overflow} px wider than the screen`);
    const charts = await chartPixels(page);
    assert.ok(charts.every((chart) => chart.painted > 1000), 'a chart is blank on a phone');
    assert.deepEqual(errors, []);
    assert.deepEqual(requests, []);
  });
});
