/* govstd registry site: filterable, sortable tables and the paginated browser of large code sets.
 * No dependencies, no network beyond the page's own codes.json. */
(function () {
  "use strict";

  var collator = new Intl.Collator("zh-Hans-CN", { numeric: true, sensitivity: "base" });
  var PAGE_SIZE = 25;

  function text(node) {
    return (node.textContent || "").replace(/\s+/g, " ").trim();
  }

  function escapeHtml(value) {
    return String(value).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function compare(a, b) {
    if (a === b) return 0;
    if (a === null || a === undefined || a === "") return 1;
    if (b === null || b === undefined || b === "") return -1;
    if (typeof a === "number" && typeof b === "number") return a - b;
    return collator.compare(String(a), String(b));
  }

  /* Click-to-sort headers; onSort(index, direction) decides how rows move. */
  function sortableHeaders(headers, onSort) {
    headers.forEach(function (th, index) {
      th.classList.add("gs-sortable");
      th.setAttribute("tabindex", "0");
      th.setAttribute("title", "点击排序 Click to sort");
      function activate() {
        var direction = th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
        headers.forEach(function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", direction);
        onSort(index, direction);
      }
      th.addEventListener("click", activate);
      th.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") { event.preventDefault(); activate(); }
      });
    });
  }

  /* A Markdown table inside <div class="gs-table">: sortable, and filterable if data-gs-filter. */
  function enhanceTable(wrapper) {
    var table = wrapper.querySelector("table");
    if (!table || !table.tBodies.length) return;
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var headers = Array.prototype.slice.call(table.tHead ? table.tHead.rows[0].cells : []);
    sortableHeaders(headers, function (index, direction) {
      var sign = direction === "ascending" ? 1 : -1;
      rows.slice().sort(function (a, b) {
        return sign * compare(text(a.cells[index]), text(b.cells[index]));
      }).forEach(function (row) { body.appendChild(row); });
    });
    var placeholder = wrapper.getAttribute("data-gs-filter");
    if (placeholder === null || rows.length < 8) return;
    var bar = document.createElement("div");
    bar.className = "gs-filter";
    bar.innerHTML = '<input type="search" aria-label="' + escapeHtml(placeholder) + '" placeholder="' +
      escapeHtml(placeholder) + '"><span class="gs-count"></span>';
    wrapper.insertBefore(bar, wrapper.firstChild);
    var input = bar.querySelector("input");
    var count = bar.querySelector(".gs-count");
    var haystack = rows.map(function (row) { return text(row).toLowerCase(); });
    function apply() {
      var query = input.value.trim().toLowerCase();
      var shown = 0;
      rows.forEach(function (row, i) {
        var match = !query || haystack[i].indexOf(query) !== -1;
        row.hidden = !match;
        if (match) shown += 1;
      });
      count.textContent = query ? shown + " / " + rows.length : rows.length + " 行 rows";
    }
    input.addEventListener("input", apply);
    apply();
  }

  var LEVELS = {
    province: "省级", city: "地级", prefecture: "地级", county: "县级", township: "乡级",
    city_districts: "市辖区（推导）"
  };
  var HEADINGS = {
    code: "代码 Code", label_zh: "名称 Name", label_en: "英文 English", aliases: "别名 Aliases",
    level: "层级 Level", parent: "上级 Parent", valid_from: "启用 From", valid_to: "停用 Until"
  };

  /* Large code sets: rows come from codes.json; filter, sort and paginate in the browser. */
  function codeBrowser(root) {
    var source = root.getAttribute("data-src");
    fetch(source).then(function (response) {
      if (!response.ok) throw new Error(response.status + " " + response.statusText);
      return response.json();
    }).then(function (data) {
      renderBrowser(root, data);
    }).catch(function (error) {
      root.innerHTML = '<p class="gs-note">无法载入代码表 Could not load the codes: ' + escapeHtml(error.message) +
        ' — <a href="' + escapeHtml(source.replace(/codes\.json$/, "codes.csv")) + '">CSV</a></p>';
    });
  }

  function renderBrowser(root, data) {
    var col = {};
    data.columns.forEach(function (name, i) { col[name] = i; });
    var rows = data.rows;
    var hasLevel = col.level !== undefined;
    var hasTo = col.valid_to !== undefined;
    var tops = hasLevel ? rows.filter(function (r) { return r[col.level] === rows[0][col.level]; }) : [];
    var state = { query: "", status: "all", level: "", top: "", year: "", sort: null, dir: 1, page: 0 };

    var controls = ['<input type="search" aria-label="代码或名称" placeholder="代码或名称 Code or name">'];
    if (hasTo) {
      controls.push('<select data-k="status" aria-label="状态 Status"><option value="all">全部 All</option>' +
        '<option value="current">现行 In force</option><option value="withdrawn">已停用 Withdrawn</option></select>');
    }
    if (hasLevel) {
      var levels = [];
      rows.forEach(function (r) { if (levels.indexOf(r[col.level]) === -1) levels.push(r[col.level]); });
      controls.push('<select data-k="level" aria-label="层级 Level"><option value="">全部层级 All levels</option>' +
        levels.map(function (l) { return '<option value="' + escapeHtml(l) + '">' + escapeHtml(LEVELS[l] || l) + " " + escapeHtml(l) + "</option>"; }).join("") +
        "</select>");
      if (tops.length > 1 && tops.length < 200) {
        controls.push('<select data-k="top" aria-label="上级范围"><option value="">全部地区 All</option>' +
          tops.map(function (r) {
            return '<option value="' + escapeHtml(String(r[col.code]).replace(/(00)+$/, "")) + '">' +
              escapeHtml(r[col.code] + " " + r[col.label_zh]) + "</option>";
          }).join("") + "</select>");
      }
    }
    if (data.years && col.valid_from !== undefined) {
      controls.push('<input type="number" data-k="year" min="1900" max="2100" aria-label="有效年份" ' +
        'placeholder="某年有效 Valid in year" style="width:11em">');
    }
    root.innerHTML = '<div class="gs-codes__controls">' + controls.join("") + '<span class="gs-count"></span></div>' +
      '<div class="md-typeset__scrollwrap"><div class="md-typeset__table"><table><thead><tr>' +
      data.columns.map(function (c) { return "<th>" + escapeHtml(HEADINGS[c] || c) + "</th>"; }).join("") +
      "</tr></thead><tbody></tbody></table></div></div>" +
      '<div class="gs-codes__pager"><button type="button" data-p="-1">‹ 上一页 Prev</button>' +
      '<span class="gs-page"></span><button type="button" data-p="1">下一页 Next ›</button></div>';

    var body = root.querySelector("tbody");
    var count = root.querySelector(".gs-count");
    var pageLabel = root.querySelector(".gs-page");
    var buttons = root.querySelectorAll("[data-p]");
    var filtered = rows;

    function matches(r) {
      var q = state.query;
      if (q) {
        if (/^[0-9]+$/.test(q)) {
          if (String(r[col.code]).indexOf(q) !== 0) return false;
        } else {
          var hay = (r[col.label_zh] || "") + " " + (col.aliases !== undefined ? r[col.aliases] || "" : "") +
            " " + (col.label_en !== undefined ? String(r[col.label_en] || "").toLowerCase() : "");
          if (hay.indexOf(q) === -1 && String(r[col.code]).toLowerCase().indexOf(q) !== 0) return false;
        }
      }
      if (state.status === "current" && r[col.valid_to] !== null) return false;
      if (state.status === "withdrawn" && r[col.valid_to] === null) return false;
      if (state.level && r[col.level] !== state.level) return false;
      if (state.top && String(r[col.code]).indexOf(state.top) !== 0) return false;
      if (state.year) {
        var y = Number(state.year);
        var from = r[col.valid_from], to = hasTo ? r[col.valid_to] : null;
        if ((from !== null && from > y) || (to !== null && to <= y)) return false;
      }
      return true;
    }

    function cell(name, value) {
      if (value === null || value === undefined) return "<td></td>";
      if (name === "code" || name === "parent") return "<td><code>" + escapeHtml(value) + "</code></td>";
      if (name === "level") return "<td>" + escapeHtml(LEVELS[value] || value) + "</td>";
      return "<td>" + escapeHtml(value) + "</td>";
    }

    function draw() {
      var pages = Math.max(1, Math.ceil(filtered.length / PAGE_SIZE));
      state.page = Math.min(state.page, pages - 1);
      var slice = filtered.slice(state.page * PAGE_SIZE, (state.page + 1) * PAGE_SIZE);
      body.innerHTML = slice.map(function (r) {
        var withdrawn = hasTo && r[col.valid_to] !== null;
        return "<tr" + (withdrawn ? ' class="gs-withdrawn" title="已停用 Withdrawn"' : "") + ">" +
          data.columns.map(function (name, i) { return cell(name, r[i]); }).join("") + "</tr>";
      }).join("") || '<tr><td colspan="' + data.columns.length + '">无匹配代码 No matching codes</td></tr>';
      count.textContent = "共 " + filtered.length.toLocaleString("zh-CN") + " 条 · of " +
        rows.length.toLocaleString("zh-CN");
      pageLabel.textContent = "第 " + (state.page + 1) + " / " + pages + " 页";
      buttons[0].disabled = state.page === 0;
      buttons[1].disabled = state.page >= pages - 1;
    }

    function refilter() {
      filtered = rows.filter(matches);
      if (state.sort !== null) {
        var i = state.sort, sign = state.dir;
        filtered = filtered.slice().sort(function (a, b) { return sign * compare(a[i], b[i]); });
      }
      state.page = 0;
      draw();
    }

    root.querySelector('input[type="search"]').addEventListener("input", function (event) {
      state.query = event.target.value.trim().toLowerCase();
      refilter();
    });
    Array.prototype.forEach.call(root.querySelectorAll("[data-k]"), function (control) {
      control.addEventListener("input", function () {
        state[control.getAttribute("data-k")] = control.value.trim();
        refilter();
      });
    });
    Array.prototype.forEach.call(buttons, function (button) {
      button.addEventListener("click", function () {
        state.page += Number(button.getAttribute("data-p"));
        draw();
      });
    });
    sortableHeaders(Array.prototype.slice.call(root.querySelectorAll("th")), function (index, direction) {
      state.sort = index;
      state.dir = direction === "ascending" ? 1 : -1;
      refilter();
    });
    refilter();
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll(".gs-table:not([data-gs-ready])"), function (el) {
      el.setAttribute("data-gs-ready", "");
      enhanceTable(el);
    });
    Array.prototype.forEach.call(document.querySelectorAll(".gs-codes:not([data-gs-ready])"), function (el) {
      el.setAttribute("data-gs-ready", "");
      codeBrowser(el);
    });
  }

  if (typeof window.document$ !== "undefined" && window.document$.subscribe) {
    window.document$.subscribe(init);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
