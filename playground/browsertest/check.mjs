// Drives the gateway's GraphiQL page in headless Chromium and prints what
// it saw as one JSON object; playground_browser_test.go (package gateway)
// starts the gateways and judges the result. Environment:
//   CHROMIUM            the browser (default /usr/bin/chromium)
//   PLAYGROUND_OK       a gateway whose assets load
//   PLAYGROUND_CLOSED   a gateway whose asset origin refuses connections
//   PLAYGROUND_BLACKHOLE a gateway whose asset origin never answers
//   PLAYGROUND_LOCAL    a gateway serving its assets from a local directory
//   PLAYGROUND_NOCORS   a gateway whose asset origin sends no CORS headers
import { chromium } from 'playwright-core';

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true, // playwright-core gives every launch a fresh profile
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});

// open loads url in a fresh context and records its console errors and
// Content-Security-Policy violations.
async function open(url, waitUntil) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const seen = { consoleErrors: [], cspViolations: [], failedRequests: [] };
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) seen.consoleErrors.push(m.text());
  });
  page.on('response', (r) => { if (r.status() >= 400) seen.failedRequests.push(r.status() + ' ' + r.url()); });
  page.on('requestfailed', (r) => seen.failedRequests.push(r.failure().errorText + ' ' + r.url()));
  page.on('pageerror', (e) => seen.consoleErrors.push(String(e)));
  await page.exposeFunction('reportViolation', (v) => seen.cspViolations.push(v));
  await page.addInitScript(() => document.addEventListener('securitypolicyviolation',
    (e) => window.reportViolation(e.violatedDirective + ' ' + e.blockedURI)));
  const start = Date.now();
  await page.goto(url, { waitUntil });
  return { page, seen, start };
}

// editorValue is the text of the CodeMirror editor inside selector.
const editorValue = (page, selector) => page.evaluate((s) => {
  const cm = document.querySelector(s + ' .CodeMirror');
  return cm ? cm.CodeMirror.getValue() : null;
}, selector);

async function working(url) {
  const out = {};
  try {
    const { page, seen } = await open(url, 'load');
    out.seen = seen;
    out.title = await page.title();
    await page.locator('.graphiql-container').waitFor({ timeout: 15000 });
    out.editor = await editorValue(page, '.graphiql-query-editor');
    await page.locator('.graphiql-execute-button').click();
    await page.waitForFunction(() => {
      const cm = document.querySelector('.graphiql-response .CodeMirror');
      return cm && cm.CodeMirror.getValue().includes('"data"');
    }, null, { timeout: 15000 });
    out.response = await editorValue(page, '.graphiql-response');
    await page.getByRole('button', { name: /Documentation Explorer/ }).click();
    const docs = page.locator('.graphiql-doc-explorer');
    await docs.getByText('Dashboard', { exact: true }).first().waitFor({ timeout: 15000 });
    out.docs = await docs.innerText();
  } catch (e) {
    out.failure = String(e);
  }
  return out;
}

async function unreachable(url) {
  const out = {};
  try {
    const { page, seen, start } = await open(url, 'commit');
    out.seen = seen;
    const message = page.locator('#playground-offline');
    await message.waitFor({ state: 'visible', timeout: 30000 });
    out.elapsedMs = Date.now() - start;
    out.message = await message.innerText();
    out.loadingVisible = await page.locator('#playground-loading').isVisible();
  } catch (e) {
    out.failure = String(e);
  }
  return out;
}

const result = {};
if (process.env.PLAYGROUND_OK) result.ok = await working(process.env.PLAYGROUND_OK);
if (process.env.PLAYGROUND_CLOSED) result.closed = await unreachable(process.env.PLAYGROUND_CLOSED);
if (process.env.PLAYGROUND_BLACKHOLE) result.blackhole = await unreachable(process.env.PLAYGROUND_BLACKHOLE);
if (process.env.PLAYGROUND_LOCAL) result.local = await working(process.env.PLAYGROUND_LOCAL);
if (process.env.PLAYGROUND_NOCORS) result.nocors = await unreachable(process.env.PLAYGROUND_NOCORS);
await browser.close();
console.log(JSON.stringify(result));
