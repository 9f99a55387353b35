// Decodes a gzip-compressed pprof profile (heapdiff export --pprof) with the
// `pprof-format` package, an independent decoder, and prints what the
// tests compare as one JSON object:
//   {"sample_types": [["space", "bytes"]], "period_type": [...], "period": N,
//    "samples": N, "total": N, "locations": N, "functions": N,
//    "dangling_locations": N, "dangling_functions": N, "string_table_0": ""}
// `total` is Σ of each sample's first value. Exit 1 on a decode error.
//
// Usage: node check-pprof.mjs PROFILE.pb.gz

import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { Profile } from 'pprof-format';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: node check-pprof.mjs PROFILE.pb.gz\n');
  process.exit(2);
}

try {
  const profile = Profile.decode(gunzipSync(readFileSync(file)));
  const strings = profile.stringTable.strings;
  const str = (i) => strings[Number(i)];
  const valueType = (t) => (t ? [str(t.type), str(t.unit)] : null);
  const locationIds = new Set(profile.location.map((l) => String(l.id)));
  const functionIds = new Set(profile.function.map((f) => String(f.id)));
  let total = 0n;
  let danglingLocations = 0;
  for (const s of profile.sample) {
    total += BigInt(s.value[0] ?? 0);
    for (const id of s.locationId) {
      if (!locationIds.has(String(id))) danglingLocations++;
    }
  }
  let danglingFunctions = 0;
  for (const l of profile.location) {
    for (const line of l.line) {
      if (!functionIds.has(String(line.functionId))) danglingFunctions++;
    }
  }
  const out = {
    sample_types: profile.sampleType.map(valueType),
    period_type: valueType(profile.periodType),
    period: Number(profile.period),
    samples: profile.sample.length,
    total: Number(total),
    locations: profile.location.length,
    functions: profile.function.length,
    dangling_locations: danglingLocations,
    dangling_functions: danglingFunctions,
    string_table_0: strings[0],
  };
  process.stdout.write(JSON.stringify(out) + '\n');
} catch (e) {
  process.stderr.write(`check-pprof: ${file}: ${e && e.message ? e.message : e}\n`);
  process.exit(1);
}
