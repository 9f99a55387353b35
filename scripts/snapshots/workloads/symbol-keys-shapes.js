// Plain objects whose property lists repeat a name, for the symbol-keys
// fixtures (scripts/snapshots/gen-symbol-keys.mjs runs it in node,
// gen-browser-symbol-keys.mjs in a Chromium page). V8 names a symbol-keyed
// property edge `<symbol>` (no description) or `<symbol DESC>`, so two
// different symbols with the same description give two property edges with
// the same name. The comments give each group's property names in edge order.
(function (root) {
  'use strict';

  // Property values must be heap objects: a snapshot has no edge for a
  // property that holds a small integer.
  const ON = 'on';
  const OFF = 'off';

  function range(n, make) {
    return Array.from({ length: n }, (_, i) => make(i));
  }

  // Returns the groups of objects by name; `extra` adds that many objects to
  // each group marked "grows".
  function buildSymbolKeyed(extra = 0) {
    const tag = Symbol('tag');
    return {
      // <symbol> (grows)
      oneAnon: range(40 + extra, () => ({ [Symbol()]: ON })),
      // <symbol>, <symbol>
      twoAnon: range(60, () => ({ [Symbol()]: ON, [Symbol()]: OFF })),
      // <symbol>, <symbol>, <symbol>, only<i>: every label is unique, so none
      // is an interface of its own.
      threeAnon: range(12, (i) => ({ [Symbol()]: ON, [Symbol()]: ON, [Symbol()]: ON, [`only${i}`]: ON })),
      // x, <symbol id> (grows)
      xOneId: range(25 + extra, () => ({ x: ON, [Symbol('id')]: ON })),
      // x, <symbol id>, <symbol id>
      xTwoIds: range(45, () => ({ x: ON, [Symbol('id')]: ON, [Symbol('id')]: OFF })),
      // <symbol id>, <symbol id>
      twoIds: range(30, () => ({ [Symbol('id')]: ON, [Symbol('id')]: OFF })),
      // <symbol tag>, <symbol tag>, y: one symbol shared by all, one fresh
      sharedTag: range(20, () => ({ [tag]: ON, [Symbol('tag')]: ON, y: OFF })),
      // a, <symbol k>, b, <symbol k>
      interleaved: range(20, () => ({ a: ON, [Symbol('k')]: ON, b: OFF, [Symbol('k')]: OFF })),
      // <symbol reg>, <symbol reg>: one from the global registry
      registered: range(20, () => ({ [Symbol.for('reg')]: ON, [Symbol('reg')]: ON })),
      // <symbol Symbol.iterator>, <symbol Symbol.iterator>: a well-known
      // symbol and a fresh one with the same description
      wellKnown: range(20, () => ({ [Symbol.iterator]: null, [Symbol('Symbol.iterator')]: ON })),
      // <symbol>, <symbol>: a string key that reads like a symbol's name
      lookalike: range(20, () => ({ '<symbol>': ON, [Symbol()]: ON })),
      // four <symbol> in a dictionary-mode object (its first property was
      // deleted)
      dictionary: range(16, () => {
        const o = { z: ON, [Symbol()]: ON, [Symbol()]: ON, [Symbol()]: ON, [Symbol()]: ON };
        delete o.z;
        return o;
      }),
      // <symbol id>, <symbol id>, x on objects without a prototype (these
      // are in dictionary mode: their edges come in hash table order)
      nullProto: range(20, () => {
        const o = Object.create(null);
        o[Symbol('id')] = ON;
        o[Symbol('id')] = OFF;
        o.x = ON;
        return o;
      }),
    };
  }

  if (typeof module === 'object' && module.exports) module.exports = { buildSymbolKeyed };
  else root.buildSymbolKeyed = buildSymbolKeyed;
})(globalThis);
