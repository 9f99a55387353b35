// fixtures/browser-dom/{leak,fixed}/: three heap snapshots (baseline,
// target, final) of one page in headless Chromium that re-renders an order
// list page by page (browser-dom-leak/). The leak build's listener keeps
// every removed <li> row in an array (detached DOM that grows with every
// page); the fixed build keeps only the rows' ids. Snapshots are taken over
// CDP like DevTools' Memory panel does (browser.mjs), one page and one heap
// profiler session per build, so object ids are comparable within a build.
//
// The page is served from 127.0.0.1; the browser resolves no other host.
// Requires /usr/bin/chromium (apt-get install chromium) and puppeteer-core,
// which is reused from scripts/fixtures (npm ci --prefix scripts/fixtures).
// Usage: node scripts/snapshots/gen-browser-dom-leak.mjs
import path from 'node:path';
import { filesOf, heapProfilerOf, withPage } from './browser.mjs';
import { caseDir, log, SNAPSHOTS_DIR, writeCaseToml, writeInput } from './lib.mjs';

// Pages rendered before each snapshot: warm-up, then two equal steps.
const STEPS = [['baseline', 3], ['target', 10], ['final', 10]];
const PORT = 47615;

async function record(build) {
  const files = filesOf(path.join(SNAPSHOTS_DIR, 'browser-dom-leak'));
  const { result: snapshots, version } = await withPage({ files, port: PORT, query: `?build=${build}` }, async (page) => {
    const profiler = await heapProfilerOf(page);
    const out = [];
    for (const [name, pages] of STEPS) {
      const state = await page.evaluate((n) => window.renderPages(n), pages);
      log(`${build} ${name}: ${JSON.stringify(state)}`);
      out.push([name, await profiler.snapshot()]);
    }
    await profiler.close();
    return out;
  });
  const dir = caseDir(`browser-dom/${build}`);
  for (const [name, text] of snapshots) writeInput(dir, `${name}.heapsnapshot`, text, { gzip: true });
  const kept = build === 'leak' ? 'keeps every removed <li> row (with its <span>, <b> and texts) in the array removedRows of the listener onRowsRemoved (app.js), so the detached rows grow by 40 per page' : 'keeps only the ids of removed rows (strings in removedIds), so no detached row survives';
  writeCaseToml(dir, {
    description: `Chromium page re-rendering an order list 40 rows at a time (${build} build): its removal listener ${kept}. Snapshots after ${STEPS.map(([n, p]) => `${n} (+${p} pages)`).join(', ')}, one page, ids comparable.`,
    source: `node scripts/snapshots/gen-browser-dom-leak.mjs (page browser-dom-leak/?build=${build} on 127.0.0.1; one CDP session with HeapProfiler enabled throughout, collectGarbage then takeHeapSnapshot {reportProgress: false} after each step; ${process.version}; ${version} from Debian chromium)`,
  });
}

await record('leak');
await record('fixed');
