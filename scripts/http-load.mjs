// The HTTP load that the node service generators send to the service they
// record (scripts/series/gen-series.mjs, scripts/snapshots/gen-node-leak.mjs,
// scripts/fixtures/gen-service.mjs): a seeded mix of POST /orders, GET
// /items/:id and GET /stats, and a keep-alive client on 127.0.0.1 that sends
// it. Each generator describes its own mix (a `Traffic`, below), so the
// requests of every committed recording stay what they were.
import http from 'node:http';

// A Traffic says how a generator's requests are drawn:
//   orders       a draw below this is a POST /orders
//   lookups      a draw below this (and not below `orders`) is a GET
//                /items/:id; the rest are GET /stats
//   itemIds      how many item ids the lookups spread over
//   lines        order lines per order: a number, or [min, max] drawn
//   fixedWidth   every number written with a fixed width and prices whole,
//                so that every order has the same size; otherwise plain
//                numbers and prices in cents
//   noteMargin, customerMargin   blanks around the note and customer texts
//   currency     the order's currency field, or none
//
// The draws come in one order whatever the Traffic (kind, the line count when
// it is drawn, then sku, qty, price, note of each line, then customer), so a
// Traffic's requests depend only on the seed.
export function serviceRequests(rnd, count, traffic) {
  const reqs = [];
  for (let i = 0; i < count; i++) {
    const r = rnd();
    if (r < traffic.orders) {
      reqs.push({ method: 'POST', path: '/orders', body: orderBody(rnd, traffic) });
    } else if (r < traffic.lookups) {
      reqs.push({ method: 'GET', path: `/items/${number(traffic, Math.floor(rnd() * traffic.itemIds), 3)}` });
    } else {
      reqs.push({ method: 'GET', path: '/stats' });
    }
  }
  return reqs;
}

function number(traffic, n, width) {
  return traffic.fixedWidth ? String(n).padStart(width, '0') : String(n);
}

function lineCount(rnd, lines) {
  if (typeof lines === 'number') return lines;
  const [min, max] = lines;
  return min + Math.floor(rnd() * (max - min + 1));
}

function orderBody(rnd, traffic) {
  const items = [];
  const n = lineCount(rnd, traffic.lines);
  for (let j = 0; j < n; j++) {
    const sku = `sku-${number(traffic, Math.floor(rnd() * 5000), 4)}`;
    const qty = 1 + Math.floor(rnd() * 9);
    const price = traffic.fixedWidth ? 10 + Math.floor(rnd() * 90) : Math.round(rnd() * 10000) / 100;
    const day = number(traffic, 1 + Math.floor(rnd() * 28), 2);
    const m = traffic.noteMargin;
    items.push({ sku, qty, price, note: `${m}gift wrap ${j}, deliver before ${day} March${m}` });
  }
  const c = traffic.customerMargin;
  const order = { customer: `${c}customer-${number(traffic, Math.floor(rnd() * 900), 3)}${c}` };
  if (traffic.currency) order.currency = traffic.currency;
  order.items = items;
  return JSON.stringify(order);
}

// Sends one request `r` ({method, path, body?}) with the request id `id`;
// resolves on a 2xx answer, rejects on any other, an error or 10 s of silence.
function send(agent, port, r, id) {
  return new Promise((resolve, reject) => {
    const headers = { 'x-request-id': id, accept: 'application/json' };
    if (r.body) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(r.body);
    }
    const req = http.request({ host: '127.0.0.1', port, method: r.method, path: r.path, agent, headers }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode < 300 ? resolve() : reject(new Error(`${r.method} ${r.path}: ${res.statusCode}`))));
    });
    req.setTimeout(10000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(r.body);
  });
}

// A client of the service on `port` with `connections` keep-alive
// connections; `requestId()` names each request as it is sent. `send(reqs)`
// sends the requests in order, each connection taking the next one when its
// last is answered, and resolves when all are; `close()` ends the
// connections.
export function loadClient(port, { connections, requestId }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  return {
    async send(reqs) {
      let next = 0;
      const worker = async () => {
        while (next < reqs.length) await send(agent, port, reqs[next++], requestId());
      };
      await Promise.all(Array.from({ length: connections }, worker));
    },
    close() {
      agent.destroy();
    },
  };
}

// Sends `reqs` over a client of its own (see loadClient) and closes it.
export async function runLoad(port, reqs, options) {
  const client = loadClient(port, options);
  await client.send(reqs);
  client.close();
}
