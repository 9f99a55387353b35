// Page for fixtures/browser-dom (see ../gen-browser-dom-leak.mjs): an order
// list re-rendered page by page. Each render removes the old rows and tells
// the listeners which rows went. The `leak` build's history listener keeps
// every removed row in the array `removedRows`, so the detached <li>
// subtrees pile up; the `fixed` build keeps only their ids.
'use strict';

const BUILD = new URLSearchParams(location.search).get('build') === 'fixed' ? 'fixed' : 'leak';
const ROWS_PER_PAGE = 40;
const removalListeners = [];
let nextOrder = 0;

function makeRow(order) {
  const li = document.createElement('li');
  li.className = 'order';
  li.dataset.order = String(order);
  const label = document.createElement('span');
  label.textContent = 'order #' + order;
  const total = document.createElement('b');
  total.textContent = (order * 7 % 100) + '.00';
  li.append(label, ' ', total);
  return li;
}

function renderPage() {
  const list = document.getElementById('orders');
  const removed = Array.from(list.children);
  for (const li of removed) li.remove();
  for (let i = 0; i < ROWS_PER_PAGE; i++) list.appendChild(makeRow(nextOrder++));
  for (const listener of removalListeners) listener(removed);
}

// The history panel: remembers what left the list.
function installHistory() {
  const removedRows = [];
  const removedIds = [];
  removalListeners.push(function onRowsRemoved(rows) {
    for (const li of rows) {
      if (BUILD === 'leak') removedRows.push(li);
      else removedIds.push(li.dataset.order);
    }
  });
  return () => ({ rows: removedRows.length, ids: removedIds.length });
}

const historySize = installHistory();

window.renderPages = function renderPages(n) {
  for (let i = 0; i < n; i++) renderPage();
  return { build: BUILD, shown: document.getElementById('orders').children.length, history: historySize() };
};
