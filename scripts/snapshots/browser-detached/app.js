// Page for fixtures/heapsnapshot/browser-detached (see
// ../gen-browser-detached.mjs). It builds some DOM, then removes parts of it
// from the document while JS still references them: detached DOM.
//   detachedPanel  a whole <div class="panel"> subtree (a table of 20 rows)
//   detachedRows   every other <li class="row"> of the list
'use strict';

let detachedPanel = null;
const detachedRows = [];

function buildList(n) {
  const list = document.getElementById('list');
  for (let i = 0; i < n; i++) {
    const li = document.createElement('li');
    li.className = 'row';
    li.dataset.id = String(i);
    const span = document.createElement('span');
    span.textContent = 'order ' + i;
    li.appendChild(span);
    list.appendChild(li);
  }
  return list;
}

function buildPanel(rows) {
  const panel = document.createElement('div');
  panel.className = 'panel';
  const table = document.createElement('table');
  for (let i = 0; i < rows; i++) {
    const tr = document.createElement('tr');
    const td = document.createElement('td');
    td.textContent = 'cell ' + i;
    tr.appendChild(td);
    table.appendChild(tr);
  }
  panel.appendChild(table);
  document.getElementById('panel').appendChild(panel);
  return panel;
}

window.runDetach = function runDetach() {
  const list = buildList(30);
  const panel = buildPanel(20);
  // Remove from the document but keep a reference: detached DOM.
  panel.remove();
  detachedPanel = panel;
  Array.from(list.querySelectorAll('li.row')).forEach((li, i) => {
    if (i % 2 === 0) {
      li.remove();
      detachedRows.push(li);
    }
  });
  return { attachedRows: list.children.length, detachedRows: detachedRows.length, panelConnected: detachedPanel.isConnected };
};
