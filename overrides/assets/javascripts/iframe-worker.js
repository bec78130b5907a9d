/*
 * casebook offline worker shim: lets Material's search web worker run from file://.
 *
 * Browsers refuse `new Worker("file:///…")`, so on file:// pages this replaces `Worker` with
 * a hidden same-origin iframe that runs the worker script and relays messages. The idea and
 * the message protocol follow `iframe-worker` by Martin Donath (MIT licence,
 * https://github.com/squidfunk/iframe-worker), which Material's offline plugin loads from a
 * CDN; this is a small local rewrite (the file name must contain "iframe-worker" so Material
 * does not add the CDN copy). Differences: messages are handed over without a structured clone
 * (the search index is tens of MB), errors are forwarded, and when `casebook bundle` shipped a
 * prebuilt Lunr index (`var __casebook_lunr` in search/search_index.js) the search worker
 * loads it instead of re-indexing every document on every page (see casebook/bundle.py).
 *
 * On http(s) pages the shim does nothing.
 */
(function () {
  "use strict";

  /* ------------------------------------------------------------------ prebuilt Lunr index */

  /* Patch Lunr inside the worker frame so that `lunr(fn)` returns the prebuilt index. The
     builder still receives every document (so Material's field extractors run and its
     highlighting tables exist); the tokenising of a document is deferred until it appears in
     a result. Any mismatch between the prebuilt index and the documents -> normal build. */
  function patchLunr(L, getPrebuilt) {
    if (!L || !L.Builder || L.Builder.prototype.__casebook) return;
    var B = L.Builder.prototype;
    var add = B.add;
    var build = B.build;
    var search = L.Index.prototype.search;
    B.__casebook = true;

    B.add = function (doc, attributes) {
      if (!getPrebuilt()) return add.call(this, doc, attributes);
      var rec = this.__cb || (this.__cb = { docs: [], pending: new Map() });
      rec.docs.push([doc, attributes]);
      var ref = String(doc[this._ref]);
      var tables = [];
      for (var name in this._fields) {
        var extractor = this._fields[name].extractor;
        var before = L.tokenizer.table;
        var value = extractor ? extractor(doc) : doc[name];
        if (value !== undefined && value !== null && L.tokenizer.table !== before)
          tables.push([L.tokenizer.table, value, name]);
      }
      rec.pending.set(ref, tables);
    };

    function labels(pipeline) {
      return pipeline._stack.map(function (fn) { return fn.label; }).join(",");
    }

    B.build = function () {
      var rec = this.__cb;
      var pre = getPrebuilt();
      if (!rec) return build.call(this);
      var fields = Object.keys(this._fields);
      var ok = pre && pre.v === 3 && this._b === 0 && pre.refs.length === rec.docs.length &&
        pre.fields.join(",") === fields.join(",") &&
        pre.pipeline.join(",") === labels(this.pipeline);
      for (var i = 0; ok && i < rec.docs.length; i++)
        ok = pre.refs[i] === String(rec.docs[i][0][this._ref]);
      if (!ok) {
        /* not our index: build as usual */
        if (typeof console !== "undefined")
          console.warn("casebook: prebuilt search index does not match, indexing in the browser");
        this.__cb = undefined;
        for (var j = 0; j < rec.docs.length; j++) add.call(this, rec.docs[j][0], rec.docs[j][1]);
        return build.call(this);
      }
      var index = new L.Index({
        invertedIndex: lazyPostings(L, pre, fields),
        fieldVectors: lazyVectors(L, pre, fields, this, rec.docs),
        tokenSet: L.TokenSet.fromArray(pre.terms),
        fields: fields,
        pipeline: this.searchPipeline
      });
      index.__cbPending = rec.pending;
      index.__cbTokenizer = this.tokenizer;
      index.__cbPipeline = this.pipeline;
      return index;
    };

    /* The prebuilt postings carry no positions (they would double its size). Each document a
       query finds is tokenised as the builder would have done it: the first time this fills
       Material's highlighting table, and every time it gives the positions of the matched
       terms, which go into the match data Material highlights from. */
    L.Index.prototype.search = function (query) {
      var results = search.call(this, query);
      var pending = this.__cbPending;
      if (!pending) return results;
      var fast = !L.segmenter && /^(stemmer-zh)?$/.test(labels(this.__cbPipeline));
      for (var i = 0; i < results.length; i++) {
        var ref = results[i].ref;
        var metadata = results[i].matchData.metadata;
        var tables = pending.get(ref) || [];
        for (var t = 0; t < tables.length; t++) {
          var field = tables[t][2];
          var wanted = new Map();
          for (var term in metadata)
            if (metadata[term][field]) wanted.set(term, metadata[term][field].position = []);
          if (fast) {
            /* first time: fill the table too; later: only collect positions */
            tokenizeInto(tables[t][1], tables[t][3] ? null : tables[t][0], L.tokenizer.separator, wanted);
            tables[t][3] = true;
            continue;
          }
          var table = [];
          L.tokenizer.table = tables[t][3] ? table : tables[t][0];
          tables[t][3] = true;
          var tokens = this.__cbPipeline.run(this.__cbTokenizer(tables[t][1], { fields: [field] }));
          for (var k = 0; k < tokens.length; k++) {
            var list = wanted.get(tokens[k].toString());
            if (list) list.push(tokens[k].metadata.position);
          }
        }
      }
      return results;
    };

    /* Material's `tokenize` (extract + split) without Token objects, for pipelines that leave
       tokens as they are (Chinese): writes the highlighting table (unless null) and collects the
       positions of the wanted terms. */
    function tokenizeInto(value, table, separator, wanted) {
      var re = new RegExp(separator.source, "g");
      var inputs = Array.isArray(value) ? value : [value];
      var counts = [];
      for (var i = 0; i < inputs.length; i++) {
        var input = String(inputs[i]);
        var total = counts.length;
        var visit = function (block, type, start, end) {
          var b = block + total;
          var row = table && (table[b] || (table[b] = []));
          if (counts[b] === undefined) counts[b] = 0;
          if (type !== 1) {
            if (row) row.push(start << 12 | end - start << 2 | type);
            counts[b]++;
            return;
          }
          var section = input.slice(start, end);
          var index = 0;
          var match;
          re.lastIndex = 0;
          do {
            match = re.exec(section);
            var until = match ? match.index : section.length;
            if (index < until) {
              if (row) row.push(start + index << 12 | until - index << 2 | type);
              var list = wanted.get(section.slice(index, until).toLowerCase());
              if (list) list.push(b << 20 | counts[b]);
              counts[b]++;
            }
            if (match) {
              index = match.index + match[0].length;
              if (match[0].length === 0) re.lastIndex = match.index + 1;
            }
          } while (match);
        };
        var block = 0, start = 0, end = 0, stack = 0;
        for (; end < input.length; end++) {
          var ch = input.charAt(end);
          if (ch === "<" && end > start) {
            visit(block, 1, start, end);
            start = end;
          } else if (ch === ">") {
            if (input.charAt(start + 1) === "/") {
              if (--stack === 0) visit(block++, 2, start, end + 1);
            } else if (input.charAt(end - 1) !== "/") {
              if (stack++ === 0) visit(block, 0, start, end + 1);
            }
            start = end + 1;
          }
        }
        if (end > start) visit(block, 1, start, end);
      }
    }

    /* invertedIndex[term] -> { _index, field: { ref: { position: [] } } }, decoded on use */
    function lazyPostings(L, pre, fields) {
      var slot = new Map();
      for (var i = 0; i < pre.terms.length; i++) slot.set(pre.terms[i], i);
      var cache = new Map();
      function decode(i) {
        var posting = { _index: i };
        for (var f = 0; f < fields.length; f++) posting[fields[f]] = Object.create(null);
        var groups = pre.postings[i].split(",");
        var doc = 0;
        for (var g = 0; g < groups.length; g++) {
          /* each group: (doc - previous doc) * number of fields + field, base 36 */
          var n = parseInt(groups[g], 36);
          doc += Math.floor(n / fields.length);
          posting[fields[n % fields.length]][pre.refs[doc]] = { position: [] };
        }
        return posting;
      }
      return lazyObject(function (key) {
        var i = slot.get(key);
        if (i === undefined) return undefined;
        var value = cache.get(i);
        if (value === undefined) cache.set(i, value = decode(i));
        return value;
      }, function (key) { return slot.has(key); }, function () { return pre.terms.slice(); });
    }

    /* fieldVectors["field/ref"] -> lunr.Vector, decoded on use */
    /* fieldVectors["field/ref"] -> lunr.Vector of BM25 scores, computed on use exactly as
       lunr.Builder#createFieldVectors does (Material sets b = 0, so field length drops out) */
    function lazyVectors(L, pre, fields, builder, docs) {
      var refs = new Map();
      for (var i = 0; i < pre.refs.length; i++) refs.set(pre.refs[i], i);
      var count = docs.length;
      var k1 = builder._k1;
      var cache = new Map();
      function idf(t) {
        var x = (count - pre.df[t] + 0.5) / (pre.df[t] + 0.5);
        return Math.log(1 + Math.abs(x));
      }
      function locate(key) {
        var cut = key.indexOf("/");
        if (cut < 0) return null;
        var f = fields.indexOf(key.slice(0, cut));
        var d = refs.get(key.slice(cut + 1));
        return f < 0 || d === undefined ? null : [d, f];
      }
      return lazyObject(function (key) {
        var value = cache.get(key);
        if (value !== undefined) return value;
        var at = locate(key);
        if (!at) return undefined;
        var enc = pre.vectors[at[0]][at[1]];
        var fieldBoost = builder._fields[fields[at[1]]].boost || 1;
        var attributes = docs[at[0]][1] || {};
        var docBoost = attributes.boost || 1;
        var elements = [];
        if (enc) {
          /* pairs: (term - previous term), term frequency; base 36 */
          var parts = enc.split(",");
          var t = 0;
          for (var p = 0; p < parts.length; p += 2) {
            t += parseInt(parts[p], 36);
            var tf = parseInt(parts[p + 1], 36);
            var score = idf(t) * ((k1 + 1) * tf) / (k1 + tf);  // k1 * (1 - b + b * len / avg) + tf, b = 0
            score *= fieldBoost;
            score *= docBoost;
            elements.push(t, Math.round(score * 1000) / 1000);
          }
        }
        cache.set(key, value = new L.Vector(elements));
        return value;
      }, function (key) { return locate(key) !== null; }, function () {
        var keys = [];
        for (var d = 0; d < pre.refs.length; d++)
          for (var f = 0; f < fields.length; f++) keys.push(fields[f] + "/" + pre.refs[d]);
        return keys;
      });
    }

    function lazyObject(get, has, keys) {
      return new Proxy(Object.create(null), {
        get: function (target, key) { return typeof key === "string" ? get(key) : undefined; },
        has: function (target, key) { return typeof key === "string" && has(key); },
        ownKeys: function () { return keys(); },
        getOwnPropertyDescriptor: function (target, key) {
          if (typeof key !== "string" || !has(key)) return undefined;
          return { value: get(key), enumerable: true, configurable: true, writable: false };
        }
      });
    }
  }

  /* for tests under Node */
  if (typeof module !== "undefined" && module.exports) module.exports = { patchLunr: patchLunr };
  if (typeof window === "undefined" || typeof document === "undefined") return;
  if (location.protocol !== "file:") return;

  /* ------------------------------------------------------------------ the Worker shim */

  var hosts = window.__casebookWorkers = window.__casebookWorkers || [];

  function frameSource(id, url) {
    var quoted = JSON.stringify(url).replace(/</g, "\\u003c");
    return "<!doctype html><html><head><meta charset=\"utf-8\"></head><body><script>" +
      "var host=parent.__casebookWorkers[" + id + "];" +
      "self.postMessage=function(data){host.post(data)};" +
      "self.importScripts=function(){var urls=Array.prototype.slice.call(arguments);" +
      "return urls.reduce(function(done,src){return done.then(function(){" +
      "return new Promise(function(resolve,reject){var s=document.createElement('script');" +
      "s.src=src;s.onload=resolve;s.onerror=function(){reject(new Error('importScripts: '+src))};" +
      "document.body.appendChild(s)})})},Promise.resolve())};" +
      "self.addEventListener('error',function(ev){host.fail(ev)});" +
      "<\/script><script src=" + quoted + "><\/script><script>" +
      "(" + patchLunr.toString() + ")(self.lunr,function(){return parent.__casebook_lunr});" +
      "host.ready();<\/script></body></html>";
  }

  function FileWorker(url) {
    var target = new EventTarget();
    var self = this;
    var id = hosts.length;
    var ready;
    this.url = new URL(String(url), location.href).href;
    this.onmessage = null;
    this.onerror = null;
    this._target = target;
    this._ready = new Promise(function (resolve) { ready = resolve; });
    hosts.push({
      post: function (data) {
        setTimeout(function () {
          var ev = new MessageEvent("message", { data: data });
          target.dispatchEvent(ev);
          if (typeof self.onmessage === "function") self.onmessage(ev);
        }, 0);
      },
      fail: function (ev) {
        var err = new ErrorEvent("error", {
          message: ev && ev.message, filename: ev && ev.filename,
          lineno: ev && ev.lineno, colno: ev && ev.colno, error: ev && ev.error
        });
        target.dispatchEvent(err);
        if (typeof self.onerror === "function") self.onerror(err);
      },
      ready: function () { ready(); }
    });
    var frame = document.createElement("iframe");
    frame.hidden = true;
    frame.setAttribute("aria-hidden", "true");
    frame.setAttribute("tabindex", "-1");
    frame.title = "search worker";
    (document.body || document.documentElement).appendChild(frame);
    this._frame = frame;
    var doc = frame.contentWindow.document;
    doc.open();
    doc.write(frameSource(id, this.url));
    doc.close();
  }
  FileWorker.prototype.addEventListener = function (type, fn, options) {
    this._target.addEventListener(type, fn, options);
  };
  FileWorker.prototype.removeEventListener = function (type, fn, options) {
    this._target.removeEventListener(type, fn, options);
  };
  FileWorker.prototype.dispatchEvent = function (ev) {
    return this._target.dispatchEvent(ev);
  };
  FileWorker.prototype.postMessage = function (data) {
    var frame = this._frame;
    this._ready.then(function () {
      var win = frame.contentWindow;
      if (win) win.dispatchEvent(new win.MessageEvent("message", { data: data }));
    });
  };
  FileWorker.prototype.terminate = function () {
    if (this._frame) this._frame.remove();
    this._frame = null;
  };

  window.IFrameWorker = FileWorker;
  window.Worker = FileWorker;
})();
