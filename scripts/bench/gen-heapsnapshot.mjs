#!/usr/bin/env node
// Generates large, real V8 heap snapshots (`.heapsnapshot`) for heapdiff's snapshot benchmarks.
//
// Real V8 output, not a synthetic JSON writer: a workload builds the in-memory state of a
// multi-tenant app server (tenants, users, profiles, sessions, orders and their items, an LRU
// cache made of a Map plus a doubly linked list, Maps and Sets of several kinds, a WeakMap of
// per-user metadata, event listeners that are closures over users and sessions, a component
// tree with parent links, Dates, typed arrays, Buffers, unique and shared strings, instances
// of ~30 generated record classes) with many cycles (user ↔ tenant, session → user, order →
// customer, tree parent ↔ children, friend lists, LRU prev ↔ next), sized to hit the target,
// then `v8.writeHeapSnapshot(file)` writes it.
//
//   node scripts/bench/gen-heapsnapshot.mjs [--size 100MB[,500MB,1.5GB]] [--out DIR] [--seed 1] [--force]
//
//   --size S[,S…]   target file size(s): 100MB (10^6), 500MiB, 1.5GB (10^9) or bytes (default 100MB)
//   --out DIR       output directory (default /tmp/heapdiff-bench); writes
//                   DIR/heapsnapshot_<S>.heapsnapshot and DIR/heapsnapshot_<S>.heapsnapshot.meta.json
//                   (node/edge counts, section sizes, generation times)
//   --seed N        workload seed (default 1)
//   --force         regenerate files that already exist
//
// Each file is made by its own node process (--max-old-space-size scaled to the target, up to
// 16 GiB). Size is hit by calibration: two small snapshots at U and 2U units of workload (a unit
// is one user and everything hanging off it) give bytes per unit; the workload is then grown to
// the target and the real snapshot written (expect within a few %, a bit over for large files:
// node ids and indices get longer). Targets under ~15 MB come out larger (the calibration
// alone makes ~10 MB). On 2 cores the 1.5 GB file takes ~3.5 minutes.
import fs from 'node:fs';
import path from 'node:path';
import {spawnSync} from 'node:child_process';
import {fileURLToPath} from 'node:url';

const SELF = fileURLToPath(import.meta.url);

// ---------------------------------------------------------------- arguments
function parseArgs(argv) {
  const o = {out: '/tmp/heapdiff-bench', sizes: ['100MB'], seed: 1, force: false, child: false, file: null, target: 0};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => { if (i + 1 >= argv.length) die(`${a} needs a value`); return argv[++i]; };
    switch (a) {
      case '--out': o.out = val(); break;
      case '--size': case '--sizes': o.sizes = val().split(',').map((s) => s.trim()).filter(Boolean); break;
      case '--seed': o.seed = Number(val()); break;
      case '--force': o.force = true; break;
      case '--child': o.child = true; break;
      case '--file': o.file = val(); break;
      case '--target': o.target = Number(val()); break;
      case '-h': case '--help': {
        const src = fs.readFileSync(SELF, 'utf8').split('\n');
        console.log(src.slice(1, src.findIndex((l) => l.startsWith('import'))).map((l) => l.replace(/^\/\/ ?/, '')).join('\n'));
        process.exit(0);
      }
      default: die(`unknown argument ${a} (try --help)`);
    }
  }
  if (!o.sizes.length) die('--size needs at least one size');
  for (const s of o.sizes) parseSize(s);
  if (!Number.isInteger(o.seed)) die('--seed must be an integer');
  return o;
}
function parseSize(s) {
  const m = /^\s*([\d.]+)\s*(b|kb|kib|mb|mib|gb|gib|k|m|g)?\s*$/i.exec(String(s));
  if (!m || !(Number(m[1]) > 0)) die(`bad --size ${s}`);
  const mult = {b: 1, k: 1e3, kb: 1e3, kib: 1024, m: 1e6, mb: 1e6, mib: 2 ** 20, g: 1e9, gb: 1e9, gib: 2 ** 30};
  return Math.round(Number(m[1]) * mult[(m[2] || 'b').toLowerCase()]);
}
function die(msg) { console.error(`gen-heapsnapshot: ${msg}`); process.exit(2); }
const log = (...a) => console.error('[gen-heapsnapshot]', ...a);
const fileFor = (out, size) => path.join(out, `heapsnapshot_${size.replace(/\s+/g, '')}.heapsnapshot`);

// ---------------------------------------------------------------- deterministic randomness
function rng(seed) {
  let s = (seed >>> 0) ^ 0x9e3779b9;
  const next = () => { // mulberry32
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)), // inclusive
    pick: (arr) => arr[Math.floor(next() * arr.length)],
    chance: (p) => next() < p,
  };
}

// ---------------------------------------------------------------- the workload (child)
// Hand-written classes: the app's model.
class Tenant {
  constructor(id, name) {
    this.id = id;
    this.name = name;
    this.users = new Map();          // id → User (User.tenant points back: a cycle)
    this.orders = [];
    this.emitter = new EventBus();
    this.tree = new ComponentNode('App', null, {tenant: id});
    this.treeNodes = [this.tree];
    this.plan = null;
  }
}
class User {
  constructor(id, tenant, name, email) {
    this.id = id;
    this.tenant = tenant;
    this.name = name;
    this.email = email;
    this.roles = [];
    this.profile = null;
    this.sessions = [];
    this.orders = [];
    this.friends = [];
    this.createdAt = null;
    this.score = 0.5;
    this.records = null;
  }
  displayName() { return `${this.name} <${this.email}>`; }
}
class Profile {
  constructor(bio, address, settings) { this.bio = bio; this.address = address; this.settings = settings; this.avatar = null; this.history = null; }
}
class Address {
  constructor(street, city, zip, country) { this.street = street; this.city = city; this.zip = zip; this.country = country; }
}
class Session {
  constructor(user, token, lastSeen) {
    this.user = user;                // back to the user: a cycle
    this.token = token;
    this.lastSeen = lastSeen;
    this.data = new Map();
    this.onExpire = () => { this.user.sessions.splice(this.user.sessions.indexOf(this), 1); };
  }
}
class Order {
  constructor(id, customer, status) { this.id = id; this.customer = customer; this.status = status; this.items = []; this.total = 0; this.tags = null; this.placedAt = null; }
}
class OrderItem {
  constructor(sku, qty, price) { this.sku = sku; this.qty = qty; this.price = price; }
}
class LRUNode {
  constructor(key, value) { this.key = key; this.value = value; this.prev = null; this.next = null; }
}
class LRUCache {
  constructor() { this.map = new Map(); this.head = null; this.tail = null; this.hits = 0; }
  set(key, value) {
    const n = new LRUNode(key, value);
    this.map.set(key, n);
    n.next = this.head;
    if (this.head) this.head.prev = n; else this.tail = n;
    this.head = n;
  }
}
class EventBus {
  constructor() { this.listeners = new Map(); }
  on(ev, fn) { let l = this.listeners.get(ev); if (!l) this.listeners.set(ev, (l = [])); l.push(fn); }
}
class ComponentNode {
  constructor(type, parent, props) { this.type = type; this.parent = parent; this.children = []; this.props = props; this.state = null; }
}

// Generated record classes (as a bundler's output would define many small classes).
const RECORD_NAMES = ['AuditEntry', 'Permission', 'FeatureFlag', 'Invoice', 'Payment', 'Shipment', 'Coupon',
  'Review', 'Notification', 'Attachment', 'Comment', 'Subscription', 'ApiKey', 'Webhook', 'Metric', 'Span',
  'LogRecord', 'Token', 'Route', 'Query', 'Job', 'Lock', 'Lease', 'Quota', 'Tag', 'Snapshot', 'Diff', 'Patch',
  'Cursor', 'Checkpoint'];
const RECORDS = RECORD_NAMES.map((name, k) => {
  const n = 2 + (k % 6);
  const fields = Array.from({length: n}, (_, i) => `f${i}`);
  // eslint-disable-next-line no-new-func
  return new Function(`return class ${name} { constructor(${fields.join(', ')}) { ${fields.map((f) => `this.${f} = ${f};`).join(' ')} } }`)();
});

const FIRST = ['Ana', 'Bo', 'Chen', 'Dara', 'Eli', 'Femi', 'Gus', 'Hana', 'Ivo', 'Jun', 'Kai', 'Lena', 'Mia', 'Noor', 'Oli',
  'Pia', 'Quin', 'Rui', 'Sami', 'Tove', 'Uma', 'Vik', 'Wen', 'Xia', 'Yusuf', 'Zoë', 'Jürgen', 'Søren', 'Małgorzata', '李'];
const LAST = ['Silva', 'Berg', 'Wang', 'Okafor', 'Novak', 'Kim', 'Müller', 'Rossi', 'Haddad', 'Tanaka', 'Smith', 'Ivanova',
  'García', 'Dubois', 'Nguyen', 'Kowalski', 'Andersen', 'Costa', 'Yilmaz', 'Patel'];
const CITIES = ['Lisbon', 'Oslo', 'Lagos', 'Kyoto', 'Quito', 'Perth', 'Tallinn', 'Austin', 'Porto', 'Hanoi', 'Zürich', 'Recife'];
const COUNTRIES = ['PT', 'NO', 'NG', 'JP', 'EC', 'AU', 'EE', 'US', 'VN', 'CH', 'BR', 'DE'];
const ROLES = ['admin', 'editor', 'viewer', 'billing', 'support', 'owner', 'auditor'];
const STATUSES = ['new', 'paid', 'shipped', 'delivered', 'returned', 'cancelled'];
const COMPONENTS = ['Header', 'Sidebar', 'List', 'ListItem', 'Button', 'Modal', 'Form', 'Input', 'Table', 'Row', 'Cell', 'Chart'];
const EVENTS = ['login', 'logout', 'purchase', 'refresh', 'error'];
const WORDS = ['lorem', 'ipsum', 'dolor', 'sit', 'amet', 'consectetur', 'adipiscing', 'elit', 'sed', 'do', 'eiusmod',
  'tempor', 'incididunt', 'labore', 'magna', 'aliqua', 'enim', 'minim', 'veniam', 'quis', 'nostrud', 'ullamco'];
const SKUS = Array.from({length: 5000}, (_, i) => `SKU-${(i * 7919 % 100000).toString(36).toUpperCase()}-${i}`);
const BIOS = Array.from({length: 400}, (_, i) => {
  const R = rng(i + 99);
  return Array.from({length: R.int(8, 40)}, () => R.pick(WORDS)).join(' ');
});

function makeWorld(seed) {
  const R = rng(seed * 7919 + 17);
  const S = {
    tenants: [],
    cache: new LRUCache(),
    byEmail: new Map(),
    meta: new WeakMap(),               // user → {visits, lastPath, ...}: a WeakMap's entries
    seenTokens: new Set(),
    tagSets: [new Set(['sale', 'gift', 'express']), new Set(['b2b', 'bulk']), new Set(['vip'])],
    log: [],
    units: 0,
  };
  let nextUser = 1, nextOrder = 1, tenant = null;
  // flat strings (join), not a chain of one-character cons strings
  const hex = (n) => Array.from({length: Math.ceil(n / 8)}, () => (R.next() * 2 ** 32 >>> 0).toString(16).padStart(8, '0')).join('').slice(0, n);

  function addUnit() {
    if (!tenant || tenant.users.size >= tenant.plan) {
      tenant = new Tenant(S.tenants.length + 1, `tenant-${S.tenants.length + 1}-${hex(6)}`);
      tenant.plan = R.int(50, 600);
      S.tenants.push(tenant);
    }
    const id = nextUser++;
    const name = `${R.pick(FIRST)} ${R.pick(LAST)}`;          // concatenated / flat strings, many repeated
    const email = `${name.split(' ')[0].toLowerCase()}.${id}@${tenant.name}.example.com`; // unique
    const u = new User(id, tenant, name, email);
    tenant.users.set(id, u);
    S.byEmail.set(email, u);
    for (let k = R.int(1, 3); k > 0; k--) u.roles.push(R.pick(ROLES));
    u.score = R.next() * 100;
    if (R.chance(0.7)) u.createdAt = new Date(1.6e12 + id * 1000);
    const bio = R.chance(0.3) ? `${R.pick(BIOS)} (${id})` : R.pick(BIOS);
    u.profile = new Profile(bio,
      new Address(`${R.int(1, 999)} ${R.pick(WORDS)} street`, R.pick(CITIES), String(R.int(10000, 99999)), R.pick(COUNTRIES)),
      {theme: R.chance(0.5) ? 'dark' : 'light', lang: R.pick(['en', 'de', 'pt', 'ja']),
        notifications: {email: R.chance(0.5), push: R.chance(0.3), digest: R.pick(['daily', 'weekly', 'never'])}});
    if (R.chance(0.2)) u.profile.avatar = Buffer.alloc(R.int(64, 512), id & 255);
    if (R.chance(0.3)) u.profile.history = R.chance(0.5) ? new Float64Array(16) : Array.from({length: R.int(4, 24)}, (_, i) => i * 3 + id);
    // sessions: closures over the session, a Map each
    for (let k = R.int(0, 3); k > 0; k--) {
      const token = hex(32);
      const s = new Session(u, token, 1.7e12 + R.int(0, 1e9));
      s.data.set('csrf', hex(16));
      if (R.chance(0.5)) s.data.set('cart', {items: [R.pick(SKUS), R.pick(SKUS)], updated: R.int(0, 1e6)});
      u.sessions.push(s);
      S.seenTokens.add(token);
      if (R.chance(0.3)) tenant.emitter.on('logout', s.onExpire);
    }
    // orders and items (doubles are heap numbers)
    for (let k = Math.floor(R.next() * R.next() * 7); k > 0; k--) {
      const o = new Order(nextOrder++, u, R.pick(STATUSES));
      for (let j = R.int(1, 6); j > 0; j--) {
        const it = new OrderItem(R.pick(SKUS), R.int(1, 5), R.int(100, 99999) / 100);
        o.items.push(it);
        o.total += it.qty * it.price;
      }
      if (R.chance(0.3)) o.tags = R.pick(S.tagSets);
      if (R.chance(0.5)) o.placedAt = new Date(1.65e12 + o.id * 60000);
      u.orders.push(o);
      tenant.orders.push(o);
    }
    // friends: references to earlier users of the tenant (cycles through friend lists)
    if (tenant.users.size > 1) {
      for (let k = R.int(0, 4); k > 0; k--) {
        const f = tenant.users.get(R.int(id - tenant.users.size + 1, id - 1));
        if (f) { u.friends.push(f); if (R.chance(0.5)) f.friends.push(u); }
      }
    }
    // listeners: closures capturing the user
    if (R.chance(0.6)) {
      const ev = R.pick(EVENTS);
      tenant.emitter.on(ev, (payload) => { u.score += 1; S.log.length < 0 && S.log.push([ev, payload, u.id]); });
    }
    if (R.chance(0.2)) {
      const counter = {n: 0};
      tenant.emitter.on('purchase', function onPurchase(order) { counter.n += order.total > 100 ? 2 : 1; return u.displayName(); });
    }
    // WeakMap metadata
    S.meta.set(u, {visits: R.int(1, 500), lastPath: `/t/${tenant.id}/u/${id}/${R.pick(WORDS)}`, flags: R.int(0, 255)});
    // LRU cache entries (key strings, linked list of LRUNodes)
    S.cache.set(`user:${id}`, u.profile);
    if (u.orders.length && R.chance(0.5)) S.cache.set(`orders:${id}`, u.orders.slice(0, 2));
    // component tree: new nodes under random existing ones (parent ↔ children cycle)
    for (let k = R.int(1, 4); k > 0; k--) {
      const parent = tenant.treeNodes[R.int(Math.max(0, tenant.treeNodes.length - 50), tenant.treeNodes.length - 1)];
      const c = new ComponentNode(R.pick(COMPONENTS), parent, {key: `${parent.type}-${parent.children.length}`, userId: id});
      if (R.chance(0.3)) c.state = {open: R.chance(0.5), value: R.pick(WORDS), selection: [R.int(0, 9), R.int(10, 19)]};
      parent.children.push(c);
      tenant.treeNodes.push(c);
    }
    // generated record classes
    const recs = [];
    for (let k = R.int(1, 6); k > 0; k--) {
      const C = RECORDS[Math.min(RECORDS.length - 1, Math.floor(RECORDS.length * R.next() * R.next()))];
      recs.push(new C(id, R.pick(WORDS), R.int(0, 1e6), u, R.chance(0.5) ? tenant : null, k, `${C.name}:${id}:${k}`));
    }
    u.records = recs;
    // a transient log that is trimmed (some garbage; it is collected before the snapshot)
    S.log.push(`${id}:${name}:${R.pick(EVENTS)}`);
    if (S.log.length > 5000) S.log = S.log.slice(-1000);
    S.units++;
  }
  return {S, addUnit};
}

// Reads node/edge counts and the byte sizes of the main sections of a written snapshot.
function inspectSnapshot(file) {
  const fd = fs.openSync(file, 'r');
  const size = fs.fstatSync(fd).size;
  const headBuf = Buffer.alloc(Math.min(size, 1 << 16));
  fs.readSync(fd, headBuf, 0, headBuf.length, 0);
  const head = headBuf.toString('latin1');
  const num = (k) => Number((new RegExp(`"${k}":(\\d+)`).exec(head) || [])[1]);
  // section offsets: scan for each `"name":[` in order (a JSON string can't contain an unescaped quote)
  const names = ['nodes', 'edges', 'trace_function_infos', 'trace_tree', 'samples', 'locations', 'strings'];
  const offsets = {};
  const CH = 1 << 24;
  const buf = Buffer.alloc(CH + 64);
  let pos = 0, carry = 0, want = 0;
  while (pos < size && want < names.length) {
    const n = fs.readSync(fd, buf, carry, CH, pos);
    if (n <= 0) break;
    const len = carry + n;
    let from = 0;
    while (want < names.length) {
      const pat = `"${names[want]}":[`;
      const at = buf.indexOf(pat, from, 'latin1');
      if (at < 0 || at >= len) break;
      offsets[names[want]] = pos - carry + at;
      from = at + pat.length;
      want++;
    }
    carry = Math.min(32, len);
    buf.copy(buf, 0, len - carry, len);
    pos += n;
  }
  fs.closeSync(fd);
  const sections = {};
  for (let i = 0; i < names.length; i++) {
    if (offsets[names[i]] === undefined) continue;
    const end = names.slice(i + 1).map((k) => offsets[k]).find((x) => x !== undefined) ?? size;
    sections[names[i]] = end - offsets[names[i]];
  }
  return {bytes: size, node_count: num('node_count'), edge_count: num('edge_count'), sections};
}

async function child(o) {
  const v8 = await import('node:v8');
  const t0 = Date.now();
  const {S, addUnit} = makeWorld(o.seed);
  globalThis.__heapdiffBenchWorld = S;
  const grow = (n) => { const t = Date.now(); for (let i = 0; i < n; i++) addUnit(); return Date.now() - t; };
  const snap = (file) => { const t = Date.now(); v8.writeHeapSnapshot(file); return [fs.statSync(file).size, Date.now() - t]; };
  const calFile = `${o.file}.cal.tmp`;

  // 1. calibration: snapshots at U and 2U units give bytes per unit and the fixed part
  const U = Math.max(300, Math.round(o.target / 6000 / 25));
  grow(U);
  const [s1, w1] = snap(calFile);
  grow(U);
  const [s2, w2] = snap(calFile);
  fs.rmSync(calFile, {force: true});
  const perUnit = (s2 - s1) / U;
  const units = Math.max(2 * U, Math.round(2 * U + (o.target - s2) / perUnit));
  log(`${path.basename(o.file)}: calibration ${U} units → ${(s1 / 1e6).toFixed(1)} MB (${w1} ms), ${2 * U} → ` +
    `${(s2 / 1e6).toFixed(1)} MB (${w2} ms): ${perUnit.toFixed(0)} B/unit; target ${(o.target / 1e6).toFixed(0)} MB → ${units} units`);

  // 2. the real state, then the snapshot
  const buildMs = grow(units - 2 * U);
  const mem = process.memoryUsage();
  log(`built ${S.units} units (${S.tenants.length} tenants) in ${(buildMs / 1000).toFixed(1)} s; heapUsed ` +
    `${(mem.heapUsed / 2 ** 20).toFixed(0)} MiB; writing snapshot`);
  const tmp = `${o.file}.tmp`;
  const [bytes, writeMs] = snap(tmp);
  fs.renameSync(tmp, o.file);
  const info = inspectSnapshot(o.file);
  const meta = {file: o.file, bytes, target_bytes: o.target, node_count: info.node_count, edge_count: info.edge_count,
    section_bytes: info.sections, units: S.units, tenants: S.tenants.length, seed: o.seed,
    heap_used_bytes_before_snapshot: mem.heapUsed, build_seconds: +(buildMs / 1000).toFixed(1),
    write_seconds: +(writeMs / 1000).toFixed(1), total_seconds: +((Date.now() - t0) / 1000).toFixed(1),
    peak_rss_kib: process.resourceUsage().maxRSS,
    node: process.version, generatedBy: 'scripts/bench/gen-heapsnapshot.mjs'};
  fs.writeFileSync(`${o.file}.meta.json`, JSON.stringify(meta, null, 1) + '\n');
  log(`wrote ${o.file}: ${(bytes / 1e6).toFixed(1)} MB, ${info.node_count} nodes, ${info.edge_count} edges, ` +
    `write ${meta.write_seconds} s, total ${meta.total_seconds} s, peak RSS ${(meta.peak_rss_kib / 2 ** 20).toFixed(1)} GiB`);
}

// ---------------------------------------------------------------- main
const o = parseArgs(process.argv.slice(2));
if (o.child) {
  await child(o);
  process.exit(0);
}
fs.mkdirSync(o.out, {recursive: true});
for (const size of o.sizes) {
  const file = fileFor(o.out, size);
  if (!o.force && fs.existsSync(file)) { log(`up to date: ${file} (--force regenerates)`); continue; }
  const target = parseSize(size);
  const heapMiB = Math.min(16384, Math.max(2048, Math.ceil((target / 2 ** 20) * 4)));
  const args = [`--max-old-space-size=${heapMiB}`, SELF, '--child', '--file', file, '--target', String(target), '--seed', String(o.seed)];
  log(`generating ${file} (node --max-old-space-size=${heapMiB})`);
  const r = spawnSync(process.execPath, args, {stdio: 'inherit'});
  if (r.status !== 0) die(`generating ${file} failed (exit ${r.status}${r.signal ? `, ${r.signal}` : ''})`);
}
