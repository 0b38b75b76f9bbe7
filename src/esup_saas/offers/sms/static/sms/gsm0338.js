/* SMS length counter: the same tables and rules as esup_saas/lib/gsm.py (3GPP TS 23.038
 * §6.2.1 basic table and §6.2.1.1 extension table; TS 23.040 §9.2.3.24.1 concatenation).
 * GSM-7: 160 septets for one SMS, 153 per part; an extension character costs 2 septets.
 * Any other character switches the whole text to UCS-2: 70 UTF-16 code units, 67 per part,
 * an emoji (surrogate pair) costs 2. A part never splits an escape pair or a surrogate pair.
 * Tested against the server on tests/lib/gsm_cases.json (tests/lib/test_gsm.py).
 * Generated from lib/gsm.py's tables; keep them equal. No dependency; works in browsers
 * (window.EsupGsm) and in node (module.exports). */
(function (root) {
  "use strict";
  /* Basic table, index = septet; the escape 0x1B is a placeholder space never matched. */
  var BASIC = "@\u00a3$\u00a5\u00e8\u00e9\u00f9\u00ec\u00f2\u00c7\n\u00d8\u00f8\r\u00c5\u00e5\u0394_\u03a6\u0393\u039b\u03a9\u03a0\u03a8\u03a3\u0398\u039e \u00c6\u00e6\u00df\u00c9 !\"#\u00a4%&'()*+,-./0123456789:;<=>?\u00a1ABCDEFGHIJKLMNOPQRSTUVWXYZ\u00c4\u00d6\u00d1\u00dc\u00a7\u00bfabcdefghijklmnopqrstuvwxyz\u00e4\u00f6\u00f1\u00fc\u00e0";
  var EXTENSION = "\f^{}\\[~]|\u20ac";
  var TRANSLITERATION = {"\t": " ", "`": "'", "\u00a0": " ", "\u00ab": "\"", "\u00b0": "o", "\u00bb": "\"", "\u00c0": "A", "\u00c1": "A", "\u00c2": "A", "\u00c3": "A", "\u00c8": "E", "\u00ca": "E", "\u00cb": "E", "\u00cc": "I", "\u00cd": "I", "\u00ce": "I", "\u00cf": "I", "\u00d2": "O", "\u00d3": "O", "\u00d4": "O", "\u00d5": "O", "\u00d9": "U", "\u00da": "U", "\u00db": "U", "\u00e1": "a", "\u00e2": "a", "\u00e3": "a", "\u00e7": "c", "\u00ea": "e", "\u00eb": "e", "\u00ed": "i", "\u00ee": "i", "\u00ef": "i", "\u00f3": "o", "\u00f4": "o", "\u00f5": "o", "\u00fa": "u", "\u00fb": "u", "\u00ff": "y", "\u0152": "OE", "\u0153": "oe", "\u0178": "Y", "\u2009": " ", "\u2010": "-", "\u2013": "-", "\u2014": "-", "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201c": "\"", "\u201d": "\"", "\u201e": "\"", "\u2022": "-", "\u2026": "...", "\u202f": " ", "\u2032": "'", "\u2212": "-"};
  var SINGLE = {"GSM-7": 160, "UCS-2": 70};
  var PER_PART = {"GSM-7": 153, "UCS-2": 67};
  var basicSet = {};
  for (var i = 0; i < BASIC.length; i++) { if (i !== 0x1b) { basicSet[BASIC.charAt(i)] = true; } }
  var extSet = {};
  for (var j = 0; j < EXTENSION.length; j++) { extSet[EXTENSION.charAt(j)] = true; }

  /* The text as an array of code points (strings of 1 or 2 UTF-16 units). */
  function chars(text) { return Array.from(text); }

  function isGsm7(text) {
    return chars(text).every(function (ch) { return basicSet[ch] === true || extSet[ch] === true; });
  }

  function costs(list, encoding) {
    return list.map(function (ch) {
      if (encoding === "GSM-7") { return extSet[ch] === true ? 2 : 1; }
      return ch.length;  /* UTF-16 code units: 2 for a surrogate pair */
    });
  }

  function split(text) {
    if (!text) { return []; }
    var list = chars(text);
    var encoding = isGsm7(text) ? "GSM-7" : "UCS-2";
    var c = costs(list, encoding);
    var total = c.reduce(function (a, b) { return a + b; }, 0);
    if (total <= SINGLE[encoding]) { return [text]; }
    var limit = PER_PART[encoding], parts = [], current = "", used = 0;
    for (var k = 0; k < list.length; k++) {
      if (used + c[k] > limit) { parts.push(current); current = ""; used = 0; }
      current += list[k]; used += c[k];
    }
    parts.push(current);
    return parts;
  }

  function analyse(text, maxParts) {
    maxParts = maxParts || 1;
    var encoding = isGsm7(text) ? "GSM-7" : "UCS-2";
    var units = costs(chars(text), encoding).reduce(function (a, b) { return a + b; }, 0);
    var capacity = maxParts === 1 ? SINGLE[encoding] : PER_PART[encoding] * maxParts;
    return {encoding: encoding, units: units, parts: split(text).length,
            capacity: capacity, remaining: capacity - units};
  }

  function transliterate(text) {
    return chars(text).map(function (ch) {
      return Object.prototype.hasOwnProperty.call(TRANSLITERATION, ch) ? TRANSLITERATION[ch] : ch;
    }).join("");
  }

  var api = {analyse: analyse, split: split, isGsm7: isGsm7, transliterate: transliterate};
  if (typeof module !== "undefined" && module.exports) { module.exports = api; }
  else { root.EsupGsm = api; }
})(this);
