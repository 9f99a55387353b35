// The feed: each batch renders PAGE_SIZE items into the list, replacing the
// previous ones. Every item subscribes to 'theme' on the bus to restyle
// itself, and the subscription is never removed when the item is replaced:
// the bus keeps every FeedItem (and its words) of every batch alive.
import { bus } from './bus.js';

const PAGE_SIZE = 200;

export class FeedItem {
  constructor(id, title, body) {
    this.id = id;
    this.title = title;
    this.words = body.split(' ');
    this.element = null;
  }

  render() {
    const li = document.createElement('li');
    li.textContent = `${this.title}: ${this.words.length} words`;
    this.element = li;
    return li;
  }

  restyle(theme) {
    if (this.element) this.element.className = theme;
  }
}

function makeBody(id) {
  const words = [];
  for (let i = 0; i < 40; i++) words.push(`word${(id * 31 + i * 7) % 997}`);
  return words.join(' ');
}

export function renderBatch(batch) {
  const list = document.getElementById('feed');
  list.textContent = '';
  for (let i = 0; i < PAGE_SIZE; i++) {
    const id = batch * PAGE_SIZE + i;
    const item = new FeedItem(id, `Story ${id}`, makeBody(id));
    list.appendChild(item.render());
    bus.on('theme', (theme) => item.restyle(theme));
  }
  return list.childElementCount;
}
