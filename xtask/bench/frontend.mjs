// The front-end half of `cargo xtask bench` (issue 7), driven by xtask/src/bench/frontend.rs.
//
//   node xtask/bench/frontend.mjs http://127.0.0.1:PORT
//
// Prints ONE JSON document on stdout (everything else goes to stderr):
// 1. cold loads of the SPA in headless Chromium, in three conditions (no throttling; 4x CPU;
//    4x CPU + "Slow 4G"), each the time from navigation start to the interactive sign-in form;
//    plus the bytes on the wire of the first load, per response;
// 1b. the bytes on the wire of a cold load of `/`, `/signup`, `/invitation#…` and `/portal`
//    (issue 21: every response of the load, from the browser's network record);
// 2. Lighthouse (mobile preset, its default simulated throttling) for `/` and `/signup`.
//
// puppeteer-core and lighthouse come from <repo>/tools/node_modules (`cargo xtask setup --for
// bench` installs them; TOOLS_DIR overrides the folder). ES modules ignore NODE_PATH, so both
// are resolved with createRequire and imported by file URL.

import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const toolsDir = process.env.TOOLS_DIR ?? path.resolve(here, '../../tools');
const requireFromTools = createRequire(path.join(toolsDir, 'package.json'));
const load = async (name) => import(pathToFileURL(requireFromTools.resolve(name)).href);

const CHROMIUM = process.env.CHROME_PATH ?? '/usr/bin/chromium';
/** Cold loads per condition; the median is the mean of the two middle values. */
const LOADS = Number(process.env.BENCH_LOADS ?? 10);
/** The form must appear within this long, or the load counts as failed. */
const INTERACTIVE_TIMEOUT_MS = 60_000;
/** Lighthouse runs per screen (issue 21: each of 3 runs must meet the budget). */
const LIGHTHOUSE_RUNS = Number(process.env.BENCH_LIGHTHOUSE_RUNS ?? 3);
/** The browser's language for the cold loads (`ar`: the static shell must stay hidden). */
const BROWSER_LANG = process.env.BENCH_LANG ?? null;
/** The conditions measured, by id (`b,c`: the two of the interactive budgets); all by default. */
const ONLY_CONDITIONS = process.env.BENCH_CONDITIONS?.split(',') ?? null;

/**
 * The flags of /work/shared/TOOLCHAIN.md for headless Chromium as root; `headless: true` adds
 * `--headless=new`, `userDataDir` a fresh `--user-data-dir`, and puppeteer itself
 * `--remote-debugging-port=0` (Lighthouse connects to that port).
 */
const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Chrome DevTools' "Slow 4G" preset: 150 ms latency, 1.6 Mbit/s down, 750 kbit/s up. */
const SLOW_4G = { latency: 150, downloadThroughput: 200_000, uploadThroughput: 93_750 };

const CONDITIONS = [
  { id: 'a', name: 'no throttling', cpu_rate: 1, network: null },
  { id: 'b', name: '4x CPU slowdown, no network throttling', cpu_rate: 4, network: null },
  { id: 'c', name: '4x CPU slowdown + Slow 4G', cpu_rate: 4, network: SLOW_4G },
];

const SCREENS = [
  { screen: 'sign-in', path: '/' },
  { screen: 'sign-up', path: '/signup' },
];
const CATEGORIES = ['performance', 'accessibility', 'best-practices'];

/**
 * The pages whose cold first load is measured in bytes (issue 21): the sign-in group's three
 * ways in, and the account page, which loads the full app (src/groups.rs). The invitation's
 * token is not a real one: the page, its WASM and its check of the token are what is counted.
 * Signed out, `/portal` goes on to the sign-in screen inside the full app.
 */
const FIRST_LOAD_PAGES = [
  { page: 'sign-in', path: '/' },
  { page: 'sign-up', path: '/signup' },
  { page: 'invitation', path: '/invitation#bench-not-a-real-invitation-token' },
  { page: 'account page (signed out)', path: '/portal' },
];

const log = (...args) => console.error('[frontend bench]', ...args);

// Injected before any script of the page: records performance.now() (milliseconds since the
// navigation start, the document's timeOrigin) the first time an <input> exists that can take
// the focus: connected, enabled, not hidden, with a layout box, and `.focus()` makes it the
// active element, outside the static shell (#pl-shell, issue 21: its inputs exist before the
// WASM and do nothing until the app takes over), so this also proves the WASM is initialized.
// Also recorded: when the sign-in heading (an <h1>, the shell's or the app's) first has a
// layout box; its first paint is the later of that and the first contentful paint. A MutationObserver re-checks after every DOM change (its callback runs
// at the end of the task that rendered the form); the focus is given back afterwards.
const DETECT_INTERACTIVE = `(() => {
  if (window.top !== window) return;
  const heading = () => {
    if (window.__benchHeading !== undefined) return;
    for (const h1 of document.querySelectorAll('h1')) {
      if (h1.getClientRects().length > 0) window.__benchHeading = performance.now();
    }
  };
  const check = () => {
    for (const input of document.querySelectorAll('input')) {
      if (!input.isConnected || input.disabled || input.type === 'hidden') continue;
      if (input.closest('#pl-shell')) continue;
      if (input.getClientRects().length === 0) continue;
      const before = document.activeElement;
      input.focus({ preventScroll: true });
      if (document.activeElement === input) {
        window.__benchInteractive = performance.now();
        if (before && before !== input && typeof before.focus === 'function') before.focus();
        else input.blur();
        return true;
      }
    }
    return false;
  };
  const observer = new MutationObserver(() => {
    heading();
    if (window.__benchInteractive === undefined && check()) observer.disconnect();
  });
  observer.observe(document, { childList: true, subtree: true, attributes: true });
})();`;

function stats(values) {
  const sorted = [...values].sort((x, y) => x - y);
  const n = sorted.length;
  const median = n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  return { median_ms: round(median), min_ms: round(sorted[0]), max_ms: round(sorted[n - 1]) };
}

const round = (x) => Math.round(x * 10) / 10;

/**
 * One cold load: a new incognito-like browser context (empty cache, no cookies, no service
 * worker), the HTTP cache disabled as well, the throttling applied before the navigation.
 * Returns the time to the interactive form and every response of the load.
 */
async function coldLoad(browser, url, condition) {
  const context = await browser.createBrowserContext();
  try {
    const page = await context.newPage();
    page.on('pageerror', (e) => log('page error:', e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') log('console error:', m.text());
    });
    await page.setCacheEnabled(false);
    // Emulation.setCPUThrottlingRate { rate } on the page's own DevTools session.
    await page.emulateCPUThrottling(condition.cpu_rate > 1 ? condition.cpu_rate : null);
    // Network.emulateNetworkConditions { offline: false, latency, downloadThroughput,
    // uploadThroughput } (bytes per second), on the same session.
    await page.emulateNetworkConditions(
      condition.network
        ? {
            latency: condition.network.latency,
            download: condition.network.downloadThroughput,
            upload: condition.network.uploadThroughput,
          }
        : null,
    );
    await page.evaluateOnNewDocument(DETECT_INTERACTIVE);
    if (BROWSER_LANG) {
      await page.evaluateOnNewDocument(
        `Object.defineProperty(navigator, 'language', { get: () => ${JSON.stringify(BROWSER_LANG)} });`,
      );
    }

    const network = await recordNetwork(page);

    await page.goto(url, { waitUntil: 'load', timeout: INTERACTIVE_TIMEOUT_MS });
    await page.waitForFunction('window.__benchInteractive !== undefined', {
      polling: 50,
      timeout: INTERACTIVE_TIMEOUT_MS,
    });
    const interactive = await page.evaluate(() => window.__benchInteractive);
    // A fast load can render the form before the first paint: wait for that paint's entry.
    await page.waitForFunction(
      "performance.getEntriesByName('first-contentful-paint').length > 0",
      { polling: 50, timeout: INTERACTIVE_TIMEOUT_MS },
    );
    const { fcp, heading } = await page.evaluate(() => ({
      fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null,
      heading: window.__benchHeading ?? null,
    }));
    const heading_paint_ms = fcp === null || heading === null ? null : Math.max(fcp, heading);
    // Whatever the app fetches after rendering (config, session check) is part of the load.
    await page.waitForNetworkIdle({ idleTime: 500, timeout: INTERACTIVE_TIMEOUT_MS });
    const resources = await network.stop();
    return { interactive_ms: interactive, fcp_ms: fcp, heading_paint_ms, resources };
  } finally {
    await context.close();
  }
}

/**
 * Records every response of the page from now on through a second DevTools session that only
 * observes the network: per response, the bytes on the wire (CDP `Network.loadingFinished`
 * `encodedDataLength`: headers and body as received) and the body alone (that minus the
 * response's headers). `stop()` returns the list.
 */
async function recordNetwork(page) {
  const cdp = await page.createCDPSession();
  const responses = new Map();
  cdp.on('Network.responseReceived', ({ requestId, response }) => {
    const headers = Object.fromEntries(
      Object.entries(response.headers).map(([k, v]) => [k.toLowerCase(), v]),
    );
    responses.set(requestId, {
      url: response.url,
      status: response.status,
      mime_type: response.mimeType,
      content_encoding: headers['content-encoding'] ?? null,
      from_cache: Boolean(response.fromDiskCache || response.fromServiceWorker),
      header_bytes: response.encodedDataLength,
      bytes: null,
    });
  });
  cdp.on('Network.loadingFinished', ({ requestId, encodedDataLength }) => {
    const r = responses.get(requestId);
    if (r) r.bytes = encodedDataLength;
  });
  await cdp.send('Network.enable');
  return {
    async stop() {
      await cdp.detach();
      return [...responses.values()].map(({ header_bytes, ...r }) => ({
        ...r,
        body_bytes: r.bytes === null ? null : Math.max(0, r.bytes - (header_bytes ?? 0)),
      }));
    },
  };
}

/**
 * Issue 21's first-load figure of one page: every response of a cold load (a new browser
 * context, the cache disabled, no throttling), read from the browser's network record, so
 * whichever WASM boot.js chooses, and whatever the app fetches afterwards, counts. The load
 * ends when the WASM has drawn the page (`main.page`, which index.html does not hold) and the
 * network has been idle for 500 ms.
 *
 * The same load is traced for V8's lazy compilation of WebAssembly: a function is compiled
 * (by Liftoff) the first time it is called, on the thread that calls it, here the page's main
 * thread, so the app's start pays for every function it runs. `wasm_first_calls` counts them
 * and their body bytes (trace events `wasm.CompileBaseline` on the page's main thread): the
 * largest share of the app's start at 4x CPU, and a figure that, unlike a time, does not move
 * with the machine (issue 21, docs/first-load-levers.md, "The ninth stop").
 */
async function measureFirstLoad(browser, base, { page: name, path: route }) {
  const context = await browser.createBrowserContext();
  try {
    const page = await context.newPage();
    page.on('pageerror', (e) => log(`${route}: page error:`, e.message));
    await page.setCacheEnabled(false);
    const network = await recordNetwork(page);
    await page.tracing.start({ categories: WASM_COMPILE_TRACE });
    await page.goto(new URL(route, base).href, { waitUntil: 'load', timeout: INTERACTIVE_TIMEOUT_MS });
    await page.waitForSelector('main.page', { timeout: INTERACTIVE_TIMEOUT_MS });
    await page.waitForNetworkIdle({ idleTime: 500, timeout: INTERACTIVE_TIMEOUT_MS });
    const resources = await network.stop();
    const trace = JSON.parse(new TextDecoder().decode(await page.tracing.stop()));
    const sum = (key) => resources.reduce((total, r) => total + (r[key] ?? 0), 0);
    return {
      page: name,
      path: route,
      resources,
      total_bytes: sum('bytes'),
      total_body_bytes: sum('body_bytes'),
      wasm_first_calls: wasmFirstCalls(trace.traceEvents),
    };
  } finally {
    await context.close();
  }
}

/** The trace categories of the lazy compilation count: the compile events, the navigation. */
const WASM_COMPILE_TRACE = ['disabled-by-default-v8.wasm.detailed', 'blink.user_timing'];

/**
 * The WASM functions compiled at their first call on the page's main thread (the thread of
 * the page's `navigationStart`), and their body bytes; null when the trace has no navigation.
 */
function wasmFirstCalls(events) {
  const navigation = events.find(
    (e) => e.name === 'navigationStart' && e.args?.data?.isLoadingMainFrame && /^https?:/.test(e.args.data.documentLoaderURL ?? ''),
  );
  if (!navigation) return null;
  const compiles = events.filter(
    (e) => e.name === 'wasm.CompileBaseline' && e.pid === navigation.pid && e.tid === navigation.tid,
  );
  return {
    functions: compiles.length,
    body_bytes: compiles.reduce((total, e) => total + (e.args?.bodySize ?? 0), 0),
  };
}

function failingAudits(lhr, categoryId) {
  const category = lhr.categories[categoryId];
  const failing = [];
  for (const ref of category.auditRefs) {
    const audit = lhr.audits[ref.id];
    if (!audit || audit.score === null || audit.score >= 1) continue;
    if (['notApplicable', 'manual', 'informative', 'error'].includes(audit.scoreDisplayMode)) {
      continue;
    }
    failing.push({
      id: audit.id,
      title: audit.title,
      score: audit.score,
      weight: ref.weight,
      display_value: audit.displayValue ?? null,
    });
  }
  // Audits that could not run are reported too: they say why a score may be missing.
  for (const ref of category.auditRefs) {
    const audit = lhr.audits[ref.id];
    if (audit && audit.scoreDisplayMode === 'error') {
      failing.push({
        id: audit.id,
        title: audit.title,
        score: null,
        weight: ref.weight,
        display_value: `error: ${audit.errorMessage ?? 'unknown'}`,
      });
    }
  }
  return failing;
}

async function runLighthouse(lighthouse, port, base, { screen, path: route }) {
  const url = new URL(route, base).href;
  // Default config: mobile form factor and screen, simulated throttling (4x CPU, slow 4G).
  const result = await lighthouse(url, {
    port,
    output: 'json',
    logLevel: 'error',
    onlyCategories: CATEGORIES,
  });
  const lhr = result.lhr;
  const scores = {};
  const failing = {};
  for (const id of CATEGORIES) {
    const category = lhr.categories[id];
    scores[id] = category?.score == null ? null : Math.round(category.score * 100);
    failing[id] = category ? failingAudits(lhr, id) : [];
  }
  return {
    screen,
    path: route,
    url,
    final_url: lhr.finalDisplayedUrl ?? lhr.finalUrl ?? url,
    form_factor: lhr.configSettings.formFactor,
    throttling_method: lhr.configSettings.throttlingMethod,
    benchmark_index: lhr.environment?.benchmarkIndex ?? null,
    runtime_error: lhr.runtimeError?.message ?? null,
    warnings: lhr.runWarnings ?? [],
    scores,
    failing,
    fcp_ms: lhr.audits['first-contentful-paint']?.numericValue ?? null,
    lcp_ms: lhr.audits['largest-contentful-paint']?.numericValue ?? null,
    tbt_ms: lhr.audits['total-blocking-time']?.numericValue ?? null,
  };
}

async function main() {
  const base = process.argv[2];
  if (!base) throw new Error('usage: node frontend.mjs <base URL>');
  const url = new URL('/', base).href;
  const { default: puppeteer } = await load('puppeteer-core');
  const { default: lighthouse } = await load('lighthouse');

  const userDataDir = mkdtempSync(path.join(tmpdir(), 'bench-chromium-'));
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    userDataDir,
    args: CHROMIUM_FLAGS,
    defaultViewport: { width: 1280, height: 800 },
  });
  try {
    const chromium = await browser.version();
    const port = Number(new URL(browser.wsEndpoint()).port);
    log(`${chromium}, DevTools on port ${port}, ${LOADS} cold loads per condition of ${url}`);

    const conditions = [];
    let firstLoad = null;
    for (const condition of CONDITIONS) {
      if (ONLY_CONDITIONS && !ONLY_CONDITIONS.includes(condition.id)) continue;
      const times = [];
      const paints = [];
      for (let i = 0; i < LOADS; i++) {
        const { interactive_ms, heading_paint_ms, resources } = await coldLoad(browser, url, condition);
        times.push(interactive_ms);
        paints.push(heading_paint_ms ?? Infinity);
        if (!firstLoad) firstLoad = resources;
        log(`(${condition.id}) ${condition.name}: load ${i + 1}: ${interactive_ms.toFixed(1)} ms, heading painted ${heading_paint_ms?.toFixed(1)} ms`);
      }
      const paint = stats(paints);
      conditions.push({
        ...condition,
        interactive_ms: times.map(round),
        ...stats(times),
        heading_paint_ms: paints.map(round),
        heading_paint_median_ms: paint.median_ms,
      });
    }

    const firstLoads = [];
    for (const page of FIRST_LOAD_PAGES) {
      const load = await measureFirstLoad(browser, base, page);
      log(`first load of ${page.path}: ${load.total_bytes} B on the wire`);
      firstLoads.push(load);
    }

    const lighthouseRuns = [];
    for (const screen of SCREENS) {
      for (let run = 1; run <= LIGHTHOUSE_RUNS; run++) {
        log(`lighthouse ${screen.path}, run ${run}`);
        lighthouseRuns.push({ run, ...(await runLighthouse(lighthouse, port, base, screen)) });
      }
    }

    const report = {
      url,
      chromium,
      puppeteer_core: requireFromTools('puppeteer-core/package.json').version,
      lighthouse_version: requireFromTools('lighthouse/package.json').version,
      loads_per_condition: LOADS,
      conditions,
      first_load: {
        resources: firstLoad,
        total_bytes: firstLoad.reduce((sum, r) => sum + (r.bytes ?? 0), 0),
      },
      first_loads: firstLoads,
      lighthouse: lighthouseRuns,
    };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } finally {
    await browser.close();
    rmSync(userDataDir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  log(e?.stack ?? String(e));
  process.exit(1);
});
