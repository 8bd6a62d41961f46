/* hotline dashboard: one page, no framework, no build step.
   Views, each with its own address:
     /?ruleset=ID&period=P          ranking of every table, open alerts
     /?ruleset=ID&period=P&view=print   the bulletin, for printing: not
                                    this page, the daemon renders it
     /unit/ID?ruleset=ID&period=P   one unit: items, formulas, the tickets
                                    behind every lost point, 12 periods
     /ticket/ID?ruleset=ID&period=P one ticket: its events, where it counted
   Data: the JSON API (/api/v1/...); live: EventSource on /api/v1/live
   (a snapshot, then score and alert events). Every text from the data is
   set as text (el() below), never parsed as HTML. */
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
  /* The ruleset and period the page shows, carried by its links. */
  const ctx = { ruleset: "", period: params.get("period") || "" };
  const unitHref = (id, period) => "/unit/" + enc(id) + "?ruleset=" + enc(ctx.ruleset) +
    "&period=" + enc(period === undefined ? ctx.period : period);
  const ticketHref = (id) => "/ticket/" + enc(id) + "?ruleset=" + enc(ctx.ruleset) +
    "&period=" + enc(ctx.period);
  const KINDS = { warning: "预警", overdue: "超期" };
  /* The counters' names in the bulletins' words. */
  const COUNTERS = { received: "受理", signed_late: "签收超时", contacted_late: "联系超时",
    returned: "退单", returned_late: "逾期退单", extended: "延期", closed: "已办结",
    closed_on_time: "按期办结", overdue_open: "超期未办结", alerts: "告警", revisited: "回访",
    unsatisfied: "不满意", unresolved: "未解决", rework: "返工", first_time_closed: "一次办结",
    key_closed_late: "重点督办逾期", repeat_closed_late: "重复交办逾期", days_late: "逾期天数",
    should_close: "应办结", closed_late: "逾期办结" };
  /* The counters that cost points: a ticket counted in one is listed. */
  const ADVERSE = new Set(["signed_late", "contacted_late", "returned", "returned_late",
    "extended", "overdue_open", "alerts", "unsatisfied", "unresolved", "rework",
    "key_closed_late", "repeat_closed_late", "closed_late"]);
  const counterName = (c) => COUNTERS[c] || c;

  /* A time as an office writes it, on the clock of the assessment
     (Asia/Shanghai, as hotline prints its times): 2025年7月6日 10:00. */
  const TIME = new Intl.DateTimeFormat("zh-CN", { timeZone: "Asia/Shanghai",
    year: "numeric", month: "numeric", day: "numeric", hour: "2-digit",
    minute: "2-digit", hourCycle: "h23" });
  function when(text) {
    const t = Date.parse(text || "");
    if (Number.isNaN(t)) return text || "—";
    const p = {};
    for (const part of TIME.formatToParts(new Date(t))) p[part.type] = part.value;
    return p.year + "年" + p.month + "月" + p.day + "日 " + p.hour + ":" + p.minute;
  }

  /* explain's details (report/report_explain.c writes them in English)
     in Chinese; a detail not known here is shown as it came. */
  /* A span: "16 h", "35 min", "3.5 days", "3 h 10 min", each maybe "of
     working hours" (a window in working time): 3小时10分钟（工作时间）. */
  const SPAN_UNITS = { min: "分钟", h: "小时", days: "天" };
  const spanZh = (s) => s.replace(
    /^([\d.]+) (min|h|days)(?: (\d+) min)?( of working hours)?$/,
    (_, n, u, min, working) => n + SPAN_UNITS[u] + (min ? min + "分钟" : "") +
      (working ? "（工作时间）" : ""));
  /* A window's detail: 派单后3小时退单（时限2小时）; a limit in working
     hours already has its brackets: …，时限2小时（工作时间）. */
  const windowZh = (before, measured, done, allowed) => {
    const limit = spanZh(allowed);
    return before + spanZh(measured) + done +
      (limit.endsWith("）") ? "，时限" + limit : "（时限" + limit + "）");
  };
  const DETAILS = [
    [/^closed (.+) after its deadline$/, (m) => "超过办结时限" + spanZh(m[1]) + "办结"],
    [/^key-supervision ticket closed (.+) after its deadline$/,
      (m) => "重点督办件超过时限" + spanZh(m[1]) + "办结"],
    [/^repeat-dispatch ticket closed (.+) after its deadline$/,
      (m) => "重复交办件超过时限" + spanZh(m[1]) + "办结"],
    [/^still open when its deadline passed$/, () => "超过办结时限仍未办结"],
    [/^passed its deadline while open \(an alert\)$/, () => "办理中超过时限（告警）"],
    [/^signed for (.+) after dispatch, the window is (.+)$/,
      (m) => windowZh("派单后", m[1], "签收", m[2])],
    [/^returned (.+) after dispatch, the window is (.+)$/,
      (m) => windowZh("派单后", m[1], "退单", m[2])],
    [/^returned to the platform (.+) after dispatch$/,
      (m) => "派单后" + spanZh(m[1]) + "退回平台"],
    [/^deadline extended$/, () => "申请延期"],
    [/^closed without contacting the citizen$/, () => "办结前未联系群众"],
    [/^the citizen not contacted by the deadline$/, () => "时限内未联系群众"],
    [/^first contact (.+) after receipt, the window is (.+)$/,
      (m) => windowZh("签收后", m[1], "首次联系", m[2])],
    [/^revisit: unsatisfied$/, () => "回访：不满意"],
    [/^revisit: not resolved$/, () => "回访：问题未解决"],
    [/^reopened for rework$/, () => "退回重办"],
    [/^the revisit sent it back for rework$/, () => "回访判定返工"],
  ];
  function detailZh(text) {
    for (const [re, zh] of DETAILS) {
      const m = re.exec(text || "");
      if (m) return { text: zh(m), known: true };
    }
    return { text: text || "", known: false };
  }

  function periodLabel(p) {
    let m = /^(\d{4})-(\d{2})$/.exec(p || "");
    if (m) return m[1] + "年" + Number(m[2]) + "月";
    m = /^(\d{4})-Q(\d)$/.exec(p || "");
    return m ? m[1] + "年第" + m[2] + "季度" : p || "";
  }

  /* A chart's axis label: 8月 (or Q3), with the year under it where the
     axis starts and where the year changes. */
  function shortPeriod(p, i) {
    const m = /^(\d{4})-(?:(\d{2})|Q(\d))$/.exec(p || "");
    if (!m) return p;
    const part = m[2] ? Number(m[2]) + "月" : "Q" + m[3];
    return i === 0 || m[2] === "01" || m[3] === "1" ? [part, m[1] + "年"] : part;
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

  /* A page left for another keeps its streams open while the browser
     keeps it for "back" (the back/forward cache), and a browser opens at
     most 6 connections to a host: after a few views the next page would
     wait for a free one. So the streams close when the page is left, and
     a page brought back is loaded afresh. */
  window.addEventListener("pagehide", () => streams.forEach((es) => es.close()));
  window.addEventListener("pageshow", (e) => { if (e.persisted) location.reload(); });

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
          el("a", { href: unitHref(a.unit_id) }, a.unit_id), " ",
          el("a", { href: ticketHref(a.ticket_id) }, a.ticket_id),
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
    ctx.period = report.period;
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

  /* ---- one unit ------------------------------------------------------- */

  function findTable(report, unit) {
    return report.tables.find((t) => t.rows.some((r) => r.unit_id === unit)) || null;
  }

  function findRow(report, unit) {
    const table = findTable(report, unit);
    return table ? table.rows.find((r) => r.unit_id === unit) : null;
  }

  /* A number as a count (182) or a score (2.50). */
  const num = (v) => (v === null || v === undefined ? "—"
    : Number.isInteger(v) ? String(v) : Number(v).toFixed(2));
  const lostPoints = (it) => (it.lost > 0.004 ? it.lost : 0);

  /* A formula input's name for people: 已办结, 已办结（各单位最高）, 工作量得分. */
  function inputName(report, name) {
    if (COUNTERS[name]) return COUNTERS[name];
    const m = /^(max|mean|sum)_(.+)$/.exec(name);
    if (m && COUNTERS[m[2]])
      return COUNTERS[m[2]] + "（各单位" + { max: "最高", mean: "平均", sum: "合计" }[m[1]] + "）";
    const item = report.items.find((i) => i.id === name);
    return item ? item.label + "得分" : name;
  }

  function bar(v, points) {
    const fill = el("i");
    fill.style.width = Math.max(0, Math.min(100, points > 0 ? (100 * v) / points : 0)) + "%";
    return el("span", { class: "bar" }, fill);
  }

  function itemsTable(report, ex) {
    const meta = (id) => report.items.find((i) => i.id === id) || null;
    const head = el("tr", {}, el("th", { class: "label" }, "考核项目"), el("th", {}, "满分"),
      el("th", {}, "得分"), el("th", {}, "失分"), el("th", { class: "formula" }, "计算方法及取值"));
    return el("table", { class: "items" }, el("thead", {}, head),
      el("tbody", {}, ...ex.items.map((it) => el("tr",
        { "data-item": it.item, class: lostPoints(it) ? "has-lost" : "" },
        el("td", { class: "label" }, it.label),
        el("td", { class: "points" }, num(it.points)),
        el("td", { class: "value" }, value(meta(it.item), it.value), bar(it.value, it.points)),
        el("td", { class: lostPoints(it) ? "lost" : "lost none" },
          lostPoints(it) ? value(null, it.lost) : "—"),
        el("td", { class: "formula" }, el("code", {}, it.formula),
          el("span", { class: "inputs" }, ...Object.entries(it.inputs || {}).map(([k, v]) =>
            el("span", { class: "input", title: k, "data-input": k },
              inputName(report, k) + " = " + num(v)))))))));
  }

  /* The tickets behind a count: id (to the ticket's page), counter,
     when, the moment it is measured against, why. */
  function ticketsTable(list, withItem) {
    const ref = (t) => (t.due_at ? "办结时限 " + when(t.due_at)
      : t.dispatched_at ? "派单 " + when(t.dispatched_at)
        : t.received_at ? "签收 " + when(t.received_at) : "");
    const withRef = list.some((t) => ref(t));
    const head = el("tr", {}, el("th", { class: "id" }, "工单编号"),
      withItem ? el("th", { class: "item" }, "考核项目") : null,
      el("th", { class: "counter" }, "情形"), el("th", { class: "at" }, "发生时间"),
      withRef ? el("th", { class: "ref" }, "对照时间") : null, el("th", {}, "说明"),
      withItem ? el("th", { class: "why" }, "核减依据") : null);
    return el("table", { class: "tickets" }, el("thead", {}, head),
      el("tbody", {}, ...list.map((t) => {
        const d = detailZh(t.detail);
        return el("tr", { "data-ticket": t.ticket_id, "data-counter": t.counter },
          el("td", { class: "id", title: t.ticket_id },
            el("a", { href: ticketHref(t.ticket_id) }, t.ticket_id)),
          withItem ? el("td", { class: "item" }, t.items.join("、")) : null,
          el("td", { class: "counter" }, el("span", { class: "tag" }, counterName(t.counter))),
          el("td", { class: "at" }, when(t.at)),
          withRef ? el("td", { class: "ref" }, ref(t)) : null,
          el("td", { class: "detail" + (d.known ? "" : " raw"), title: t.detail || "" }, d.text),
          withItem ? el("td", { class: "why" }, decision(t)) : null);
      })));
  }

  /* An exemption's reason and who decided it: 申诉成立（区政府办）. */
  const decision = (x) => (x.reason || "—") + (x.by ? "（" + x.by + "）" : "");

  /* Per item that lost points, its tickets; then the exempted ones, once
     each (a ticket can weigh on several items). */
  function explainSection(ex) {
    const section = el("section", { class: "explain" }, el("h2", {}, "失分明细"));
    for (const it of ex.items) {
      if (!lostPoints(it)) continue;
      const tickets = it.tickets || [];
      section.append(el("div", { class: "item-tickets", "data-item": it.item },
        el("h3", {}, el("span", { class: "label" }, it.label),
          el("span", { class: "lost" }, "失 " + value(null, it.lost) + " 分"),
          el("span", { class: "count" }, tickets.length ? "涉及工单 " + tickets.length + " 件"
            : "")),
        tickets.length ? ticketsTable(tickets, false)
          : el("p", { class: "note" }, "该项失分由计算公式按各单位数据得出，不对应具体工单。")));
    }
    if (section.children.length === 1)
      section.append(el("p", { class: "note" }, "本期各项均未失分。"));
    const exempted = new Map();
    for (const it of ex.items)
      for (const t of it.exempted || []) {
        const key = t.ticket_id + "\u0000" + t.counter + "\u0000" + t.at;
        if (!exempted.has(key)) exempted.set(key, Object.assign({ items: [] }, t));
        exempted.get(key).items.push(it.label);
      }
    if (exempted.size)
      section.append(el("div", { class: "exempted" },
        el("h3", {}, el("span", { class: "label" }, "核减工单"),
          el("span", { class: "count" }, "不计失分，共 " + exempted.size + " 件")),
        ticketsTable([...exempted.values()], true)));
    return section;
  }

  function unitHead(report, ex) {
    const table = findTable(report, ex.unit_id);
    const lost = ex.items.reduce((sum, it) => sum + lostPoints(it), 0);
    const out = report.excluded.find((u) => u.unit_id === ex.unit_id);
    const kpi = (label, ...kids) => el("div", { class: "kpi" }, el("small", {}, label),
      el("b", {}, ...kids));
    return el("section", { class: "unit-head", "data-unit": ex.unit_id },
      el("div", { class: "who" }, el("h2", {}, ex.unit),
        el("p", { class: "sub" }, ex.unit_id + " · " + (table ? table.title || table.group
          : ex.group) + " · " + report.title + " · " + periodLabel(ex.period)),
        ex.excluded ? el("p", { class: "excluded" }, "本期不参加排名" +
          (out ? "：" + out.reason : "")) : null,
        el("p", { class: "noprint actions" },
          el("a", { href: "/?ruleset=" + enc(report.ruleset) + "&period=" +
            enc(report.period) }, "← 返回排名"), " ",
          el("button", { onclick: () => window.print() }, "打印本页"))),
      el("div", { class: "kpis" },
        kpi("总分", el("span", { class: "total" }, value(null, ex.total))),
        kpi("排名", el("span", { class: "rank" }, ex.rank ?? "—"),
          table && ex.rank ? el("small", {}, " / " + table.rows.length) : null),
        kpi("失分", el("span", { class: "lost-total" }, value(null, lost)))));
  }

  /* Calls fn (async) once calls stop coming for `wait` ms, or `most` ms
     after the first call still waiting; one run at a time, so a slow
     answer never overwrites a newer one. */
  function debounce(fn, wait, most) {
    let timer = null, first = 0, running = false, again = false;
    async function run() {
      timer = null;
      first = 0;
      if (running) { again = true; return; }
      running = true;
      try { await fn(); } finally { running = false; }
      if (again) { again = false; soon(); }
    }
    function soon() {
      const t = Date.now();
      if (!first) first = t;
      clearTimeout(timer);
      timer = setTimeout(run, Math.max(0, Math.min(wait, first + most - t)));
    }
    return soon;
  }

  /* Whether a live score row shows what the explain on the page shows. */
  function sameScores(ex, row) {
    const close = (a, b) => (a === null || a === undefined ? b === null || b === undefined
      : b !== null && b !== undefined && Math.abs(a - b) < 0.005);
    return close(ex.total, row.total) && (ex.rank ?? null) === (row.rank ?? null) &&
      ex.items.every((it) => close(it.value, row.items[it.item]));
  }

  async function trendSection(parent, report, unit) {
    const section = el("section", { class: "trend" }, el("h2", {}, "近12期总分"));
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
    document.body.dataset.trend = "1";
    return new Chart(canvas, {
      type: "line",
      data: { labels: periods.map(shortPeriod), datasets: [{ label: "总分", data: totals,
        borderColor: "#8cc4ff", backgroundColor: "#8cc4ff", spanGaps: true, tension: 0.2 }] },
      options: { animation: false, maintainAspectRatio: false,
        scales: { x: { ticks: { color: "#9fb0c8", maxRotation: 0, autoSkip: false,
          font: { size: 10 } } },
          y: { ticks: { color: "#9fb0c8" } } },
        plugins: { legend: { display: false } } },
    });
  }

  /* The unit's explain, drawn again (debounced) whenever a score message
     for the unit says something changed. */
  async function unitPage(unit, ruleset) {
    const report = await api(reportUrl(ruleset, params.get("period")));
    ctx.period = report.period;
    const view = el("div", { class: "unit-view" }), left = el("div"), right = el("div");
    left.append(view);
    main.replaceChildren(left, right);
    const url = "/api/v1/explain?ruleset=" + enc(report.ruleset) + "&period=" +
      enc(report.period) + "&unit=" + enc(unit);
    let shown = null, snapshots = 0;
    const status = el("p", { class: "note stale" });
    async function load() {
      try {
        const ex = await api(url);
        shown = ex;
        document.title = ex.unit + " · " + periodLabel(ex.period);
        view.replaceChildren(unitHead(report, ex),
          el("section", { class: "items" }, el("h2", {}, "考核项目得分"), itemsTable(report, ex)),
          explainSection(ex));
        document.body.dataset.explained = String(Number(document.body.dataset.explained || 0) + 1);
      } catch (e) {
        if (!shown)
          view.replaceChildren(el("section", {}, el("h2", {}, unit), el("p", { class: "note" },
            e.status === 404 ? "本期考核中没有该单位：" + e.message
              : "失分明细无法读取：" + e.message)));
        else {
          status.textContent = "更新失败（" + e.message + "），下次变动时重试。";
          view.append(status);
        }
      }
    }
    await load();
    const refresh = debounce(load, 400, 2000);
    function changed(row, always) {
      if (row.unit_id !== unit || row.period !== report.period) return;
      if (shown) {
        view.querySelector(".kpis .total").textContent = value(null, row.total);
        view.querySelector(".kpis .rank").textContent = row.rank ?? "—";
      }
      if (always || !shown || !sameScores(shown, row)) refresh();
    }
    live("score/" + report.ruleset + "/" + unit, {
      /* A snapshot after a reconnection may follow missed messages. */
      snapshot: (messages) => {
        const again = snapshots++ > 0;
        messages.forEach((m) => changed(m.data, again));
      },
      score: (row) => changed(row, true),
    });
    trendSection(right, report, unit);
    alertsPanel(right, unit);
  }

  /* ---- one ticket ----------------------------------------------------- */

  const EVENTS = { received: "签收", contacted: "联系群众", returned: "退单", extended: "延期",
    closed: "办结", revisited: "回访", reopened: "退回重办", adjusted: "手工评分", tick: "时钟",
    appealed: "申诉", exempted: "核减", appeal_rejected: "驳回申诉", unexempted: "撤销核减" };
  /* The counters an exemption names: "all", or names. */
  const exemptedCounters = (text) => (!text || text === "all" ? "全部计数"
    : text.split(/[\s,]+/).filter(Boolean).map(counterName).join("、"));
  const STATES = { open: "办理中", closed: "已办结", returned: "已退单" };
  const CHANNELS = { hotline: "12345热线", mayor_mailbox: "市长信箱", web: "网站",
    wechat: "微信", weibo: "微博", province: "省级平台", supervisor: "督查督办" };
  const SATISFACTION = { satisfied: "满意", basic: "基本满意", unsatisfied: "不满意",
    none: "未评价" };
  const RESOLVED = { yes: "已解决", partly: "部分解决", no: "未解决" };

  /* A time limit (办理时限): "3wd" 3个工作日, "16wh" 16个工作小时, "72h"
     72小时. */
  const LIMIT_UNITS = { wd: "个工作日", wh: "个工作小时", h: "小时" };
  const limitZh = (text) => (text || "").replace(/^(\d+)(wd|wh|h)$/,
    (_, n, u) => n + LIMIT_UNITS[u]);

  function eventDetail(e) {
    const parts = [];
    /* An event's deadline, its time limit, or both (the daemon derives
       the deadline from a limit: the page's head shows it). */
    const deadline = (fresh) => {
      if (e.due_at || !e.time_limit) parts.push(fresh + "办结时限 " + when(e.due_at));
      if (e.time_limit) parts.push(fresh + "办理时限 " + limitZh(e.time_limit));
    };
    if (e.type === "received") {
      parts.push("派单 " + when(e.dispatched_at));
      deadline("");
      if (e.key_supervision) parts.push("重点督办");
      if (e.repeat_dispatch) parts.push("重复交办");
    }
    if ((e.type === "extended" || e.type === "reopened") && (e.due_at || e.time_limit))
      deadline("新");
    if (e.type === "revisited") {
      parts.push("满意度：" + (SATISFACTION[e.satisfaction] || e.satisfaction || "—"));
      if (e.resolved) parts.push("问题解决：" + (RESOLVED[e.resolved] || e.resolved));
      if (e.rework) parts.push("判定返工");
    }
    if (e.type === "exempted") parts.push("核减：" + exemptedCounters(e.counters));
    if (e.reason) parts.push((e.type === "returned" ? "原因：" : "理由：") + e.reason);
    if (e.by) parts.push("决定：" + e.by);
    return parts.join("；");
  }

  /* A ruleset for a period's kind: the page's own when it fits. */
  function rulesetFor(rulesets, period) {
    const kind = /-Q\d$/.test(period) ? "quarter" : "month";
    const own = rulesets.find((r) => r.id === ctx.ruleset);
    if (own && own.period === kind) return own.id;
    const other = rulesets.find((r) => r.period === kind);
    return other ? other.id : ctx.ruleset;
  }

  async function ticketPage(id, rulesets) {
    let t;
    try {
      t = await api("/api/v1/tickets/" + enc(id));
    } catch (e) {
      main.className = "single";
      main.replaceChildren(el("section", {}, el("h2", {}, "工单 " + id),
        el("p", { class: "note" }, e.status === 404 ? "没有该工单。" : "工单无法读取：" + e.message)));
      return;
    }
    const units = await api("/api/v1/units").catch(() => ({ units: [] }));
    const names = new Map(units.units.map((u) => [u.unit_id, u.name]));
    const unitLink = (u, period) => {
      const href = period === undefined ? unitHref(u)
        : "/unit/" + enc(u) + "?ruleset=" + enc(rulesetFor(rulesets, period)) +
          "&period=" + enc(period);
      return el("a", { href, class: "unit-link" }, names.get(u) || u);
    };
    document.title = "工单 " + t.ticket_id;
    document.getElementById("live").hidden = true; /* nothing live here */
    const field = (label, ...kids) => el("div", {}, el("dt", {}, label), el("dd", {}, ...kids));
    const head = el("section", { class: "ticket-head", "data-ticket": t.ticket_id },
      el("h2", {}, "工单 ", el("span", { class: "id" }, t.ticket_id)),
      el("dl", { class: "fields" },
        field("承办单位", unitLink(t.unit_id), " ", el("small", {}, t.unit_id)),
        field("状态", STATES[t.state] || t.state,
          t.overdue ? el("span", { class: "tag bad" }, "超期") : null),
        field("来源渠道", CHANNELS[t.channel] || t.channel),
        field("类别", t.category),
        field("派单时间", when(t.dispatched_at)),
        field("签收时间", when(t.received_at)),
        field("办结时限", when(t.due_at)),
        t.time_limit ? field("办理时限", limitZh(t.time_limit)) : null),
      el("p", { class: "noprint actions" }, ctx.period
        ? el("a", { href: unitHref(t.unit_id) }, "← 返回单位") : null));
    const events = el("section", { class: "events" }, el("h2", {}, "办理过程"),
      t.events.length ? el("table", { class: "tickets" },
        el("thead", {}, el("tr", {}, el("th", {}, "时间"), el("th", {}, "环节"),
          el("th", {}, "承办单位"), el("th", {}, "内容"))),
        el("tbody", {}, ...t.events.map((e) => el("tr", { "data-event": e.event_id },
          el("td", { class: "at" }, when(e.occurred_at)),
          el("td", {}, el("span", { class: "tag" }, EVENTS[e.type] || e.type)),
          el("td", {}, e.unit_id ? unitLink(e.unit_id) : ""),
          el("td", { class: "detail" }, eventDetail(e))))))
        : el("p", { class: "note" }, "没有办理记录。"));
    /* Where it counted: per period and unit, its counters. */
    const groups = new Map();
    for (const c of t.counted) {
      const key = c.period + "\u0000" + c.unit_id;
      if (!groups.has(key)) groups.set(key, { period: c.period, unit_id: c.unit_id, list: [] });
      groups.get(key).list.push(c);
    }
    const counted = el("section", { class: "counted" }, el("h2", {}, "计入考核"),
      groups.size ? el("table", { class: "tickets" },
        el("thead", {}, el("tr", {}, el("th", {}, "考核期"), el("th", {}, "单位"),
          el("th", {}, "计入"))),
        el("tbody", {}, ...[...groups.values()].sort((a, b) => (a.period < b.period ? -1
          : a.period > b.period ? 1 : a.unit_id < b.unit_id ? -1 : 1)).map((g) =>
          el("tr", { "data-period": g.period, "data-unit": g.unit_id },
            el("td", {}, periodLabel(g.period)), el("td", {}, unitLink(g.unit_id, g.period)),
            el("td", { class: "detail" }, ...g.list.map((c) => el("span",
              { class: "tag" + (c.exempted ? " exempt" : ADVERSE.has(c.counter) ? " bad" : ""),
                "data-counter": c.counter, title: c.exempted ? "已核减，不计入考核" : "" },
              counterName(c.counter) + (c.count !== 1 ? " ×" + c.count : "") +
                (c.exempted ? "（已核减）" : ""))))))))
        : el("p", { class: "note" }, "未计入任何考核。"));
    const exemptions = (t.exempted || []).length ? el("section", { class: "exemptions" },
      el("h2", {}, "核减"), el("table", { class: "tickets" },
        el("thead", {}, el("tr", {}, el("th", {}, "单位"), el("th", {}, "核减计数"),
          el("th", {}, "依据"), el("th", {}, "决定时间"))),
        el("tbody", {}, ...t.exempted.map((x) => el("tr", { "data-unit": x.unit_id },
          el("td", {}, unitLink(x.unit_id)), el("td", {}, exemptedCounters(x.counters)),
          el("td", { class: "detail" }, decision(x)), el("td", { class: "at" }, when(x.at)))))))
      : null;
    main.className = "single narrow";
    main.replaceChildren(...[head, events, counted, exemptions].filter(Boolean));
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
    ctx.ruleset = ruleset;
    if (location.pathname.startsWith("/unit/"))
      await unitPage(decodeURIComponent(location.pathname.slice(6)), ruleset);
    else if (location.pathname.startsWith("/ticket/"))
      await ticketPage(decodeURIComponent(location.pathname.slice(8)), rulesets);
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
