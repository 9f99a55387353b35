// More reference numbers from Chrome DevTools' own heap snapshot engine, for
// what shared/oracle/dump.mjs does not print. Run through scripts/oracle/run.sh,
// which sets HEAPDIFF_ORACLE_BUNDLE to the bundle it installed.
//
//   compare-ui BASE FILE  the Comparison exactly as the Memory panel computes
//                         it (HeapSnapshotDataGrids.ts, HeapSnapshotDiffDataGrid):
//                         the base's plain objects are classed with the CURRENT
//                         snapshot's interface definitions (formats §9 step 1).
//                         The shared dump.mjs compare passes the same
//                         definitions (older copies passed '[]', which left
//                         every base plain object `Object`).
//   samples FILE          timeline interval sizes (formats §10.1): getSamples()
//   statistics FILE       the Statistics pie (formats §7.10): getStatistics()
//
// Output: JSON on stdout, same style as dump.mjs.
import fs from 'node:fs';
import { MessageChannel } from 'node:worker_threads';

const bundle = process.env.HEAPDIFF_ORACLE_BUNDLE;
if (!bundle || !fs.existsSync(bundle)) {
  console.error('HEAPDIFF_ORACLE_BUNDLE not set or missing; run through scripts/oracle/run.sh');
  process.exit(2);
}
const { HeapSnapshotLoader, SecondaryInitManager } = await import(bundle);

// Same loading steps as dump.mjs.
const ports = [];
async function load(file) {
  const loader = new HeapSnapshotLoader(undefined);
  for await (const chunk of fs.createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 })) loader.write(chunk);
  loader.close();
  await loader.parsingComplete;
  const channel = new MessageChannel();
  ports.push(channel.port1, channel.port2);
  new SecondaryInitManager(channel.port2);
  return loader.buildSnapshot(channel.port1);
}
const byName = (a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

const [cmd, a, b] = process.argv.slice(2);
let out;
if (cmd === 'compare-ui' && a && b) {
  const base = await load(a);
  const cur = await load(b);
  // HeapSnapshotDiffDataGrid.setBaseDataSource: interfaceDefinitions of the
  // current snapshot, aggregatesForDiff on the base, calculateSnapshotDiff on
  // the current one.
  const defs = cur.interfaceDefinitions();
  const diff = cur.calculateSnapshotDiff(1, base.aggregatesForDiff(defs));
  out = {
    classes: Object.entries(diff).map(([key, d]) => ({
      key, name: d.name, new: d.addedCount, deleted: d.removedCount, delta: d.countDelta,
      allocSize: d.addedSize, freedSize: d.removedSize, sizeDelta: d.sizeDelta,
    })).sort(byName),
  };
} else if (cmd === 'samples' && a && !b) {
  const s = await load(a);
  const samples = s.getSamples();
  out = samples
    ? { timestamps: Array.from(samples.timestamps), lastAssignedIds: Array.from(samples.lastAssignedIds), sizes: Array.from(samples.sizes) }
    : null;
} else if (cmd === 'statistics' && a && !b) {
  const s = await load(a);
  out = s.getStatistics();
} else {
  console.error('usage: node extra.mjs compare-ui BASE FILE | samples FILE | statistics FILE');
  process.exit(2);
}
for (const p of ports) p.close();
process.stdout.write(JSON.stringify(out, null, 1) + '\n');
process.exit(0);
