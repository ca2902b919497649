/* govstd registry site: the service-item catalogue browser (政务服务事项目录).
 * Reads the JSON shards written by govstd.site.items: meta.json (shards' first codes), shards/N.json
 * (items), tokens/N.json (name character pairs -> shards). Fetches only what a query needs. */
(function () {
  "use strict";

  var PAGE = 50;
  var CODE = /^[0-9A-Za-z][0-9A-Za-z\-]*$/;

  function escapeHtml(value) {
    return String(value === null || value === undefined ? "" : value).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  /* The same hash as govstd.site.items.token_bucket (31-multiplier over UTF-16 code units, mod 2^32). */
  function bucket(token, buckets) {
    var h = 0;
    for (var i = 0; i < token.length; i++) h = (Math.imul(h, 31) + token.charCodeAt(i)) >>> 0;
    return h % buckets;
  }

  /* The index tokens a query's names must all contain: its character triples (govstd.site.items
   * indexes characters, pairs and triples), its pair if it has two characters, else the character. */
  function tokens(query) {
    var chars = Array.from(query.toLowerCase());
    var n = Math.min(3, chars.length);
    if (n < 2) return chars;
    var seen = {}, out = [];
    for (var i = 0; i + n <= chars.length; i++) {
      var t = chars.slice(i, i + n).join("");
      if (!seen[t] && !/\s/.test(t)) { seen[t] = true; out.push(t); }
    }
    return out;
  }

  function intersect(a, b) {
    var out = [], i = 0, j = 0;
    while (i < a.length && j < b.length) {
      if (a[i] === b[j]) { out.push(a[i]); i++; j++; } else if (a[i] < b[j]) i++; else j++;
    }
    return out;
  }

  function union(a, b) {
    var out = [], i = 0, j = 0;
    while (i < a.length || j < b.length) {
      if (j >= b.length || (i < a.length && a[i] < b[j])) out.push(a[i++]);
      else if (i >= a.length || b[j] < a[i]) out.push(b[j++]);
      else { out.push(a[i]); i++; j++; }
    }
    return out;
  }

  function Browser(root) {
    this.root = root;
    this.base = root.getAttribute("data-gs-items");
    this.cache = {};
    this.generation = 0;
    root.innerHTML =
      '<div class="gs-items__bar"><input type="search" class="gs-items__query" ' +
      'placeholder="事项名称或实施编码 Item name or implementation code" aria-label="查找事项 Search items">' +
      '<button type="button" class="gs-items__prev">上一页 Prev</button>' +
      '<button type="button" class="gs-items__next">下一页 Next</button></div>' +
      '<p class="gs-items__status" aria-live="polite">加载中… Loading…</p>' +
      '<div class="gs-table"><table class="gs-items__table"><thead><tr><th>实施编码 Code</th><th>事项名称 Name</th>' +
      "<th>基本编码 Basic code</th><th>类型 Type</th><th>主管部门 Department</th><th>实施主体 Body</th>" +
      "<th>层级 Level</th><th>区划 Region</th></tr></thead><tbody></tbody></table></div>";
    this.input = root.querySelector(".gs-items__query");
    this.status = root.querySelector(".gs-items__status");
    this.tbody = root.querySelector("tbody");
    this.prev = root.querySelector(".gs-items__prev");
    this.next = root.querySelector(".gs-items__next");
    var self = this, timer = null;
    this.input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { self.start(self.input.value.trim()); }, 150);
    });
    this.prev.addEventListener("click", function () { self.show(self.page - 1); });
    this.next.addEventListener("click", function () { self.show(self.page + 1); });
    this.json("meta.json").then(function (meta) {
      self.meta = meta;
      self.col = {};
      meta.columns.forEach(function (name, i) { self.col[name] = i; });
      self.start(self.input.value.trim());
    }).catch(function (error) { self.status.textContent = "目录数据加载失败 Could not load the catalogue: " + error; });
  }

  Browser.prototype.json = function (path) {
    if (!this.cache[path]) {
      this.cache[path] = fetch(this.base + path).then(function (response) {
        if (!response.ok) throw new Error(response.status + " " + path);
        return response.json();
      });
    }
    return this.cache[path];
  };

  Browser.prototype.shard = function (n) {
    return this.json("shards/" + n + ".json").then(function (data) { return data.rows; });
  };

  /* A new query: a producer yields matches lazily, shard by shard, so the first page shows early. */
  Browser.prototype.start = function (query) {
    this.generation++;
    this.query = query;
    this.results = [];
    this.done = false;
    this.page = 0;
    if (!query) this.producer = null;
    else if (CODE.test(query)) this.producer = this.codeProducer(query.toUpperCase());
    else this.producer = this.nameProducer(query);
    this.show(0);
  };

  /* Items of the shards ``list`` (ascending) that ``keep`` accepts, one shard per call, in shard order.
   * Up to AHEAD shard fetches run at once: a query whose character pairs all occur in many shards but
   * never inside one name (a false candidate) costs one round of parallel fetches per AHEAD shards,
   * not one round trip per shard; the caller renders as soon as a page of results is in. */
  var AHEAD = 6;
  Browser.prototype.scan = function (list, keep) {
    var self = this, i = 0;
    var producer = function () {
      if (i >= list.length) return Promise.resolve(null);
      for (var k = i; k < Math.min(list.length, i + AHEAD); k++) self.shard(list[k]);  // prefetch (cached)
      var n = list[i++];
      producer.scanned = i;
      return self.shard(n).then(function (rows) {
        delete self.cache["shards/" + n + ".json"];  // scanned once: do not hold 2 M items in memory
        return rows.filter(keep);
      });
    };
    producer.total = list.length;
    producer.scanned = 0;
    return producer;
  };

  /* A producer over a shard list still being worked out (``promise`` of the list). */
  Browser.prototype.later = function (promise, keep) {
    var self = this, inner = null, outer = function () {
      return promise.then(function (list) {
        if (inner === null) { inner = self.scan(list, keep); outer.total = inner.total; }
        var next = inner();
        outer.scanned = inner.scanned;
        return next;
      });
    };
    return outer;
  };

  /* A code: the shards whose code range can hold implementation codes starting with it, and the
   * shards the basic-code index lists for it (basic codes sit anywhere in an implementation code,
   * depending on the province's layout), merged in shard order. */
  Browser.prototype.codeProducer = function (code) {
    var shards = this.meta.shards, lo = 0, hi = shards.length - 1, self = this;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (shards[mid][0] <= code) lo = mid; else hi = mid - 1;
    }
    var range = [];
    for (var n = lo; n < shards.length && (n === lo || shards[n][0].slice(0, code.length) <= code); n++) range.push(n);
    var basic = this.meta.basic_buckets
      ? this.json("basic/" + bucket(code, this.meta.basic_buckets) + ".json").then(function (index) { return index[code] || []; })
      : Promise.resolve([]);
    var c = this.col.implementation_code, b = this.col.basic_code;
    return this.later(basic.then(function (list) { return union(range, list); }), function (r) {
      return String(r[c]).toUpperCase().indexOf(code) === 0 || String(r[b] || "").toUpperCase() === code;
    });
  };

  /* Shards holding every character triple of the query (their shard lists intersected before any
   * shard is fetched), then a substring test on each item's name. */
  Browser.prototype.nameProducer = function (query) {
    var self = this, needle = query.toLowerCase(), buckets = this.meta.buckets, name = this.col.name;
    var lists = Promise.all(tokens(query).map(function (t) {
      return self.json("tokens/" + bucket(t, buckets) + ".json").then(function (index) { return index[t] || []; });
    })).then(function (found) {
      found.sort(function (x, y) { return x.length - y.length; });  // the rarest pair first: a short intersection
      return found.reduce(function (acc, list) { return acc === null ? list : intersect(acc, list); }, null) || [];
    });
    return this.later(lists, function (r) { return String(r[name]).toLowerCase().indexOf(needle) !== -1; });
  };

  /* Fill results until page ``page`` is complete (or the producer is exhausted), then render it. */
  Browser.prototype.show = function (page) {
    if (page < 0) return;
    var self = this, generation = this.generation;
    if (!this.producer) return this.browse(page);
    var want = (page + 1) * PAGE + 1;
    function pump() {
      if (generation !== self.generation) return null;
      if (self.done || self.results.length >= want) return self.render(page);
      return self.producer().then(function (rows) {
        if (generation !== self.generation) return null;
        if (rows === null) self.done = true; else self.results = self.results.concat(rows);
        if (!self.done && self.producer.total) {
          self.status.textContent = "查找中… 已查 " + self.producer.scanned + " / " + self.producer.total +
            " 个分片，找到 " + self.results.length + " 条 · Searching… " + self.producer.scanned + " of " +
            self.producer.total + " shards, " + self.results.length + " found";
        }
        return pump();
      });
    }
    this.status.textContent = "查找中… Searching…";
    return Promise.resolve(pump()).catch(function (error) { self.status.textContent = "查找失败 Search failed: " + error; });
  };

  Browser.prototype.render = function (page) {
    var rows = this.results.slice(page * PAGE, (page + 1) * PAGE);
    if (!rows.length && page > 0) return;
    this.page = page;
    var more = !this.done || this.results.length > (page + 1) * PAGE;
    var first = page * PAGE + 1, last = page * PAGE + rows.length;
    this.status.textContent = rows.length
      ? "第 " + first + "–" + last + " 条" + (more ? "（还有更多）" : "，共 " + this.results.length + " 条") +
        " · Results " + first + "–" + last + (more ? " (more)" : " of " + this.results.length)
      : "没有找到匹配的事项。No item matches.";
    this.fill(rows, page > 0, more);
  };

  /* No query: the catalogue in code order, PAGE items a page, from the one shard that holds them. */
  Browser.prototype.browse = function (page) {
    var self = this, meta = this.meta, size = meta.shard_rows, generation = this.generation;
    var total = meta.items, offset = page * PAGE;
    if (offset >= total && page > 0) return;
    var n = Math.floor(offset / size);
    if (n >= meta.shards.length) { this.fill([], false, false); return; }
    return this.shard(n).then(function (rows) {
      if (generation !== self.generation) return;
      var start = offset - n * size, slice = rows.slice(start, start + PAGE);
      self.page = page;
      self.status.textContent = "第 " + (offset + 1) + "–" + (offset + slice.length) + " 条，共 " + total +
        " 条 · Items " + (offset + 1) + "–" + (offset + slice.length) + " of " + total;
      self.fill(slice, page > 0, offset + PAGE < total);
    });
  };

  Browser.prototype.fill = function (rows, hasPrev, hasNext) {
    var col = this.col, national = this.meta.national || {}, levels = this.meta.levels || {};
    this.prev.disabled = !hasPrev;
    this.next.disabled = !hasNext;
    this.tbody.innerHTML = rows.map(function (r) {
      function v(name) { var x = r[col[name]]; return x === null || x === undefined ? "" : x; }
      var basic = escapeHtml(v("basic_code"));
      if (national[v("basic_code")]) basic = '<a href="' + escapeHtml(national[v("basic_code")]) + '">' + basic + "</a>";
      var level = v("exercise_level");
      return "<tr><td><code>" + escapeHtml(v("implementation_code")) + "</code></td><td>" + escapeHtml(v("name")) +
        "</td><td>" + basic + "</td><td>" + escapeHtml(v("item_type")) + "</td><td>" + escapeHtml(v("department")) +
        "</td><td>" + escapeHtml(v("body")) + "</td><td>" + escapeHtml(level ? level + " " + (levels[level] || "") : "") +
        "</td><td>" + escapeHtml(v("region")) + "</td></tr>";
    }).join("");
  };

  function mount() {
    document.querySelectorAll("[data-gs-items]").forEach(function (root) {
      if (!root.getAttribute("data-gs-mounted")) {
        root.setAttribute("data-gs-mounted", "1");
        new Browser(root);
      }
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mount);
  else mount();
})();
