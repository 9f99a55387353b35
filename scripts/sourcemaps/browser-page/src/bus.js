// A tiny event bus: every `on` files a Subscription under its event type.
// Nothing ever calls `off` for the feed's items (the leak, in feed.js).

export class Subscription {
  constructor(type, handler) {
    this.type = type;
    this.handler = handler;
    this.createdAt = Date.now();
  }
}

export class EventBus {
  constructor() {
    this.byType = new Map();
  }

  on(type, handler) {
    const subscription = new Subscription(type, handler);
    let list = this.byType.get(type);
    if (!list) {
      list = [];
      this.byType.set(type, list);
    }
    list.push(subscription);
    return subscription;
  }

  off(subscription) {
    const list = this.byType.get(subscription.type) || [];
    const at = list.indexOf(subscription);
    if (at >= 0) list.splice(at, 1);
  }

  emit(type, value) {
    for (const s of this.byType.get(type) || []) s.handler(value);
  }
}

export const bus = new EventBus();
