'use strict';
// Orders of the series service: the body of POST /orders, parsed and priced.
// The same file in every build; only cache.js's request log limit differs.

class OrderLine {
  constructor(sku, qty, price, note) {
    this.sku = sku.toUpperCase();
    this.qty = qty;
    this.price = price;
    this.note = note.trim();
  }

  amount() {
    return Math.round(this.qty * this.price * 100) / 100;
  }
}

class Order {
  constructor(customer, currency, lines) {
    this.customer = customer.trim();
    this.currency = currency;
    this.lines = lines;
    this.total = lines.reduce((t, line) => t + line.amount(), 0);
  }
}

// Throws on a body that is not an order.
function parseOrder(raw) {
  const body = JSON.parse(raw);
  if (!body || typeof body.customer !== 'string' || !Array.isArray(body.items)) {
    throw new Error('not an order');
  }
  const lines = body.items.map((it) => new OrderLine(String(it.sku), Number(it.qty), Number(it.price), String(it.note ?? '')));
  return new Order(body.customer, String(body.currency ?? 'EUR'), lines);
}

module.exports = { Order, OrderLine, parseOrder };
