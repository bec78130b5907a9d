/*
 * casebook search worker: replaces Material's search worker in the built site (the casebook
 * plugin copies this file over assets/javascripts/workers/search.*.min.js), speaking the same
 * messages (SETUP 0 -> READY 1, QUERY 2 -> RESULT 3), so Material's search box, result list and
 * page highlighting work unchanged.
 *
 * Exact substring search over the bigram index in search/cb/ (see casebook/site/search.py): the
 * query is folded (Traditional -> Simplified with the table from the manifest, full-width -> ASCII,
 * lower case); each run of two or more letters or digits must occur as a phrase. Files are loaded
 * only when a query needs them: with fetch in a real worker (http), with script tags through
 * importScripts when the iframe shim runs this worker from file:// (iframe-worker.js).
 */
(function () {
  "use strict";

  var SETUP = 0, READY = 1, QUERY = 2, RESULT = 3;
  var SNIPPETS = 10;        /* results that get a text snippet (the rest: title only): one screen */
  var WINDOW = 48;          /* characters of context on each side of a match */
  var KIND_BOOST = [1000, 0, 0, 0, 0];  /* case, browse page, guide, home, other */

  var store = new Map();
  var loading = new Map();
  var manifest = null;
  var foldMap = null;
  var shardCache = new Map();  /* bigram -> decoded postings (Map doc -> Int32Array) or null */

  self.__cb_load = function (key, data) { store.set(key, data); };

  var inFrame = typeof document !== "undefined";
  var base = (function () {
    var src = self.location.href;
    if (inFrame) {
      var script = document.querySelector("script[src]");
      if (script) src = script.src;
    }
    return new URL("../../../search/cb/", src).href;
  })();

  function load(key) {
    if (store.has(key)) return Promise.resolve(store.get(key));
    if (!loading.has(key)) {
      var url = base + key + ".js";
      var done;
      if (!inFrame && typeof fetch === "function") {
        done = fetch(url).then(function (r) {
          if (!r.ok) throw new Error("casebook search: " + url + ": " + r.status);
          return r.text();
        }).then(function (text) {
          store.set(key, JSON.parse(text.slice(text.indexOf(",") + 1, text.lastIndexOf(")"))));
        });
      } else {
        done = Promise.resolve(importScripts(url));
      }
      loading.set(key, done.then(function () { return store.get(key); }, function (err) {
        loading.delete(key);
        throw err;
      }));
    }
    return loading.get(key);
  }

  /* ------------------------------------------------------------------ text */

  function fold(text) {
    var out = "";
    for (var i = 0; i < text.length; i++) {
      var c = text.charAt(i);
      var f = foldMap.get(c);
      out += f === undefined ? c : f;
    }
    return out;
  }

  var WORD = /[\p{L}\p{N}]/u;
  function isWord(ch) {
    var u = ch.charCodeAt(0);
    return !(u >= 0xd800 && u < 0xe000) && WORD.test(ch);
  }

  /* runs of two or more letters or digits, in UTF-16 units as the index counts them */
  function runs(text) {
    var out = [], cur = "";
    for (var i = 0; i < text.length; i++) {
      var ch = text.charAt(i);
      if (isWord(ch)) cur += ch;
      else { if (cur.length >= 2) out.push(cur); cur = ""; }
    }
    if (cur.length >= 2) out.push(cur);
    return out.filter(function (r, i) { return out.indexOf(r) === i; });
  }

  function fnv1a(text) {
    var h = 0x811c9dc5;
    for (var i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return h;
  }

  function escapeHTML(text) {
    return text.replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" }[c];
    });
  }

  /* `raw` with every occurrence of the (folded) runs marked, escaped */
  function mark(raw, terms) {
    var folded = fold(raw);
    var hits = [];
    terms.forEach(function (t) {
      for (var i = folded.indexOf(t); i >= 0; i = folded.indexOf(t, i + 1)) hits.push([i, i + t.length]);
    });
    hits.sort(function (a, b) { return a[0] - b[0] || b[1] - a[1]; });
    var out = "", at = 0;
    hits.forEach(function (h) {
      if (h[0] < at) return;
      out += escapeHTML(raw.slice(at, h[0])) + "<mark>" + escapeHTML(raw.slice(h[0], h[1])) + "</mark>";
      at = h[1];
    });
    return out + escapeHTML(raw.slice(at));
  }

  /* ------------------------------------------------------------------ postings */

  /* char code -> digit: 0-31 continuation digits, 32-63 last digits */
  var DIGIT = new Int8Array(128).fill(-1);
  (function (last, cont) {
    for (var i = 0; i < 32; i++) { DIGIT[cont.charCodeAt(i)] = i; DIGIT[last.charCodeAt(i)] = 32 + i; }
  })("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef", "ghijklmnopqrstuvwxyz0123456789+/");

  function postings(bigram) {
    if (shardCache.has(bigram)) return Promise.resolve(shardCache.get(bigram));
    var key = "p/" + (fnv1a(bigram) % manifest.shards);
    return load(key).then(function (shard) {
      var raw = shard[bigram];
      var decoded = null;
      if (raw) {
        /* base-32 numbers (search.py, encode_numbers): per doc its delta, count, position deltas */
        var nums = [], v = 0;
        for (var c = 0; c < raw.length; c++) {
          var d = DIGIT[raw.charCodeAt(c)];
          if (d >= 32) { nums.push(v * 32 + d - 32); v = 0; } else v = v * 32 + d;
        }
        decoded = new Map();
        var doc = 0, k = 0;
        while (k < nums.length) {
          doc += nums[k];
          var count = nums[k + 1];
          k += 2;
          var arr = new Int32Array(count), p = 0;
          for (var j = 0; j < count; j++) { p += nums[k++]; arr[j] = p; }
          decoded.set(doc, arr);
        }
      }
      shardCache.set(bigram, decoded);
      return decoded;
    });
  }

  function has(arr, value) {
    var lo = 0, hi = arr.length - 1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (arr[mid] === value) return true;
      if (arr[mid] < value) lo = mid + 1; else hi = mid - 1;
    }
    return false;
  }

  /* Map doc -> start positions of `run` as a phrase */
  function phrase(run) {
    var grams = [];
    for (var i = 0; i + 1 < run.length; i++) grams.push(run.slice(i, i + 2));
    return Promise.all(grams.map(postings)).then(function (lists) {
      var found = new Map();
      if (lists.some(function (l) { return !l; })) return found;
      var rarest = 0;
      lists.forEach(function (l, i) { if (l.size < lists[rarest].size) rarest = i; });
      lists[rarest].forEach(function (_, doc) {
        for (var g = 0; g < lists.length; g++) if (!lists[g].has(doc)) return;
        var first = lists[0].get(doc), starts = [];
        for (var s = 0; s < first.length; s++) {
          var p = first[s], ok = true;
          for (var g2 = 1; g2 < lists.length && ok; g2++) ok = has(lists[g2].get(doc), p + g2);
          if (ok) starts.push(p);
        }
        if (starts.length) found.set(doc, starts);
      });
      return found;
    });
  }

  /* ------------------------------------------------------------------ search */

  function score(doc, hitsPerRun) {
    var info = manifest.docs[doc];
    var tEnd = info[3], xEnd = info[5], bEnd = info[6];
    var s = KIND_BOOST[info[2]] || 0;
    hitsPerRun.forEach(function (starts) {
      var title = 0, meta = 0, body = 0, context = 0;
      starts.forEach(function (p) {
        if (p < tEnd) title++;
        else if (p < xEnd) meta++;
        else if (p < bEnd) body++;
        else context++;
      });
      if (title) s += 300 + (starts[0] === 0 ? 50 : 0);
      if (meta) s += 200;
      s += 20 * Math.log2(1 + body) + (context ? 1 : 0);
    });
    return s;
  }

  function snippet(text, info, hits, terms) {
    var tEnd = info[3], mEnd = info[4], xEnd = info[5], bEnd = info[6];
    var parts = [];
    var metaLines = text.slice(tEnd + 1, mEnd).split("\n");
    var metaHit = hits.some(function (p) { return p > tEnd && p < xEnd; });
    if (metaHit) {
      var shown = metaLines.filter(function (line) {
        var f = fold(line);
        return terms.some(function (t) { return f.indexOf(t) >= 0; });
      });
      if (!shown.length) shown = metaLines.filter(function (l) { return l.indexOf("地区：") === 0; });
      shown.forEach(function (line) {
        var cut = line.indexOf("：");
        var label = cut > 0 ? line.slice(0, cut) : "";
        var value = cut > 0 ? line.slice(cut + 1) : line;
        parts.push("<p class=\"cb-snippet cb-snippet--meta\">" +
          (label ? "<span class=\"cb-snippet__label\">" + escapeHTML(label) + "</span> " : "") +
          "<span class=\"cb-snippet__value\">" + mark(value, terms) + "</span></p>");
      });
    }
    var body = hits.filter(function (p) { return p >= xEnd && p < bEnd; });
    if (!body.length && !parts.length) body = hits.filter(function (p) { return p >= bEnd; });
    var start = xEnd + 1;
    if (body.length || !parts.length) {
      var at = body.length ? body[0] : start;
      var from = Math.max(start, at - WINDOW), to = Math.min(text.length, at + WINDOW * 2);
      var piece = text.slice(from, to).replace(/\s*\n\s*/g, " ");
      parts.push("<p class=\"cb-snippet\">" + (from > start ? "…" : "") + mark(piece, terms) +
        (to < text.length ? "…" : "") + "</p>");
    }
    return parts.join("");
  }

  function search(query) {
    var folded = fold(query.normalize ? query.normalize("NFC") : query);
    var terms = runs(folded);
    if (!terms.length) return Promise.resolve({ items: [] });
    return Promise.all(terms.map(phrase)).then(function (perRun) {
      var docs = [];
      perRun[0].forEach(function (_, doc) {
        if (perRun.every(function (m) { return m.has(doc); })) docs.push(doc);
      });
      var scored = docs.map(function (doc) {
        return { doc: doc, score: score(doc, perRun.map(function (m) { return m.get(doc); })) };
      });
      scored.sort(function (a, b) { return b.score - a.score || a.doc - b.doc; });
      var top = scored.slice(0, SNIPPETS);
      var chunks = [];
      top.forEach(function (r) {
        var c = Math.floor(r.doc / manifest.chunk);
        if (chunks.indexOf(c) < 0) chunks.push(c);
      });
      return Promise.all(chunks.map(function (c) { return load("d/" + c); })).then(function () {
        var termMap = {};
        terms.forEach(function (t) { termMap[t] = true; });
        var items = scored.map(function (r, rank) {
          var info = manifest.docs[r.doc];
          var text = "";
          if (rank < SNIPPETS) {
            var chunk = store.get("d/" + Math.floor(r.doc / manifest.chunk));
            var raw = chunk[r.doc % manifest.chunk];
            var hits = [];
            perRun.forEach(function (m) { hits = hits.concat(m.get(r.doc)); });
            hits.sort(function (a, b) { return a - b; });
            text = snippet(raw, info, hits, terms);
          }
          return [{ location: info[0], title: mark(info[1], terms), text: text,
                    score: r.score, terms: termMap }];
        });
        return { items: items };
      });
    });
  }

  function handle(message) {
    if (message.type === SETUP) {
      return load("manifest").then(function (m) {
        manifest = m;
        foldMap = new Map();
        for (var i = 0; i + 1 < m.fold.length; i += 2) foldMap.set(m.fold.charAt(i), m.fold.charAt(i + 1));
        return { type: READY };
      });
    }
    if (message.type === QUERY) {
      if (!manifest) return Promise.resolve({ type: RESULT, data: { items: [] } });
      return search(String(message.data || "")).then(function (data) {
        return { type: RESULT, data: data };
      });
    }
    return Promise.reject(new TypeError("Invalid message type"));
  }

  /* answer in order: a slow query never overwrites the results of a later one */
  var queue = Promise.resolve();
  addEventListener("message", function (ev) {
    queue = queue.then(function () { return handle(ev.data); }).then(function (reply) {
      postMessage(reply);
    }, function (err) {
      if (typeof console !== "undefined") console.warn("casebook search:", err);
      postMessage(ev.data && ev.data.type === SETUP ? { type: READY } : { type: RESULT, data: { items: [] } });
    });
  });
})();
