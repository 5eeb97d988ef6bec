// The DOM of a page once the app has rendered it (xtask/src/shell.rs, the static shells).
//
//   node xtask/snapshot.mjs CHROMIUM URL SELECTOR...
//
// Prints `document.documentElement.outerHTML` of URL in headless Chromium once every SELECTOR
// matches an element and the DOM has stayed the same for SETTLED_MS; fails after TIMEOUT_MS of
// real time, printing the last DOM it saw.
//
// Why not `chromium --dump-dom --virtual-time-budget`: virtual time waits for network fetches,
// not for the WASM's compilation, and runs on while the main thread is idle. On a loaded
// machine (CI's two cores, a fuzz build beside) the budget ran out before the app had rendered
// its screen: 12 of 20 dumps of /signup had no <main>. Here the wait is real and has a
// condition.
//
// Chromium is driven over the DevTools protocol on a pipe (`--remote-debugging-pipe`: file
// descriptors 3 and 4, messages of JSON ended by a NUL byte), so nothing listens on a port and
// no client library is needed.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const TIMEOUT_MS = 60_000;
const POLL_MS = 100;
const SETTLED_MS = 300;

const [chromium, url, ...selectors] = process.argv.slice(2);
if (!chromium || !url || selectors.length === 0) {
  throw new Error('usage: node xtask/snapshot.mjs CHROMIUM URL SELECTOR...');
}

const profile = mkdtempSync(path.join(tmpdir(), 'pl-snapshot-'));
const browser = spawn(
  chromium,
  [
    '--headless=new',
    '--no-sandbox',
    '--disable-gpu',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--lang=en-US',
    '--remote-debugging-pipe',
    `--user-data-dir=${profile}`,
    'about:blank',
  ],
  { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] },
);
let stderr = '';
browser.stderr.on('data', (chunk) => {
  stderr += chunk;
});
const toBrowser = browser.stdio[3];
const fromBrowser = browser.stdio[4];

let nextId = 1;
const waiting = new Map();
let buffered = Buffer.alloc(0);
fromBrowser.on('data', (chunk) => {
  buffered = Buffer.concat([buffered, chunk]);
  let end;
  while ((end = buffered.indexOf(0)) >= 0) {
    const message = JSON.parse(buffered.subarray(0, end).toString('utf8'));
    buffered = buffered.subarray(end + 1);
    const pending = waiting.get(message.id);
    if (!pending) continue;
    waiting.delete(message.id);
    if (message.error) pending.reject(new Error(`${pending.method}: ${message.error.message}`));
    else pending.resolve(message.result);
  }
});
const closed = new Promise((resolve) => browser.on('exit', resolve));
closed.then(() => {
  for (const { reject } of waiting.values()) reject(new Error(`Chromium exited:\n${stderr}`));
});

const send = (method, params = {}, sessionId) =>
  new Promise((resolve, reject) => {
    const id = nextId++;
    waiting.set(id, { resolve, reject, method });
    toBrowser.write(`${JSON.stringify({ id, method, params, sessionId })}\0`);
  });
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// The page's DOM if every selector matches, else null.
const expression = `(() => {
  const needed = ${JSON.stringify(selectors)};
  if (!needed.every((s) => document.querySelector(s))) return null;
  return document.documentElement.outerHTML;
})()`;

let last = '';
let done = false;
try {
  const { targetId } = await send('Target.createTarget', { url: 'about:blank' });
  const { sessionId } = await send('Target.attachToTarget', { targetId, flatten: true });
  await send('Page.navigate', { url }, sessionId);
  const started = Date.now();
  let seen = null;
  let seenAt = 0;
  for (;;) {
    const { result } = await send(
      'Runtime.evaluate',
      { expression, returnByValue: true },
      sessionId,
    );
    const dom = result.value ?? null;
    if (dom !== null && dom === seen && Date.now() - seenAt >= SETTLED_MS) {
      process.stdout.write(`<!DOCTYPE html>\n${dom}\n`);
      break;
    }
    if (dom !== seen) {
      seen = dom;
      seenAt = Date.now();
    }
    if (dom === null) {
      const { result: now } = await send(
        'Runtime.evaluate',
        { expression: 'document.documentElement.outerHTML', returnByValue: true },
        sessionId,
      );
      last = now.value ?? '';
    }
    if (Date.now() - started > TIMEOUT_MS) {
      throw new Error(
        `${url}: after ${TIMEOUT_MS / 1000} s, not every one of ${selectors.join(', ')} is in the page:\n${last}`,
      );
    }
    await sleep(POLL_MS);
  }
  done = true;
  await send('Browser.close').catch(() => {});
} finally {
  if (browser.exitCode === null) {
    if (!done) browser.kill('SIGTERM');
    const killer = setTimeout(() => browser.kill('SIGKILL'), 5_000);
    await closed;
    clearTimeout(killer);
  }
  rmSync(profile, { recursive: true, force: true });
}
