// A leak in a program run by Bun, whose V8-format heap snapshots number the
// objects anew in every snapshot: each "request" leaves a RequestRecord in
// the module's requestLog array. Three snapshots, 2000 more records before
// each. Usage: bun leak.mjs OUT_DIR
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

class RequestRecord {
  constructor(i) {
    this.id = i;
    this.path = '/item/' + i;
    this.body = 'x'.repeat(200) + i;
  }
}

const requestLog = [];

function handle(i) {
  const record = new RequestRecord(i);
  requestLog.push(record);
  return record.path.length;
}

const out = process.argv[2] || '.';
const names = ['before', 'middle', 'after'];
let next = 0;
for (const name of names) {
  for (let i = 0; i < 2000; i++) handle(next++);
  Bun.gc(true);
  writeFileSync(join(out, `${name}.heapsnapshot`), Bun.generateHeapSnapshot('v8'));
}
