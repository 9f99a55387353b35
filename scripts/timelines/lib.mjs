// Shared helpers for the allocation timeline fixture generators in
// scripts/timelines/. The case-dir / case.toml / input-writing conventions are
// those of scripts/snapshots/lib.mjs (re-exported from there: case.toml with
// `description` and `source`, inputs over 1 MiB stored with gzip -9 -n, a
// 1.5 MiB budget per gzipped input); this adds timeline checks.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export { caseDir, FIXTURES_DIR, NODE_VERSION, REPO_ROOT, rel, writeCaseToml, writeInput } from '../snapshots/lib.mjs';

export const TIMELINES_DIR = path.dirname(fileURLToPath(import.meta.url));

export function log(msg) {
  process.stderr.write(`[timelines] ${msg}\n`);
}

// Facts about a .heaptimeline text (V8 layout), for the logs and the report:
// header trace_function_count vs the number of records in
// trace_function_infos, timeline samples, trace tree size.
export function timelineInfo(text, label) {
  const obj = JSON.parse(text);
  const { meta } = obj.snapshot;
  const tfFields = meta.trace_function_info_fields?.length ?? 0;
  const sFields = meta.sample_fields?.length ?? 0;
  const tnFields = meta.trace_node_fields?.length ?? 0;
  if (!tfFields || !sFields || !tnFields) throw new Error(`${label}: no trace/sample fields in meta; not an allocation timeline`);
  const infosLen = obj.trace_function_infos.length;
  if (infosLen % tfFields !== 0) throw new Error(`${label}: trace_function_infos length ${infosLen} not a multiple of ${tfFields}`);
  const samples = obj.samples ?? [];
  const tsCol = meta.sample_fields.indexOf('timestamp_us');
  const idCol = meta.sample_fields.indexOf('last_assigned_id');
  const n = samples.length / sFields;
  let traceNodes = 0;
  const walk = (tuple) => {
    traceNodes++;
    const kids = tuple[tnFields - 1];
    for (let i = 0; i < kids.length; i += tnFields) walk(kids.slice(i, i + tnFields));
  };
  if (obj.trace_tree.length) walk(obj.trace_tree);
  return {
    nodeCount: obj.snapshot.node_count,
    edgeCount: obj.snapshot.edge_count,
    headerTraceFunctionCount: obj.snapshot.trace_function_count,
    traceFunctionInfos: infosLen / tfFields,
    traceNodes,
    samples: n,
    durationUs: n ? samples[(n - 1) * sFields + tsCol] : 0,
    firstLastAssignedId: n ? samples[idCol] : 0,
    lastLastAssignedId: n ? samples[(n - 1) * sFields + idCol] : 0,
  };
}

// The same text with the header's trace_function_count replaced by the real
// number of trace_function_infos records. Only the header is touched (a
// textual edit of the first `"trace_function_count":N`), so the rest of the
// file stays byte for byte as V8 wrote it.
export function fixTraceFunctionCount(text, count) {
  const re = /"trace_function_count":\d+/;
  const headEnd = text.indexOf('"nodes":');
  const m = re.exec(text.slice(0, headEnd));
  if (!m) throw new Error('no trace_function_count in the header');
  return text.slice(0, m.index) + `"trace_function_count":${count}` + text.slice(m.index + m[0].length);
}

// Removes a case dir made earlier by GENERATOR (its case.toml source starts
// with `node scripts/timelines/GENERATOR`) that this run no longer produces.
export function removeStaleCase(dir, generator) {
  const toml = path.join(dir, 'case.toml');
  if (!fs.existsSync(toml)) return;
  if (!fs.readFileSync(toml, 'utf8').includes(`source = "node scripts/timelines/${generator}`)) return;
  fs.rmSync(dir, { recursive: true, force: true });
  log(`removed stale ${path.relative(process.cwd(), dir)}`);
}
