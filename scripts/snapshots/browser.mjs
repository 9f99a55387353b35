// Headless Chromium for every browser fixture generator (snapshots, the
// sampling profile in scripts/fixtures, the timeline in scripts/timelines):
// `withPage` serves a few files from 127.0.0.1 and opens the page;
// `snapshotPage` runs a function in it and takes a heap snapshot over CDP like
// DevTools' Memory panel does (HeapProfiler.collectGarbage, then
// HeapProfiler.takeHeapSnapshot with the chunks from
// HeapProfiler.addHeapSnapshotChunk joined).
//
// The browser resolves no host but 127.0.0.1. Requires /usr/bin/chromium
// (apt-get install chromium; CHROMIUM overrides the path) and puppeteer-core,
// which is reused from scripts/fixtures (npm ci --prefix scripts/fixtures).
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { log, SNAPSHOTS_DIR } from './lib.mjs';

const require = createRequire(path.join(SNAPSHOTS_DIR, '..', 'fixtures', 'package.json'));
const puppeteer = require('puppeteer-core');

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8' };

// Every file of `dir`, by name.
export function filesOf(dir) {
  return Object.fromEntries(fs.readdirSync(dir).map((name) => [name, path.join(dir, name)]));
}

// Serves `files` (URL name -> path; `/` is index.html) on 127.0.0.1, on
// `port` if it is free (so the page URL is the same across runs).
function serve(files, port) {
  const server = http.createServer((req, res) => {
    const pathname = req.url.split('?')[0];
    const name = pathname === '/' ? 'index.html' : pathname.slice(1);
    const file = Object.hasOwn(files, name) ? files[name] : null;
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(name)] || 'application/octet-stream', 'cache-control': 'no-store' });
    res.end(fs.readFileSync(file));
  });
  return new Promise((resolve, reject) => {
    server.once('error', (e) => {
      if (e.code !== 'EADDRINUSE') return reject(e);
      server.listen(0, '127.0.0.1', () => resolve(server));
    });
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

async function takeSnapshot(cdp, params) {
  const chunks = [];
  const onChunk = (e) => chunks.push(e.chunk);
  cdp.on('HeapProfiler.addHeapSnapshotChunk', onChunk);
  try {
    await cdp.send('HeapProfiler.takeHeapSnapshot', params);
  } finally {
    cdp.off('HeapProfiler.addHeapSnapshotChunk', onChunk);
  }
  return chunks.join('');
}

// Serves `files` on 127.0.0.1 (`port` if free), opens the page (with
// `query` appended to its URL, if given) in headless Chromium and calls
// `work(page)`; returns `{ result, version }`: what `work` returned and the
// browser version. The browser, server and profile directory are gone when
// it returns.
export async function withPage({ files, port, query = '' }, work) {
  const server = await serve(files, port);
  const origin = `http://127.0.0.1:${server.address().port}`;
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'heapdiff-chromium-'));
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    pipe: true,
    userDataDir,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-domain-reliability',
      '--disable-client-side-phishing-detection',
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
    ],
  });
  try {
    const version = await browser.version();
    const page = await browser.newPage();
    await page.goto(`${origin}/${query}`, { waitUntil: 'load' });
    return { result: await work(page), version };
  } finally {
    await browser.close();
    server.close();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
}

// Loads the page of `files` in headless Chromium, runs `prepare` in it (its
// result is logged) and returns `{ text, version }`: the snapshot's text and
// the browser version.
export async function snapshotPage({ files, port, prepare }) {
  const { result: text, version } = await withPage({ files, port }, async (page) => {
    const result = await page.evaluate(prepare);
    log(`page: ${JSON.stringify(result)}`);
    const profiler = await heapProfilerOf(page);
    try {
      return await profiler.snapshot();
    } finally {
      await profiler.close();
    }
  });
  return { text, version };
}

// The page's heap profiler over one CDP session, enabled as long as the
// Memory panel is open: object ids stay the same from one snapshot to the
// next only while it stays enabled (disabling it clears V8's id map).
// `snapshot()` takes one as the panel does (a garbage collection, then the
// snapshot's chunks joined); `close()` disables it.
export async function heapProfilerOf(page) {
  const cdp = await page.createCDPSession();
  await cdp.send('HeapProfiler.enable');
  return {
    async snapshot() {
      await cdp.send('HeapProfiler.collectGarbage');
      return takeSnapshot(cdp, { reportProgress: false });
    },
    async close() {
      await cdp.send('HeapProfiler.disable');
      await cdp.detach();
    },
  };
}
