// Lighthouse on several pages with one Chromium and one Node process: the same audits as the
// `lighthouse` command (default mobile config, the categories named), without starting both
// programs again for every page. Prints one JSON array of Lighthouse results (LHR), in order.
// Usage: node lighthouse_batch.mjs CATEGORIES URL... (CHROME_PATH names the browser).
// COLOR_SCHEME=dark runs every page in the dark colour scheme (Chromium's --force-dark-mode,
// which makes prefers-color-scheme match `dark`); the script checks that it did before auditing.
import lighthouse from 'lighthouse';
import * as chromeLauncher from 'chrome-launcher';
import puppeteer from 'puppeteer-core';

const [categories, ...urls] = process.argv.slice(2);
const scheme = process.env.COLOR_SCHEME || 'light';
// Chromium must not phone home (this machine's closed network refuses it, and Best Practices
// counts the failed requests as console errors).
const chromeFlags = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
if (scheme === 'dark') chromeFlags.push('--force-dark-mode');
const chrome = await chromeLauncher.launch({chromeFlags});
const results = [];
try {
  const browser = await puppeteer.connect({browserURL: `http://127.0.0.1:${chrome.port}`});
  const probe = await browser.newPage();
  await probe.goto(urls[0]);
  const dark = await probe.evaluate(() => matchMedia('(prefers-color-scheme: dark)').matches);
  await probe.close();
  await browser.disconnect();
  if (dark !== (scheme === 'dark')) {
    throw new Error(`asked for the ${scheme} colour scheme, but the browser reports dark=${dark}`);
  }
  for (const url of urls) {
    const runner = await lighthouse(url, {port: chrome.port, onlyCategories: categories.split(','),
      output: 'json', logLevel: 'error', disableFullPageScreenshot: true});
    results.push(runner.lhr);
  }
} finally {
  await chrome.kill();
}
process.stdout.write(JSON.stringify(results));
