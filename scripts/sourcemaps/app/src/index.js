// A small service-like program: a request log that keeps every record
// (the leak) and a report builder whose buffers are dropped.
const { RequestLog } = require('./request-log');
const { buildReport } = require('./report');
const { LRUCache } = require('lru-cache');

function handleRequest(log, recent, i) {
  const body = { id: i, path: '/items/' + (i % 97), payload: 'x'.repeat(64 + (i % 32)) };
  log.remember(body);
  recent.set(body.path, body.payload.toUpperCase());
  if (i % 10 === 0) {
    buildReport(log, i);
  }
}

function main() {
  const log = new RequestLog();
  const recent = new LRUCache({ max: 50 });
  const rounds = Number(process.argv[2] || 20000);
  for (let i = 0; i < rounds; i++) {
    handleRequest(log, recent, i);
  }
  console.log(`kept ${log.size()} records`);
  // Exit while the log is still reachable, so that `--heap-prof` writes
  // its records as live.
  process.exit(0);
}

main();
