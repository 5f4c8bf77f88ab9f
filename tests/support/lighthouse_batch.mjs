// Lighthouse on several pages with one Chromium and one Node process: the same audits as the
// `lighthouse` command (default mobile config, the categories named), without starting both
// programs again for every page. Prints one JSON array of Lighthouse results (LHR), in order.
// Usage: node lighthouse_batch.mjs CATEGORIES URL... (CHROME_PATH names the browser).
//
// The site is static and served from this machine, so Lighthouse's waits are set for that:
// no pause after first paint or load (its defaults add 2 s a page for a site on the network),
// and the network must stay quiet for 250 ms after the load event, so a request made right
// after load (an icon, a prefetch) and any console error it causes still count. Throttling
// stays the default (simulated: it changes only the Performance figures, which
// bench/lighthouse_perf.py reads as the median of several runs a page). A URL may be given more
// than once: each is a run of its own, in the order given.
import lighthouse from 'lighthouse';
import {createRequire} from 'node:module';
import {pageFunctions} from 'lighthouse/core/lib/page-functions.js';
import * as chromeLauncher from 'chrome-launcher';
import messageFormat from 'intl-messageformat';
import puppeteer from 'puppeteer-core';

const [categories, ...urls] = process.argv.slice(2);
const LOCAL_WAITS = {pauseAfterFcpMs: 0, pauseAfterLoadMs: 0, networkQuietThresholdMs: 250, cpuQuietThresholdMs: 0,
  skipAboutBlank: true};
// Chromium must not phone home (this machine's closed network refuses it, and Best Practices
// counts the failed requests as console errors).
const chromeFlags = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

// Three things Lighthouse repeats for every page that no audit of these categories reads, done
// once for the batch instead (the first two cost about a second of CPU a page each):
// - the machine's benchmark (a second of busy script in the page; it scales the simulated
//   Performance timings, and warns of a slow machine): measured on the first page, and that
//   figure reported for the others;
// - the locale that every message of the report is formatted in: resolved once per locale
//   (the same answer each time: Intl's list of supported locales does not change while Node runs);
// - the parsing of each of those messages: the same text gives the same parsed message, which
//   formatting only reads;
// - the formatter of each message: Lighthouse makes a new one for every string it formats (each
//   audit's title, description and values, thousands a page, from a few hundred messages); the
//   same message, locale, formats and options give a formatter that formats the same, and its
//   format() changes nothing in it, so one is kept for each and handed out again.
const measureBenchmark = pageFunctions.computeBenchmarkIndex;
const IntlMessageFormat = messageFormat.IntlMessageFormat || messageFormat;
const resolveLocale = IntlMessageFormat.resolveLocale;
const resolvedLocales = new Map();
IntlMessageFormat.resolveLocale = (locales) => {
  const key = JSON.stringify(locales);
  if (!resolvedLocales.has(key)) resolvedLocales.set(key, resolveLocale(locales));
  return resolvedLocales.get(key);
};
// Kept by message, then by the options with the locale written as its tag: in JSON an
// Intl.Locale is {}, so a message parsed for one locale would be handed to another.
const parseMessage = IntlMessageFormat.__parse;
const parsedMessages = new Map();
IntlMessageFormat.__parse = (message, options = {}) => {
  if (!parsedMessages.has(message)) parsedMessages.set(message, new Map());
  const byOptions = parsedMessages.get(message);
  const key = JSON.stringify({...options, locale: String(options.locale)});
  if (!byOptions.has(key)) byOptions.set(key, parseMessage(message, options));
  return byOptions.get(key);
};
// Lighthouse reads the formatter's class from intl-messageformat's exports (core.js's, through
// the package's index) each time it makes one: a class that hands out the kept formatter there.
const messageFormatCore = createRequire(import.meta.url)('intl-messageformat/src/core');
const keptFormatters = new WeakMap();
const NO_FORMATS = {};
messageFormatCore.IntlMessageFormat = class KeptIntlMessageFormat extends IntlMessageFormat {
  constructor(message, locales, formats, options) {
    if (typeof message !== 'string') return new IntlMessageFormat(message, locales, formats, options);
    const byFormats = formats || NO_FORMATS;
    if (!keptFormatters.has(byFormats)) keptFormatters.set(byFormats, new Map());
    const kept = keptFormatters.get(byFormats);
    const key = JSON.stringify([message, String(locales), options || null]);
    if (!kept.has(key)) kept.set(key, new IntlMessageFormat(message, locales, formats, options));
    return kept.get(key);
  }
};

const chrome = await chromeLauncher.launch({chromeFlags});
const results = [];
try {
  // The audits are of the light colour scheme (test_lighthouse.py says why): make sure the
  // browser really is in it.
  const browser = await puppeteer.connect({browserURL: `http://127.0.0.1:${chrome.port}`});
  const probe = await browser.newPage();
  await probe.goto(urls[0]);
  const dark = await probe.evaluate(() => matchMedia('(prefers-color-scheme: dark)').matches);
  await probe.close();
  await browser.disconnect();
  if (dark) throw new Error('the browser reports the dark colour scheme; these audits are of the light one');
  for (const url of urls) {
    const runner = await lighthouse(url, {port: chrome.port, onlyCategories: categories.split(','),
      output: 'json', logLevel: 'error', disableFullPageScreenshot: true, ...LOCAL_WAITS});
    results.push(runner.lhr);
    if (pageFunctions.computeBenchmarkIndex === measureBenchmark) {
      // Lighthouse runs its page functions from their source text: the measured figure, as one.
      // eslint-disable-next-line no-new-func
      pageFunctions.computeBenchmarkIndex = new Function(`return function computeBenchmarkIndex() { return ${
        JSON.stringify(runner.lhr.environment.benchmarkIndex)}; }`)();
    }
  }
} finally {
  await chrome.kill();
}
// Exit once the results are written: Lighthouse leaves timers behind that would keep Node
// running for seconds more.
process.stdout.write(JSON.stringify(results), () => process.exit(0));
