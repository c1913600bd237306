// Opens the blog's pages in headless Chromium (Debian's, driven by playwright-core) on a phone
// and on a desktop screen: the stylesheet from /style.css applies, nothing scrolls sideways, no
// console error, and a screenshot of each is saved. Starts `fourdollar serve` itself (port 0,
// a temporary data folder) and stops it. Run by blog.sh:
//   FOURDOLLAR_BINARY=build/src/cli/fourdollar SCREENSHOT_DIR=DIR node --test blog_test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
const binary = process.env.FOURDOLLAR_BINARY;
const screenshotDir = process.env.SCREENSHOT_DIR || tmpdir();
const require = createRequire(import.meta.url);
const playwright = require('playwright-core');
if (!binary || !existsSync(binary)) throw new Error(`FOURDOLLAR_BINARY must name the binary (got ${binary})`);

const token = 'browser-test-token';
let server;
let base;
let dataDir;
let postPath;

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'fourdollar-blog-'));
  server = spawn(binary, ['serve', '--listen', '127.0.0.1:0', '--db', `sqlite:${dataDir}/blog.db`,
    '--write-token', token, '--threads', '1'], { stdio: ['ignore', 'ignore', 'pipe'] });
  // The ready line on stderr is the event to wait for, bounded by the test's timeout.
  base = await new Promise((resolve, reject) => {
    let text = '';
    server.stderr.on('data', (chunk) => {
      text += chunk;
      const match = text.match(/listening on (http:\/\/[0-9.:]+)/);
      if (match) resolve(match[1]);
    });
    server.on('exit', (code) => reject(new Error(`server exited ${code}: ${text}`)));
  });
  const headers = { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` };
  for (let i = 1; i <= 12; i++) {
    const body = i === 12
      ? 'A longer post.\n\nIt has paragraphs, a very-long-word-that-should-wrap-rather-than-scroll-sideways-on-a-phone-screen-' +
        'x'.repeat(120) + '\nand more text to fill a screen. '.repeat(20)
      : `Post number ${i}.`;
    const response = await fetch(`${base}/`, { method: 'POST', headers, redirect: 'manual',
      body: JSON.stringify({ title: `A day at the sea, part ${i}`, body }) });
    assert.equal(response.status, 303);
    postPath = response.headers.get('content-location');
  }
});

after(() => {
  if (server) server.kill('SIGTERM');
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function check(viewport, name) {
  const profile = mkdtempSync(join(tmpdir(), 'fourdollar-chromium-'));
  const context = await playwright.chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath, headless: true, viewport,
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking',
      '--no-first-run', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await context.newPage();
    const errors = [];
    page.on('console', (message) => { if (message.type() === 'error') errors.push(message.text()); });
    page.on('pageerror', (error) => errors.push(String(error)));
    for (const [path, label] of [['/', 'list'], [postPath, 'post']]) {
      const response = await page.goto(`${base}${path}`, { waitUntil: 'load' });
      assert.equal(response.status(), 200, path);
      const facts = await page.evaluate(() => ({
        scrollWidth: document.documentElement.scrollWidth,
        innerWidth: window.innerWidth,
        maxWidth: getComputedStyle(document.body).maxWidth,
        sheets: document.styleSheets.length,
      }));
      assert.equal(facts.sheets, 1, 'the stylesheet loaded');
      assert.equal(facts.maxWidth, '672px', 'the stylesheet applies (42rem column)');
      assert.ok(facts.scrollWidth <= facts.innerWidth,
        `${path} scrolls sideways on ${name}: ${facts.scrollWidth} > ${facts.innerWidth}`);
      await page.screenshot({ path: join(screenshotDir, `blog-${label}-${name}.png`), fullPage: true });
    }
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

test('the blog reads well on a phone', async () => {
  await check({ width: 390, height: 844 }, 'phone');
});

test('the blog reads well on a desktop', async () => {
  await check({ width: 1280, height: 800 }, 'desktop');
});
