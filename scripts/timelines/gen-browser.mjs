// fixtures/heaptimeline/browser-page/input.heaptimeline.gz: an allocation
// timeline of a page in headless Chromium, recorded over CDP like DevTools'
// "Allocation instrumentation on timeline" with "Allocation stack traces"
// on: HeapProfiler.startTrackingHeapObjects({trackAllocations: true}), the
// page's ~3 s workload (browser-page/app.js), then
// stopTrackingHeapObjects({reportProgress: false}); the chunks of
// HeapProfiler.addHeapSnapshotChunk are joined in order. Until ~1.5 s the
// page allocates only garbage; from then on leakyCollect() keeps its
// LeakedSession objects in the top-level array leakedSessions.
//
// The page is served from 127.0.0.1; the browser resolves no other host.
// Requires /usr/bin/chromium (apt-get install chromium) and puppeteer-core,
// which is reused from scripts/fixtures (npm ci --prefix scripts/fixtures).
// Usage: node scripts/timelines/gen-browser.mjs
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { caseDir, log, timelineInfo, TIMELINES_DIR, writeCaseToml, writeInput } from './lib.mjs';

const require = createRequire(path.join(TIMELINES_DIR, '..', 'fixtures', 'package.json'));
const puppeteer = require('puppeteer-core');

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const PREFERRED_PORT = 47615; // fixed so the page URL is the same across runs
const PAGE_DIR = path.join(TIMELINES_DIR, 'browser-page');
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8' };
const RUN_MS = 3000;
const LEAK_AT_MS = 1500;

function serve() {
  const server = http.createServer((req, res) => {
    const name = req.url === '/' ? 'index.html' : req.url.slice(1);
    const file = path.join(PAGE_DIR, name);
    if (!/^[\w.-]+$/.test(name) || !fs.existsSync(file)) {
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
    server.listen(PREFERRED_PORT, '127.0.0.1', () => resolve(server));
  });
}

const server = await serve();
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
let text;
let version;
let statsUpdates = 0;
try {
  version = await browser.version();
  const page = await browser.newPage();
  await page.goto(`${origin}/`, { waitUntil: 'load' });
  const cdp = await page.createCDPSession();
  const chunks = [];
  cdp.on('HeapProfiler.addHeapSnapshotChunk', (e) => chunks.push(e.chunk));
  cdp.on('HeapProfiler.heapStatsUpdate', () => statsUpdates++);
  await cdp.send('HeapProfiler.enable');
  await cdp.send('HeapProfiler.startTrackingHeapObjects', { trackAllocations: true });
  const result = await page.evaluate((runMs, leakAtMs) => window.runTimelineWorkload(runMs, leakAtMs), RUN_MS, LEAK_AT_MS);
  log(`page: ${JSON.stringify(result)}`);
  await cdp.send('HeapProfiler.stopTrackingHeapObjects', { reportProgress: false });
  await cdp.send('HeapProfiler.disable');
  text = chunks.join('');
} finally {
  await browser.close();
  server.close();
  fs.rmSync(userDataDir, { recursive: true, force: true });
}

const info = timelineInfo(text, 'browser-page');
log(`browser-page: ${JSON.stringify(info)}; ${statsUpdates} heapStatsUpdate events`);
const dir = caseDir('heaptimeline/browser-page');
writeInput(dir, 'input.heaptimeline', text);
writeCaseToml(dir, {
  description: `Allocation timeline of a small page in headless Chromium (browser-page/app.js): ~3 s of garbage from makeGarbageEvent/renderSummary/buildTempVectors/TempVector, and from ~1.5 s on leakyCollect() (LeakedSession records with user/note/label strings and history/tags arrays; the function is kept too big for TurboFan to inline) kept by the top-level array leakedSessions, so leakyCollect/LeakedSession have the big live sizes while the garbage functions have big total sizes. ${info.samples} timeline samples over ${(info.durationUs / 1e6).toFixed(2)} s; header trace_function_count ${info.headerTraceFunctionCount}, ${info.traceFunctionInfos} trace function infos, ${info.traceNodes} trace nodes. Newer V8 layout (Chromium's).`,
  source: `node scripts/timelines/gen-browser.mjs (CDP HeapProfiler.enable, startTrackingHeapObjects {trackAllocations: true}, page workload, stopTrackingHeapObjects {reportProgress: false}, addHeapSnapshotChunk chunks joined; page on 127.0.0.1; ${process.version}; ${version} from Debian chromium)`,
});
