'use strict';
// Small HTTP service with a leak (see cache.js), driven by
// scripts/snapshots/gen-node-leak.mjs through child_process.fork():
//   child -> parent  {type: 'listening', port}
//   parent -> child  {type: 'snapshot', file}   v8.writeHeapSnapshot(file)
//   child -> parent  {type: 'written', file}
//   parent -> child  {type: 'stop'}
// Only listens on 127.0.0.1.
const http = require('node:http');
const v8 = require('node:v8');
const { itemCache, rememberRequest, stats } = require('./cache');

function loadItem(id) {
  const n = Number(id);
  const variants = [];
  for (let i = 0; i < 3; i++) variants.push({ sku: `SKU-${n}-${i}`, stock: (n * 7 + i) % 50 });
  return { id: n, name: `Item number ${n}`, variants };
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
    const raw = Buffer.concat(chunks).toString('utf8');
    let order;
    try {
      order = JSON.parse(raw);
    } catch {
      return sendJson(res, 400, '{"error":"bad json"}');
    }
    if (!order || !Array.isArray(order.items)) return sendJson(res, 422, '{"error":"no items"}');
    const total = order.items.reduce((t, it) => t + it.qty * it.price, 0);
    const seq = rememberRequest(req.method, req.url, req.headers, raw, order);
    sendJson(res, 201, JSON.stringify({ seq, total: Math.round(total * 100) / 100 }));
  });
}

function route(req, res) {
  const m = /^\/items\/(\d+)$/.exec(req.url);
  if (req.method === 'GET' && m) return handleGetItem(res, m[1]);
  if (req.method === 'POST' && req.url === '/orders') return handlePostOrder(req, res);
  if (req.method === 'GET' && req.url === '/stats') return sendJson(res, 200, JSON.stringify(stats()));
  sendJson(res, 404, '{"error":"not found"}');
}

const server = http.createServer(route);
server.listen(0, '127.0.0.1', () => process.send({ type: 'listening', port: server.address().port }));

process.on('message', (msg) => {
  if (msg && msg.type === 'snapshot') {
    // Written while the server is up and the request log is live.
    const file = v8.writeHeapSnapshot(msg.file);
    process.send({ type: 'written', file });
  } else if (msg && msg.type === 'stop') {
    server.close();
    process.disconnect();
  }
});
