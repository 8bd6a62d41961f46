/* hotline dashboard: one page, no framework, no build step.
   Views, each with its own address:
     /?ruleset=ID&period=P          ranking of every table, open alerts
     /?ruleset=ID&period=P&view=print   the bulletin, for printing
     /unit/ID?ruleset=ID&period=P   one unit: items, explain, 12 periods
   Data: the JSON API (/api/v1/...); live: EventSource on /api/v1/live
   (a snapshot, then score and alert events). */
"use strict";
(function () {
  const params = new URLSearchParams(location.search);
  const main = document.getElementById("main");

  function el(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") e.className = v;
      else if (k.startsWith("data-")) e.setAttribute(k, v);
      else e[k] = v;
    }
    for (const kid of kids)
      if (kid !== null && kid !== undefined)
        e.append(kid instanceof Node ? kid : String(kid));
    return e;
  }

  async function api(path) {
    const r = await fetch(path, { credentials: "same-origin", cache: "no-store" });
    const body = await r.json().catch(() => ({}));
    if (!r.ok) {
      const err = new Error(body.error || "HTTP " + r.status);
      err.status = r.status;
      throw err;
    }
    return body;
  }

  const enc = encodeURIComponent;
  const reportUrl = (ruleset, period) =>
    "/api/v1/report?ruleset=" + enc(ruleset) + "&period=" + enc(period || "");
  const KINDS = { warning: "预警", overdue: "超期" };
  const COUNTERS = { should_close: "应办结", closed: "已办结", closed_on_time: "按期办结",
    returned_late: "逾期退单", closed_late: "超期办结", unsatisfied: "不满意",
    rework: "返工", received: "受理" };

  function periodLabel(p) {
    let m = /^(\d{4})-(\d{2})$/.exec(p || "");
    if (m) return m[1] + "年" + Number(m[2]) + "月";
    m = /^(\d{4})-Q(\d)$/.exec(p || "");
    return m ? m[1] + "年第" + m[2] + "季度" : p || "";
  }

  function previousPeriod(p) {
    let m = /^(\d{4})-(\d{2})$/.exec(p);
    if (m) {
      let y = Number(m[1]), mo = Number(m[2]) - 1;
      if (mo === 0) { y--; mo = 12; }
      return y + "-" + String(mo).padStart(2, "0");
    }
    m = /^(\d{4})-Q(\d)$/.exec(p);
    if (!m) return null;
    let y = Number(m[1]), q = Number(m[2]) - 1;
    if (q === 0) { y--; q = 4; }
    return y + "-Q" + q;
  }

  function value(item, v) {
    if (v === null || v === undefined) return "—";
    if (item && item.round === "pct0") return Math.round(v) + (item.suffix || "");
    return Number(v).toFixed(2) + ((item && item.suffix) || "");
  }

  /* ---- live ----------------------------------------------------------- */

  const streams = [];
  function setLive() {
    const on = streams.length > 0 && streams.every((s) => s.readyState === 1);
    const badge = document.getElementById("live");
    badge.className = "live " + (on ? "on" : "off");
    badge.textContent = on ? "实时：已连接" : "实时：重连中";
  }

  /* handlers: snapshot(messages), score(row), alert(alert). */
  function live(topic, handlers) {
    const es = new EventSource("/api/v1/live?topic=" + enc(topic));
    streams.push(es);
    es.onopen = setLive;
    es.onerror = setLive;
    es.addEventListener("snapshot", (e) => {
      setLive();
      if (handlers.snapshot) handlers.snapshot(JSON.parse(e.data).messages);
      document.body.dataset.live = "1";
    });
    es.addEventListener("score", (e) => handlers.score && handlers.score(JSON.parse(e.data)));
    es.addEventListener("alert", (e) => handlers.alert && handlers.alert(JSON.parse(e.data)));
  }

  /* ---- the clock and open alerts ----------------------------------------- */

  const clock = { at: 0, fetched: 0, wall: false };
  function now() {
    return clock.wall ? clock.at + (Date.now() - clock.fetched) : clock.at;
  }
  async function refreshClock() {
    try {
      const stats = await api("/api/v1/stats");
      clock.wall = stats.clock_mode === "wall";
      clock.at = stats.clock ? Date.parse(stats.clock) : Date.now();
      clock.fetched = Date.now();
    } catch (e) { /* the next try will do */ }
  }

  function span(ms) {
    const m = Math.floor(Math.abs(ms) / 60000), d = Math.floor(m / 1440),
      h = Math.floor((m % 1440) / 60), min = m % 60;
    return (d ? d + "天" : "") + (d || h ? h + "小时" : "") + (d ? "" : min + "分");
  }

  function alertsPanel(parent, unit) {
    const section = el("section", { class: "alerts" }, el("h2", {}, "未解除预警"));
    const list = el("ul");
    const count = el("p", { class: "note" });
    section.append(count, list);
    parent.append(section);
    const open = new Map();
    const mine = (a) => !unit || a.unit_id === unit;
    function render() {
      const alerts = [...open.values()].sort((a, b) => Date.parse(a.due_at) - Date.parse(b.due_at));
      count.textContent = alerts.length ? "共 " + alerts.length + " 件" : "暂无未解除的预警";
      list.replaceChildren(...alerts.map((a) => {
        const left = Date.parse(a.due_at) - now();
        return el("li", { "data-ticket": a.ticket_id },
          el("span", { class: "kind " + a.kind }, KINDS[a.kind] || a.kind),
          el("a", { href: "/unit/" + enc(a.unit_id) }, a.unit_id), " ", a.ticket_id,
          el("span", { class: "left" + (left < 0 ? " late" : "") },
            (left < 0 ? "超期 " : "剩余 ") + span(left)));
      }));
    }
    api("/api/v1/alerts" + (unit ? "?unit=" + enc(unit) : "")).then((data) => {
      data.alerts.forEach((a) => open.set(a.ticket_id, a));
      render();
    }).catch((e) => { count.textContent = "预警无法读取：" + e.message; });
    live(unit ? "alert/" + unit : "alert/", {
      snapshot(messages) {
        open.clear();
        messages.forEach((m) => mine(m.data) && open.set(m.data.ticket_id, m.data));
        render();
      },
      alert(a) {
        if (!mine(a)) return;
        if (a.kind === "cleared") open.delete(a.ticket_id);
        else open.set(a.ticket_id, a);
        if (!clock.wall && Date.parse(a.at) > clock.at) clock.at = Date.parse(a.at);
        render();
      },
    });
    setInterval(render, 1000);
  }

  /* ---- the ranking ---------------------------------------------------- */

  function rankingTable(report, table) {
    const head = el("tr", {}, el("th", {}, "排名"), el("th", { class: "unit" }, "单位"),
      ...report.items.map((i) => el("th", { title: i.id }, i.label + "(" + i.points + ")")),
      el("th", {}, "总分"));
    const body = el("tbody");
    for (const row of table.rows) {
      body.append(el("tr", { "data-unit": row.unit_id, "data-rank": row.rank ?? "" },
        el("td", { class: "rank" }, row.rank ?? "—"),
        el("td", { class: "unit" }, el("a", {
          href: "/unit/" + enc(row.unit_id) + "?ruleset=" + enc(report.ruleset) +
            "&period=" + enc(report.period) }, row.unit)),
        ...report.items.map((i) => el("td", { class: "item", "data-item": i.id },
          value(i, row.items[i.id]))),
        el("td", { class: "total" }, value(null, row.total))));
    }
    return el("section", { class: "ranking" }, el("h2", {}, table.title || table.group),
      el("table", {}, el("thead", {}, head), body));
  }

  /* A live row: the cells change in place, the table is sorted again. */
  function applyRow(report, row) {
    if (row.ruleset !== report.ruleset || row.period !== report.period) return;
    const tr = document.querySelector('tr[data-unit="' + CSS.escape(row.unit_id) + '"]');
    if (!tr) return;
    const total = value(null, row.total);
    const moved = tr.querySelector(".total").textContent !== total;
    for (const item of report.items)
      tr.querySelector('[data-item="' + CSS.escape(item.id) + '"]').textContent =
        value(item, row.items[item.id]);
    tr.querySelector(".total").textContent = total;
    tr.querySelector(".rank").textContent = row.rank ?? "—";
    tr.dataset.rank = row.rank ?? "";
    if (moved) {
      tr.classList.remove("moved");
      void tr.offsetWidth; /* restart the animation */
      tr.classList.add("moved");
    }
    const body = tr.parentNode;
    const rank = (r) => (r.dataset.rank === "" ? Infinity : Number(r.dataset.rank));
    const rows = [...body.children];
    const sorted = [...rows].sort((a, b) => rank(a) - rank(b));
    if (sorted.some((r, i) => r !== rows[i])) body.append(...sorted);
  }

  async function rankingPage(ruleset) {
    const report = await api(reportUrl(ruleset, params.get("period")));
    document.title = report.title + " · " + periodLabel(report.period);
    const left = el("div"), right = el("div");
    left.append(el("h2", {}, report.title + " · " + periodLabel(report.period)),
      el("p", { class: "note" }, "数据截至 " + (report.as_of || "—") +
        "（排名随每次提交实时更新）"));
    for (const table of report.tables) left.append(rankingTable(report, table));
    if (report.excluded.length)
      left.append(el("p", { class: "excluded" }, "不参加排名：" +
        report.excluded.map((u) => u.unit + "（" + u.reason + "）").join("；")));
    for (const w of report.warnings || []) left.append(el("p", { class: "note" }, w));
    main.replaceChildren(left, right);
    alertsPanel(right, null);
    live("score/" + report.ruleset + "/", {
      snapshot: (messages) => messages.forEach((m) => applyRow(report, m.data)),
      score: (row) => applyRow(report, row),
    });
    return report;
  }

  /* ---- the bulletin, for printing ------------------------------------ */

  async function printPage(ruleset) {
    document.body.classList.add("print");
    const report = await api(reportUrl(ruleset, params.get("period")));
    document.title = report.title + " " + periodLabel(report.period);
    const parts = [el("h1", { class: "bulletin" }, report.title),
      el("p", { class: "sub" }, periodLabel(report.period) + "考核结果" +
        (report.as_of ? "（数据截至 " + report.as_of.slice(0, 10) + "）" : "")),
      el("p", { class: "noprint" }, el("button", { onclick: () => window.print() }, "打印"))];
    for (const table of report.tables) {
      const head = el("tr", {}, el("th", {}, "排名"), el("th", {}, "单位"),
        ...report.counters.map((c) => el("th", {}, COUNTERS[c] || c)),
        ...report.items.map((i) => el("th", {}, i.label + "(" + i.points + "分)")),
        el("th", {}, "总分"), el("th", {}, "备注"));
      const rows = table.rows.map((row) => el("tr", { "data-unit": row.unit_id },
        el("td", { class: "rank" }, row.rank ?? ""), el("td", { class: "unit" }, row.unit),
        ...report.counters.map((c) => el("td", {}, row.counters[c] ?? "")),
        ...report.items.map((i) => el("td", {}, value(i, row.items[i.id]))),
        el("td", { class: "total" }, value(null, row.total)), el("td", {}, row.note || "")));
      parts.push(el("h3", {}, table.title || table.group),
        el("table", {}, el("thead", {}, head), el("tbody", {}, ...rows)));
    }
    if (report.excluded.length)
      parts.push(el("p", {}, "注：" + report.excluded.map((u) =>
        u.unit + "（" + u.reason + "）").join("、") + "不参加排名。"));
    main.className = "single";
    main.replaceChildren(el("section", {}, ...parts));
  }

  /* ---- one unit ------------------------------------------------------- */

  function findRow(report, unit) {
    for (const t of report.tables)
      for (const r of t.rows) if (r.unit_id === unit) return r;
    return null;
  }

  function itemsTable(report, row) {
    return el("table", {}, el("thead", {}, el("tr", {}, el("th", { class: "unit" }, "项目"),
      el("th", {}, "满分"), el("th", {}, "得分"), el("th", {}, "失分"))),
    el("tbody", {}, ...report.items.map((i) => {
      const v = row.items[i.id], lost = i.points - v;
      return el("tr", { "data-item": i.id }, el("td", { class: "unit" }, i.label),
        el("td", {}, i.points), el("td", { class: "value" }, value(i, v)),
        el("td", { class: "lost" }, lost > 0.004 ? lost.toFixed(2) : ""));
    })));
  }

  async function explainSection(parent, report, unit) {
    const section = el("section", { class: "explain" }, el("h2", {}, "失分明细"));
    parent.append(section);
    try {
      const ex = await api("/api/v1/explain?ruleset=" + enc(report.ruleset) +
        "&period=" + enc(report.period) + "&unit=" + enc(unit));
      for (const item of ex.items || []) {
        if (!(item.lost > 0)) continue;
        section.append(el("h3", {}, item.label + "：失 " + Number(item.lost).toFixed(2) +
          " 分（" + item.formula + "）"));
        const tickets = (item.tickets || []).map((t) => el("li", {},
          t.ticket_id + " · " + (COUNTERS[t.counter] || t.counter) + " · " + (t.detail || t.at)));
        section.append(tickets.length ? el("ul", {}, ...tickets) : el("p", { class: "note" }, "无工单明细"));
      }
      if (section.children.length === 1) section.append(el("p", { class: "note" }, "本期未失分。"));
    } catch (e) {
      section.append(el("p", { class: "note" }, e.status === 501
        ? "逐项失分及对应工单（explain）将在守护进程提供 /api/v1/explain 后显示于此。"
        : "失分明细无法读取：" + e.message));
    }
  }

  async function trendSection(parent, report, unit) {
    const section = el("section", {}, el("h2", {}, "近12期总分"));
    const canvas = el("canvas");
    section.append(el("div", { class: "chart" }, canvas));
    parent.append(section);
    const periods = [report.period];
    while (periods.length < 12) periods.unshift(previousPeriod(periods[0]));
    const totals = await Promise.all(periods.map((p) =>
      (p === report.period ? Promise.resolve(report) : api(reportUrl(report.ruleset, p)))
        .then((r) => { const row = findRow(r, unit); return row ? row.total : null; })
        .catch(() => null)));
    if (typeof Chart === "undefined") return null;
    return new Chart(canvas, {
      type: "line",
      data: { labels: periods.map(periodLabel), datasets: [{ label: "总分", data: totals,
        borderColor: "#8cc4ff", backgroundColor: "#8cc4ff", spanGaps: true, tension: 0.2 }] },
      options: { animation: false, maintainAspectRatio: false,
        scales: { x: { ticks: { color: "#9fb0c8" } }, y: { ticks: { color: "#9fb0c8" } } },
        plugins: { legend: { display: false } } },
    });
  }

  async function unitPage(unit, ruleset) {
    const report = await api(reportUrl(ruleset, params.get("period")));
    const row = findRow(report, unit);
    const left = el("div"), right = el("div");
    main.replaceChildren(left, right);
    if (!row) {
      const out = report.excluded.find((u) => u.unit_id === unit);
      left.append(el("section", {}, el("h2", {}, unit), el("p", { class: "note" },
        out ? out.unit + " 本期不参加排名：" + out.reason : "本期考核中没有该单位。")));
    } else {
      document.title = row.unit + " · " + periodLabel(report.period);
      const totalCell = el("span", { class: "total" }, value(null, row.total));
      const rankCell = el("span", { class: "rank" }, row.rank ?? "—");
      const items = itemsTable(report, row);
      left.append(el("section", { class: "unit", "data-unit": unit },
        el("h2", {}, row.unit + "（" + unit + "）· " + report.title + " · " +
          periodLabel(report.period)),
        el("p", {}, "总分 ", totalCell, " · 排名 ", rankCell), items));
      live("score/" + report.ruleset + "/" + unit, {
        snapshot: (messages) => messages.forEach((m) => update(m.data)),
        score: update,
      });
      function update(r) {
        if (r.unit_id !== unit || r.period !== report.period) return;
        totalCell.textContent = value(null, r.total);
        rankCell.textContent = r.rank ?? "—";
        items.replaceWith(itemsTable(report, r));
      }
    }
    await explainSection(left, report, unit);
    trendSection(left, report, unit);
    alertsPanel(right, unit);
  }

  /* ---- start ------------------------------------------------------------ */

  async function start() {
    const rulesets = await api("/api/v1/rulesets");
    const ids = rulesets.map((r) => r.id);
    const ruleset = params.get("ruleset") ||
      (ids.includes("jintai-2025") ? "jintai-2025" : ids[0]);
    document.getElementById("rulesets").append(...ids.map((id) =>
      el("a", { href: "/?ruleset=" + enc(id), class: id === ruleset ? "current" : "" }, id)));
    const print = document.getElementById("print");
    print.href = "/?ruleset=" + enc(ruleset) + "&period=" + enc(params.get("period") || "") +
      "&view=print";
    await refreshClock();
    setInterval(refreshClock, 10000);
    if (location.pathname.startsWith("/unit/"))
      await unitPage(decodeURIComponent(location.pathname.slice(6)), ruleset);
    else if (params.get("view") === "print") await printPage(ruleset);
    else await rankingPage(ruleset);
    document.body.dataset.ready = "1";
  }

  start().catch((e) => {
    main.replaceChildren(el("section", {}, el("h2", {}, "无法加载"), el("p", { class: "note" },
      e.status === 401 || e.status === 403
        ? "此服务需要令牌：请以 /?token=令牌 打开本页。"
        : e.message)));
    document.body.dataset.ready = "error";
  });
})();
