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
import path from 'node:path';
import { filesOf, withPage } from '../snapshots/browser.mjs';
import { caseDir, log, timelineInfo, TIMELINES_DIR, writeCaseToml, writeInput } from './lib.mjs';

const PREFERRED_PORT = 47615; // fixed so the page URL is the same across runs
const RUN_MS = 3000;
const LEAK_AT_MS = 1500;

let statsUpdates = 0;
const { result: text, version } = await withPage(
  { files: filesOf(path.join(TIMELINES_DIR, 'browser-page')), port: PREFERRED_PORT },
  async (page) => {
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
    return chunks.join('');
  },
);

const info = timelineInfo(text, 'browser-page');
log(`browser-page: ${JSON.stringify(info)}; ${statsUpdates} heapStatsUpdate events`);
const dir = caseDir('heaptimeline/browser-page');
writeInput(dir, 'input.heaptimeline', text);
writeCaseToml(dir, {
  description: `Allocation timeline of a small page in headless Chromium (browser-page/app.js): ~3 s of garbage from makeGarbageEvent/renderSummary/buildTempVectors/TempVector, and from ~1.5 s on leakyCollect() (LeakedSession records with user/note/label strings and history/tags arrays; the function is kept too big for TurboFan to inline) kept by the top-level array leakedSessions, so leakyCollect/LeakedSession have the big live sizes while the garbage functions have big total sizes. ${info.samples} timeline samples over ${(info.durationUs / 1e6).toFixed(2)} s; header trace_function_count ${info.headerTraceFunctionCount}, ${info.traceFunctionInfos} trace function infos, ${info.traceNodes} trace nodes. Newer V8 layout (Chromium's).`,
  source: `node scripts/timelines/gen-browser.mjs (CDP HeapProfiler.enable, startTrackingHeapObjects {trackAllocations: true}, page workload, stopTrackingHeapObjects {reportProgress: false}, addHeapSnapshotChunk chunks joined; page on 127.0.0.1; ${process.version}; ${version} from Debian chromium)`,
});
