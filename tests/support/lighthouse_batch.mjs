// Lighthouse on several pages with one Chromium and one Node process: the same audits as the
// `lighthouse` command (default mobile config, the categories named), without starting both
// programs again for every page. Prints one JSON array of Lighthouse results (LHR), in order.
// Usage: node lighthouse_batch.mjs CATEGORIES URL... (CHROME_PATH names the browser).
import lighthouse from 'lighthouse';
import * as chromeLauncher from 'chrome-launcher';

const [categories, ...urls] = process.argv.slice(2);
// Chromium must not phone home (this machine's closed network refuses it, and Best Practices
// counts the failed requests as console errors).
const chromeFlags = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const chrome = await chromeLauncher.launch({chromeFlags});
const results = [];
try {
  for (const url of urls) {
    const runner = await lighthouse(url, {port: chrome.port, onlyCategories: categories.split(','),
      output: 'json', logLevel: 'error', disableFullPageScreenshot: true});
    results.push(runner.lhr);
  }
} finally {
  await chrome.kill();
}
process.stdout.write(JSON.stringify(results));
