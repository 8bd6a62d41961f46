#!/usr/bin/python3
"""The dashboard in a real browser: headless Chromium driven over the
DevTools protocol (--remote-debugging-pipe: JSON messages ending in NUL
on file descriptors 3 and 4), with nothing but Python's standard library.

usage: browser_check.py URL GOLDEN.csv POST_BODY OUT_DIR

The ranking (URL: /?ruleset=jintai-2025&period=2025-07):
1. Opens URL and waits until the page has drawn its ranking and its live
   feed has sent the snapshot.
2. Reads every ranking row from the DOM (unit name, rank, total) and
   compares them with the golden scorecard: all its units, its ranks,
   its totals (0.01 allowed where the published total is 0.01 off its
   own items, SCORING.md 4.1, as the e2e test allows).
3. POSTs POST_BODY to /api/v1/events, asks /api/v1/report for the new
   totals, and waits, without reloading, until the DOM shows them.

One unit (/unit/ID?ruleset=&period=), the unit whose explain lists the
most tickets:
4. Checks that the page shows every item of the ruleset with the
   explain's label, points, value, lost points, formula and inputs, the
   unit's total and rank, and per item that lost points exactly the
   listed tickets, in order, each with its counter in Chinese, its time
   in Chinese form (Asia/Shanghai), a Chinese detail and a link to its
   ticket page.
5. POSTs two new unsatisfied tickets of the unit (one with an id that
   holds markup) and waits, without a reload, until the page shows the
   new explain (the score message makes it fetch the explain again).
6. POSTs an exemption (核减) of one listed ticket and waits, without a
   reload, until the page lists it apart with its reason and no longer
   among the lost points.
7. Follows ticket links (a ticket id holding markup, ? # and /, and the
   exempted ticket): the ticket page must show the ticket's events, where
   it counted (the exempted counts marked) and its exemptions, as
   /api/v1/tickets/ID answers. Among the new tickets, two with time
   limits instead of deadlines (one returned late in working hours):
   every reason on the unit page is in Chinese, with no English left,
   and their ticket pages show the deadline in force and the limit
   (3个工作日, 72小时).

The print view:
8. Follows the dashboard's print link: the daemon's bulletin
   (format_html), every golden unit on it, no script.

Screenshots are left in OUT_DIR: dashboard-before.png, dashboard.png,
unit.png, unit-live.png, unit-exempted.png, ticket.png, ticket-TB-W1.png,
ticket-TB-W2.png, print.png.

Exits 0 when all holds, 1 with the reasons otherwise."""
import base64
import csv
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

KNOWN_OFF_BY_A_CENT = {"卧龙寺街道办事处", "陈仓镇"}
ROWS_JS = """JSON.stringify([...document.querySelectorAll('section.ranking tr[data-unit]')]
  .map(r => ({unit: r.querySelector('td.unit').textContent,
              id: r.dataset.unit,
              rank: r.querySelector('td.rank').textContent,
              total: r.querySelector('td.total').textContent})))"""


class Browser:
    """Chromium with its DevTools pipe, one page attached (flat session)."""

    def __init__(self, profile):
        self.out_r, self.out_w = os.pipe()  # we write, it reads (fd 3)
        self.in_r, self.in_w = os.pipe()  # it writes, we read (fd 4)
        flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync",
                 "--user-data-dir=" + profile, "--remote-debugging-pipe",
                 "--window-size=1600,1200", "about:blank"]

        def fds():
            os.dup2(self.out_r, 3)
            os.dup2(self.in_w, 4)
        binary = shutil.which("chromium") or shutil.which("chromium-browser")
        if not binary:
            sys.exit("browser check: chromium is not installed (scripts/setup.sh)")
        self.proc = subprocess.Popen([binary] + flags, preexec_fn=fds, pass_fds=(3, 4),
                                     stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        os.close(self.out_r)
        os.close(self.in_w)
        self.buffer = b""
        self.next_id = 0
        self.session = None
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.call("Target.attachToTarget",
                                 {"targetId": target, "flatten": True})["sessionId"]
        self.call("Page.enable")
        self.call("Runtime.enable")

    def call(self, method, params=None, timeout=30):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if self.session:
            message["sessionId"] = self.session
        os.write(self.out_w, json.dumps(message).encode() + b"\0")
        deadline = time.time() + timeout
        while time.time() < deadline:
            while b"\0" in self.buffer:
                raw, self.buffer = self.buffer.split(b"\0", 1)
                answer = json.loads(raw)
                if answer.get("id") == self.next_id:
                    if "error" in answer:
                        raise RuntimeError(method + ": " + str(answer["error"]))
                    return answer.get("result", {})
            chunk = os.read(self.in_r, 1 << 20)
            if not chunk:
                raise RuntimeError("chromium closed its DevTools pipe")
            self.buffer += chunk
        raise RuntimeError(method + ": no answer in %d s" % timeout)

    def evaluate(self, expression):
        result = self.call("Runtime.evaluate",
                           {"expression": expression, "returnByValue": True})
        return result.get("result", {}).get("value")

    def wait(self, expression, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.evaluate(expression):
                return True
            time.sleep(0.2)
        return False

    def screenshot(self, path):
        data = self.call("Page.captureScreenshot", {"format": "png",
                                                    "captureBeyondViewport": True})
        with open(path, "wb") as f:
            f.write(base64.b64decode(data["data"]))

    def close(self):
        try:
            self.call("Browser.close", timeout=5)
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def golden_rows(path):
    with open(path, encoding="utf-8") as f:
        return {row["unit"]: row for row in csv.DictReader(f)}


def check_golden(rows, golden):
    problems = []
    seen = {r["unit"]: r for r in rows}
    for unit, want in golden.items():
        got = seen.get(unit)
        if not got:
            problems.append("%s is not on the page" % unit)
            continue
        if got["rank"] != want["rank"]:
            problems.append("%s: rank %s on the page, %s published" %
                            (unit, got["rank"], want["rank"]))
        off = abs(float(got["total"]) - float(want["total"]))
        if off > (0.01 if unit in KNOWN_OFF_BY_A_CENT else 0) + 1e-9:
            problems.append("%s: total %s on the page, %s published" %
                            (unit, got["total"], want["total"]))
    return problems


def fetch(base, path, body=None):
    request = urllib.request.Request(base + path, data=body, method="POST" if body else "GET")
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def fetch_json(base, path):
    status, text = fetch(base, path)
    if status != 200:
        raise RuntimeError("GET %s: %d %s" % (path, status, text))
    return json.loads(text)


def check_ranking(browser, url, golden, post_path, out):
    """Steps 1 to 3."""
    base = url.split("/?")[0].rstrip("/")
    query = url.split("?", 1)[1] if "?" in url else ""
    problems = []
    browser.call("Page.navigate", {"url": url})
    if not browser.wait("document.body && document.body.dataset.ready === '1' && "
                        "document.body.dataset.live === '1'"):
        return ["the page did not finish loading: " +
                str(browser.evaluate("document.body.innerText"))]
    rows = json.loads(browser.evaluate(ROWS_JS))
    print("browser check: %d ranking rows on the page" % len(rows))
    problems += check_golden(rows, golden)
    if len(rows) != len(golden):
        problems.append("%d rows on the page, %d units published" %
                        (len(rows), len(golden)))
    browser.screenshot(os.path.join(out, "dashboard-before.png"))
    ids = {r["id"]: r["total"] for r in rows}
    with open(post_path, "rb") as f:
        status, answer = fetch(base, "/api/v1/events", f.read())
    if status != 200:
        return problems + ["POST /api/v1/events: %d %s" % (status, answer)]
    report = fetch_json(base, "/api/v1/report?" + query)
    want = {r["unit_id"]: "%.2f" % r["total"]
            for t in report["tables"] for r in t["rows"]}
    changed = {u: t for u, t in want.items() if ids.get(u) != t}
    if not changed:
        return problems + ["the POSTed events changed no total: the test cannot tell"]
    expression = ("(() => { const want = %s; return Object.entries(want).every(([u, t]) => "
                  "{ const r = document.querySelector('tr[data-unit=\"' + u + '\"] td.total');"
                  " return r && r.textContent === t; }); })()" % json.dumps(changed))
    if browser.wait(expression, timeout=30):
        print("browser check: %d new totals shown without a reload (%s)" %
              (len(changed), ", ".join("%s %s" % kv for kv in sorted(changed.items()))))
    else:
        problems.append("the page did not show the new totals %s" % changed)
    browser.screenshot(os.path.join(out, "dashboard.png"))
    return problems


# The words the unit page must use for the counters behind lost points.
COUNTER_WORDS = {
    "closed_late": "逾期办结", "overdue_open": "超期未办结", "returned_late": "逾期退单",
    "unsatisfied": "不满意", "rework": "返工", "signed_late": "签收超时",
    "contacted_late": "联系超时", "alerts": "告警", "extended": "延期", "returned": "退单",
    "unresolved": "未解决", "key_closed_late": "重点督办逾期",
    "repeat_closed_late": "重复交办逾期"}
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))

UNIT_JS = """JSON.stringify((() => {
  const text = (e, css) => { const x = e.querySelector(css); return x ? x.textContent : null; };
  const head = document.querySelector('.unit-head');
  return {
    unit: head && head.dataset.unit,
    total: text(document, '.kpis .total'), rank: text(document, '.kpis .rank'),
    items: [...document.querySelectorAll('section.items tr[data-item]')].map(r => ({
      item: r.dataset.item, label: text(r, 'td.label'), points: text(r, 'td.points'),
      value: text(r, 'td.value'), lost: text(r, 'td.lost'), formula: text(r, 'td.formula code'),
      inputs: Object.fromEntries([...r.querySelectorAll('[data-input]')]
        .map(i => [i.dataset.input, i.textContent]))})),
    tickets: Object.fromEntries([...document.querySelectorAll('.item-tickets')].map(b =>
      [b.dataset.item, [...b.querySelectorAll('tr[data-ticket]')].map(t => ({
        id: t.dataset.ticket, counter: text(t, 'td.counter'), at: text(t, 'td.at'),
        detail: text(t, 'td.detail'), raw: t.querySelector('td.detail').classList.contains('raw'),
        href: t.querySelector('td.id a').getAttribute('href')}))])),
    exempted: [...document.querySelectorAll('.exempted tr[data-ticket]')]
      .map(t => ({id: t.dataset.ticket, why: text(t, 'td.why')}))};
})())"""


def when_zh(text):
    """2025-07-06T10:00:00+08:00 -> 2025年7月6日 10:00 (Asia/Shanghai)."""
    t = datetime.datetime.fromisoformat(text).astimezone(SHANGHAI)
    return "%d年%d月%d日 %02d:%02d" % (t.year, t.month, t.day, t.hour, t.minute)


def number(v):
    return "—" if v is None else str(int(v)) if v == int(v) else "%.2f" % v


def unit_problems(page, explain, item_ids):
    """What the rendered unit page gets wrong against its explain."""
    problems = []
    if page["unit"] != explain["unit_id"]:
        return ["the unit page shows unit %s, not %s" % (page["unit"], explain["unit_id"])]
    if page["total"] != "%.2f" % explain["total"]:
        problems.append("total %s on the page, %.2f explained" % (page["total"], explain["total"]))
    if page["rank"] != str(explain["rank"]):
        problems.append("rank %s on the page, %s explained" % (page["rank"], explain["rank"]))
    shown = [i["item"] for i in page["items"]]
    if shown != item_ids:
        problems.append("items %s on the page, the ruleset has %s" % (shown, item_ids))
    rows = {i["item"]: i for i in page["items"]}
    for it in explain["items"]:
        row = rows.get(it["item"])
        if not row:
            continue
        lost = it["lost"] is not None and it["lost"] > 0.004
        want = {"label": it["label"], "points": number(it["points"]),
                "value": "—" if it["value"] is None else "%.2f" % it["value"],
                "lost": "%.2f" % it["lost"] if lost else "—", "formula": it["formula"]}
        for key, value in want.items():
            if row[key] != value:
                problems.append("%s: %s %r on the page, %r explained" %
                                (it["item"], key, row[key], value))
        for name, v in it["inputs"].items():
            text = row["inputs"].get(name)
            if not text or not text.endswith(" = " + number(v)):
                problems.append("%s: input %s shown as %r, explained %s" %
                                (it["item"], name, text, v))
        tickets = page["tickets"].get(it["item"], []) if lost else []
        if [t["id"] for t in tickets] != [t["ticket_id"] for t in it["tickets"]]:
            problems.append("%s: tickets %s on the page, %s explained" %
                            (it["item"], [t["id"] for t in tickets],
                             [t["ticket_id"] for t in it["tickets"]]))
            continue
        for got, t in zip(tickets, it["tickets"]):
            word = COUNTER_WORDS.get(t["counter"], "?")
            if got["counter"] != word:
                problems.append("%s: counter %r, not %r" % (t["ticket_id"], got["counter"], word))
            if got["at"] != when_zh(t["at"]):
                problems.append("%s: time %r, not %r" % (t["ticket_id"], got["at"],
                                                         when_zh(t["at"])))
            if got["raw"] or not got["detail"] or re.search("[A-Za-z]", got["detail"]):
                problems.append("%s: detail %r is not in Chinese (explain: %r)" %
                                (t["ticket_id"], got["detail"], t["detail"]))
            path = urllib.parse.urlsplit(got["href"]).path
            if urllib.parse.unquote(path) != "/ticket/" + t["ticket_id"]:
                problems.append("%s links to %s" % (t["ticket_id"], got["href"]))
    want = {t["ticket_id"]: t for it in explain["items"] for t in it.get("exempted", [])}
    shown = {t["id"]: t["why"] for t in page["exempted"]}
    if sorted(shown) != sorted(want):
        problems.append("exempted %s on the page, %s explained" % (sorted(shown), sorted(want)))
    for ticket, why in shown.items():
        reason = want.get(ticket, {}).get("reason") or ""
        if reason and reason not in (why or ""):
            problems.append("exempted %s: %r shown, the reason is %r" % (ticket, why, reason))
    return problems


def wait_unit(browser, explain, item_ids, timeout=30):
    """Waits until the page shows `explain`; returns the problems left."""
    deadline = time.time() + timeout
    while True:
        page = json.loads(browser.evaluate(UNIT_JS))
        problems = unit_problems(page, explain, item_ids)
        if not problems or time.time() > deadline:
            return page, problems
        time.sleep(0.2)


def post_and_wait(browser, base, body, ask, item_ids, what, holds):
    """POSTs event lines, asks the explain (path `ask`), checks that
    holds(explain) (else the test could not tell), then waits until the
    page shows that explain without a reload. Returns (explain,
    problems)."""
    status, answer = fetch(base, "/api/v1/events", body.encode())
    if status != 200:
        return None, ["POST /api/v1/events (%s): %d %s" % (what, status, answer)]
    explain = fetch_json(base, ask)
    if not holds(explain):
        return None, ["the explain does not show %s: the test cannot tell" % what]
    _, problems = wait_unit(browser, explain, item_ids)
    if problems:
        return None, ["the unit page did not show %s: " % what] + problems
    if browser.evaluate("window.hotlineSamePage") is not True:
        return None, ["the unit page was reloaded to show %s" % what]
    return explain, []


def explain_path(ruleset, period, unit):
    return "/api/v1/explain?ruleset=%s&period=%s&unit=%s" % (
        urllib.parse.quote(ruleset), urllib.parse.quote(period), urllib.parse.quote(unit))


# A ticket id is user data: markup must show as text, and ?, # and /
# must survive the ticket link and the API path.
ODD_TICKET = "TB-<img src=x onerror=hotlineXss=1>?#/"


def unit_events(unit):
    """Two new tickets of the unit: received, closed, revisited
    unsatisfied."""
    lines = []
    for n, ticket in enumerate(["TB-U1", ODD_TICKET]):
        common = '"ticket_id":%s,"unit_id":"%s"' % (json.dumps(ticket), unit)
        lines += [
            '{"event_id":"browser-u%d1","type":"received",%s,'
            '"occurred_at":"2025-07-22T09:10:00+08:00","dispatched_at":"2025-07-22T09:00:00+08:00",'
            '"due_at":"2025-07-25T18:00:00+08:00","channel":"hotline","category":"other"}'
            % (n, common),
            '{"event_id":"browser-u%d2","type":"closed",%s,"occurred_at":"2025-07-23T10:00:00+08:00"}'
            % (n, common),
            '{"event_id":"browser-u%d3","type":"revisited",%s,'
            '"occurred_at":"2025-07-24T1%d:00:00+08:00","satisfaction":"unsatisfied","resolved":"no"}'
            % (n, common, n)]
    return "\n".join(lines + limit_events(unit)) + "\n"


def limit_events(unit):
    """Two tickets with time limits instead of deadlines: TB-W1 (3
    working days) returned 6 hours after dispatch, late in the 2 working
    hours' window; TB-W2 (16 working hours) extended to 72 hours, closed
    on time."""
    common = '"unit_id":"%s","occurred_at":"2025-07-22T09:10:00+08:00",' \
        '"dispatched_at":"2025-07-22T09:00:00+08:00","channel":"hotline",' \
        '"category":"other"' % unit
    return [
        '{"event_id":"browser-w1","type":"received","ticket_id":"TB-W1",%s,'
        '"time_limit":"3wd"}' % common,
        '{"event_id":"browser-w2","type":"returned","ticket_id":"TB-W1","unit_id":"%s",'
        '"occurred_at":"2025-07-22T15:10:00+08:00"}' % unit,
        '{"event_id":"browser-w3","type":"received","ticket_id":"TB-W2",%s,'
        '"time_limit":"16wh"}' % common,
        '{"event_id":"browser-w4","type":"extended","ticket_id":"TB-W2","unit_id":"%s",'
        '"occurred_at":"2025-07-23T10:00:00+08:00","time_limit":"72h"}' % unit,
        '{"event_id":"browser-w5","type":"closed","ticket_id":"TB-W2","unit_id":"%s",'
        '"occurred_at":"2025-07-24T10:00:00+08:00"}' % unit]


def open_page(browser, url, live):
    """Navigates and waits until the page is drawn (and live). False when
    it is not, e.g. when the browser has no free connection for it."""
    try:
        browser.call("Page.navigate", {"url": url})
    except RuntimeError as e:
        print("browser check: %s: %s" % (url, e), file=sys.stderr)
        return False
    ready = "document.body && document.body.dataset.ready === '1'"
    if live:
        ready += " && document.body.dataset.live === '1'"
    return browser.wait(ready)


def check_unit(browser, base, ruleset, period, out):
    """Steps 4 to 7."""
    report = fetch_json(base, "/api/v1/report?ruleset=%s&period=%s" % (ruleset, period))
    item_ids = [i["id"] for i in report["items"]]
    listed = {}
    for table in report["tables"]:
        for row in table["rows"]:
            ex = fetch_json(base, explain_path(ruleset, period, row["unit_id"]))
            listed[row["unit_id"]] = sum(len(i["tickets"]) for i in ex["items"])
    unit = max(sorted(listed), key=lambda u: listed[u])
    if not listed[unit]:
        return ["no unit's explain lists a ticket: the test cannot tell"]
    explain = fetch_json(base, explain_path(ruleset, period, unit))
    url = "%s/unit/%s?ruleset=%s&period=%s" % (base, urllib.parse.quote(unit), ruleset, period)
    if not open_page(browser, url, True):
        return ["the unit page did not finish loading: " +
                str(browser.evaluate("document.body.innerText"))]
    page, problems = wait_unit(browser, explain, item_ids, timeout=5)
    print("browser check: unit %s: %d items, %d listed tickets on the page" %
          (unit, len(page["items"]), sum(len(t) for t in page["tickets"].values())))
    browser.wait("document.body.dataset.trend === '1'", timeout=10)
    browser.screenshot(os.path.join(out, "unit.png"))
    if problems:
        return problems

    # 5: a score message for the unit makes the page explain it again.
    browser.evaluate("window.hotlineSamePage = true")
    ask = explain_path(ruleset, period, unit)
    after, problems = post_and_wait(
        browser, base, unit_events(unit), ask, item_ids, "the new tickets",
        lambda ex: {"TB-U1", ODD_TICKET} <= {t["ticket_id"] for i in ex["items"]
                                             for t in i["tickets"]} and any(
            t["ticket_id"] == "TB-W1" and "of working hours" in t["detail"]
            for i in ex["items"] for t in i["tickets"]))
    if problems:
        return problems
    if browser.evaluate("typeof window.hotlineXss") != "undefined":
        return ["a ticket id was run as markup"]
    print("browser check: unit %s: the new tickets shown without a reload" % unit)
    browser.screenshot(os.path.join(out, "unit-live.png"))

    # 6: an exemption granted (核减): the ticket leaves its item's list
    # and is listed apart with the reason, without a reload.
    item = next(i for i in after["items"] if i["tickets"])
    exempt = next(t for t in item["tickets"] if t["ticket_id"] not in ("TB-U1", ODD_TICKET))
    line = json.dumps({"event_id": "browser-x1", "type": "exempted",
                       "ticket_id": exempt["ticket_id"], "unit_id": unit,
                       "occurred_at": "2025-07-31T09:00:00+08:00",
                       "counters": exempt["counter"], "reason": EXEMPT_REASON,
                       "by": EXEMPT_BY}, ensure_ascii=False)
    _, problems = post_and_wait(
        browser, base, line + "\n", ask, item_ids, "the exemption",
        lambda ex: any(t["ticket_id"] == exempt["ticket_id"]
                       for i in ex["items"] for t in i["exempted"]))
    if problems:
        return problems
    print("browser check: unit %s: %s exempted, listed apart without a reload" %
          (unit, exempt["ticket_id"]))
    browser.screenshot(os.path.join(out, "unit-exempted.png"))

    # 7: ticket links lead to the tickets' pages.
    problems += check_ticket(browser, base, ODD_TICKET, None, url)
    problems += check_ticket(browser, base, exempt["ticket_id"], out, url)
    for ticket in ("TB-W1", "TB-W2"):
        problems += check_limit(browser, base, ticket, ruleset, period, out)
    return problems


LIMIT_UNITS = {"wd": "个工作日", "wh": "个工作小时", "h": "小时"}


def limit_zh(text):
    """3wd -> 3个工作日, 16wh -> 16个工作小时, 72h -> 72小时."""
    m = re.fullmatch(r"(\d+)(wd|wh|h)", text)
    return m.group(1) + LIMIT_UNITS[m.group(2)]


def check_limit(browser, base, ticket, ruleset, period, out):
    """A ticket whose events give time limits: the page's head shows the
    deadline in force and the limit, each event its limit, in Chinese."""
    url = "%s/ticket/%s?ruleset=%s&period=%s" % (base, ticket, ruleset, period)
    if not open_page(browser, url, False):
        return ["the ticket page of %s did not load" % ticket]
    want = fetch_json(base, "/api/v1/tickets/" + ticket)
    if not want.get("time_limit") or not want.get("due_at"):
        return ["%s: the API gives no time limit or deadline: the test cannot tell" % ticket]
    head = browser.evaluate("document.querySelector('.ticket-head').innerText")
    problems = ["%s: the head %r does not show %r" % (ticket, head, text)
                for text in (when_zh(want["due_at"]), limit_zh(want["time_limit"]))
                if text not in head]
    details = browser.evaluate("[...document.querySelectorAll('.events td.detail')]"
                               ".map(d => d.textContent)")
    for e, detail in zip(want["events"], details):
        if re.search("[A-Za-z]", detail) or "—" in detail or (
                e.get("time_limit") and limit_zh(e["time_limit"]) not in detail):
            problems.append("%s: event %s (%s) shown as %r" %
                            (ticket, e["event_id"], e.get("time_limit"), detail))
    if not problems:
        print("browser check: ticket %s: deadline %s and limit %s shown" %
              (ticket, when_zh(want["due_at"]), limit_zh(want["time_limit"])))
    browser.screenshot(os.path.join(out, "ticket-%s.png" % ticket))
    return problems


EXEMPT_REASON, EXEMPT_BY = "申诉成立", "区政府办"

TICKET_JS = """JSON.stringify((() => {
  const head = document.querySelector('.ticket-head');
  return {
    id: head && head.dataset.ticket,
    events: [...document.querySelectorAll('.events tr[data-event]')].map(r => r.dataset.event),
    counted: [...document.querySelectorAll('.counted tr[data-period]')].map(r => ({
      period: r.dataset.period, unit: r.dataset.unit,
      counters: [...r.querySelectorAll('[data-counter]')]
        .map(c => [c.dataset.counter, c.textContent])})),
    exemptions: [...document.querySelectorAll('.exemptions tr[data-unit]')]
      .map(r => r.textContent)};
})())"""


def check_ticket(browser, base, ticket, out, unit_url):
    """Step 6: the unit page's link for `ticket`, followed."""
    if not browser.evaluate("location.href") == unit_url and not open_page(browser, unit_url,
                                                                           False):
        return ["the unit page did not load again"]
    href = browser.evaluate("(document.querySelector('tr[data-ticket=\"' + CSS.escape(%s) + "
                            "'\"] td.id a') || {}).href" % json.dumps(ticket))
    if not href or not open_page(browser, href, False):
        return ["the ticket page of %s did not load (%s)" % (ticket, href)]
    page = json.loads(browser.evaluate(TICKET_JS))
    want = fetch_json(base, "/api/v1/tickets/" + urllib.parse.quote(ticket, safe=""))
    problems = []
    if page["id"] != ticket:
        problems.append("the ticket page shows %s, not %s" % (page["id"], ticket))
    if page["events"] != [e["event_id"] for e in want["events"]]:
        problems.append("%s: events %s on the page, %s answered" %
                        (ticket, page["events"], [e["event_id"] for e in want["events"]]))
    shown = {(c["period"], c["unit"], k) for c in page["counted"] for k, _ in c["counters"]}
    counted = {(c["period"], c["unit_id"], c["counter"]) for c in want["counted"]}
    if shown != counted:
        problems.append("%s: counted %s on the page, %s answered" %
                        (ticket, sorted(shown), sorted(counted)))
    for c in page["counted"]:
        for k, text in c["counters"]:
            if k in COUNTER_WORDS and not text.startswith(COUNTER_WORDS[k]):
                problems.append("%s: counter %s shown as %r" % (ticket, k, text))
    exempted = {(c["period"], c["unit_id"], c["counter"]) for c in want["counted"]
                if c.get("exempted")}
    for c in page["counted"]:
        for k, text in c["counters"]:
            if ((c["period"], c["unit"], k) in exempted) != text.endswith("（已核减）"):
                problems.append("%s: %s in %s shown as %r" % (ticket, k, c["period"], text))
    if len(page["exemptions"]) != len(want["exempted"]) or not all(
            x["reason"] in row for x, row in zip(want["exempted"], page["exemptions"])):
        problems.append("%s: exemptions %s on the page, %s answered" %
                        (ticket, page["exemptions"], want["exempted"]))
    if browser.evaluate("typeof window.hotlineXss") != "undefined":
        problems.append("the ticket id %s was run as markup" % ticket)
    if not problems:
        print("browser check: ticket %s: %d events, %d counts, %d exemption(s) shown" %
              (ticket, len(page["events"]), len(shown), len(page["exemptions"])))
    if out:
        browser.screenshot(os.path.join(out, "ticket.png"))
    return problems


def check_print(browser, url, golden, out):
    """Step 8: the dashboard's print link is the daemon's bulletin."""
    if not open_page(browser, url, False):
        return ["the ranking did not load again"]
    href = browser.evaluate("document.getElementById('print').href")
    browser.call("Page.navigate", {"url": href})
    if not browser.wait("document.readyState === 'complete' && "
                        "!!document.querySelector('table')"):
        return ["the print view %s shows no table" % href]
    text = browser.evaluate("document.body.innerText")
    missing = [unit for unit in golden if unit not in text]
    scripts = browser.evaluate("document.scripts.length")
    browser.screenshot(os.path.join(out, "print.png"))
    if missing or scripts:
        return ["the print view %s: %d scripts, units missing: %s" % (href, scripts, missing)]
    print("browser check: the print view shows all %d units, no script" % len(golden))
    return []


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    url, golden_path, post_path, out = sys.argv[1:]
    params = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    base = url.split("/?")[0].rstrip("/")
    golden = golden_rows(golden_path)
    profile = tempfile.mkdtemp(prefix="hotline-chromium-")
    browser = Browser(profile)
    try:
        problems = check_ranking(browser, url, golden, post_path, out)
        if not problems:
            problems = check_unit(browser, base, params["ruleset"][0], params["period"][0], out)
        if not problems:
            problems = check_print(browser, url, golden, out)
        print("browser check: screenshots in %s" % out)
    finally:
        browser.close()
        shutil.rmtree(profile, ignore_errors=True)
    return problems


if __name__ == "__main__":
    found = main()
    for p in found:
        print("browser check: " + p, file=sys.stderr)
    sys.exit(1 if found else 0)
