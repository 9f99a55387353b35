'use strict';
// The series service: a small JSON HTTP API on node:http (no dependencies).
//   POST /orders      parse the order, file it in the request log (cache.js)
//   GET  /items/:id   a fake catalogue row, cached in a bounded LRU
//   GET  /stats       sizes of the caches
// Usage: node server.js --build=leak|fixed|control
// Run by scripts/series/gen-series.mjs through child_process.fork() with
// recorder.js preloaded (--require), which handles the recording commands;
// this file only reports its port. Listens on 127.0.0.1 only.
const http = require('node:http');
const { configure, itemCache, rememberRequest, stats } = require('./cache');
const { parseOrder } = require('./orders');

// A fake catalogue row; every row has the same size (ids are three digits).
function loadItem(id) {
  const n = Number(id);
  const variants = [];
  for (let i = 0; i < 4; i++) variants.push({ sku: `SKU-${id}-${i}`, stock: 10 + ((n * 7 + i) % 50) });
  return { id: n, name: `Item number ${id}`, description: 'x'.repeat(60), variants };
}

function sendJson(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function handleGetItem(res, id) {
  let json = itemCache.get(id);
  if (json === undefined) {
    json = JSON.stringify(loadItem(id));
    itemCache.set(id, json);
  }
  sendJson(res, 200, json);
}

function handlePostOrder(req, res) {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    let order;
    try {
      order = parseOrder(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return sendJson(res, 400, '{"error":"bad order"}');
    }
    const seq = rememberRequest(req.method, req.url, req.headers, order);
    sendJson(res, 201, JSON.stringify({ seq, total: order.total }));
  });
}

function route(req, res) {
  const m = /^\/items\/(\d{3})$/.exec(req.url);
  if (req.method === 'GET' && m) return handleGetItem(res, m[1]);
  if (req.method === 'POST' && req.url === '/orders') return handlePostOrder(req, res);
  if (req.method === 'GET' && req.url === '/stats') return sendJson(res, 200, JSON.stringify(stats()));
  sendJson(res, 404, '{"error":"not found"}');
}

const buildArg = process.argv.find((a) => a.startsWith('--build='));
configure(buildArg ? buildArg.slice('--build='.length) : 'leak');
const server = http.createServer(route);
// The client's one keep-alive connection stays open while a snapshot is written.
server.keepAliveTimeout = 120000;
server.listen(0, '127.0.0.1', () => process.send({ type: 'listening', port: server.address().port }));
