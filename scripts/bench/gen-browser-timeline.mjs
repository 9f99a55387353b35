#!/usr/bin/env node
// Generates a large allocation timeline (`.heaptimeline`) of a page in
// headless Chromium whose trace tree is large (about 2 million trace nodes
// at the default size), for the timeline benchmarks: the page
// (browser-timeline-page/) calls 3,000 generated functions along
// pseudo-random paths. Recorded over CDP as DevTools' "Allocation
// instrumentation on timeline" does (HeapProfiler.startTrackingHeapObjects
// with trackAllocations, the workload, stopTrackingHeapObjects); each
// HeapProfiler.addHeapSnapshotChunk chunk is written to the file as it
// arrives. The workload runs without one long-running evaluate call (the
// page is polled until it is done), since allocation tracking makes it
// slow on a busy machine.
//
//   node scripts/bench/gen-browser-timeline.mjs [--units 160] [--per-unit 50] [--out FILE]
//
// The defaults give ~760 MB (10.4 M nodes, 2.05 M trace nodes) in a few
// minutes on 2 cores; the size grows with units × per-unit. Default FILE:
// /tmp/heapdiff-bench/chromium-timeline.heaptimeline.
// Requires /usr/bin/chromium and puppeteer-core (npm ci --prefix scripts/fixtures).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { filesOf, withPage } from '../snapshots/browser.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const PORT = 47699;

function option(name, fallback) {
  const at = process.argv.indexOf(name);
  if (at < 0) return fallback;
  const value = process.argv[at + 1];
  if (value === undefined) {
    console.error(`gen-browser-timeline: ${name} needs a value`);
    process.exit(2);
  }
  return value;
}

const units = Number(option('--units', '160'));
const perUnit = Number(option('--per-unit', '50'));
const out = option('--out', '/tmp/heapdiff-bench/chromium-timeline.heaptimeline');
if (!(units > 0 && perUnit > 0)) {
  console.error('gen-browser-timeline: --units and --per-unit must be positive numbers');
  process.exit(2);
}
fs.mkdirSync(path.dirname(out), { recursive: true });

const { result: bytes } = await withPage(
  { files: filesOf(path.join(HERE, 'browser-timeline-page')), port: PORT },
  async (page) => {
    const cdp = await page.createCDPSession();
    const fd = fs.openSync(out, 'w');
    let written = 0;
    cdp.on('HeapProfiler.addHeapSnapshotChunk', (e) => {
      fs.writeSync(fd, e.chunk);
      written += Buffer.byteLength(e.chunk);
    });
    await cdp.send('HeapProfiler.enable');
    await cdp.send('HeapProfiler.startTrackingHeapObjects', { trackAllocations: true });
    await page.evaluate((u, p) => { window.runBig(u, p); }, units, perUnit);
    let calls;
    while ((calls = await page.evaluate(() => window.doneN)) === undefined) {
      await new Promise((resolve) => setTimeout(resolve, 3000));
    }
    console.error(`gen-browser-timeline: ${calls} calls kept`);
    await cdp.send('HeapProfiler.stopTrackingHeapObjects', { reportProgress: false });
    await cdp.send('HeapProfiler.disable');
    fs.closeSync(fd);
    return written;
  },
);
console.error(`gen-browser-timeline: wrote ${out} (${bytes} bytes)`);
