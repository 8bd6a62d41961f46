#!/usr/bin/python3
"""The dashboard in a real browser: headless Chromium driven over the
DevTools protocol (--remote-debugging-pipe: JSON messages ending in NUL
on file descriptors 3 and 4), with nothing but Python's standard library.

usage: browser_check.py URL GOLDEN.csv POST_BODY SCREENSHOT.png

1. Opens URL (/?ruleset=jintai-2025&period=2025-07) and waits until the
   page has drawn its ranking and its live feed has sent the snapshot.
2. Reads every ranking row from the DOM (unit name, rank, total) and
   compares them with the golden scorecard: all its units, its ranks,
   its totals (0.01 allowed where the published total is 0.01 off its
   own items, SCORING.md 4.1, as the e2e test allows).
3. POSTs POST_BODY to /api/v1/events, asks /api/v1/report for the new
   totals, and waits, without reloading, until the DOM shows them.
4. Saves a screenshot of the page (before and after) beside SCREENSHOT.

Exits 0 when all holds, 1 with the reasons otherwise."""
import base64
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
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


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    url, golden_path, post_path, shot = sys.argv[1:]
    base = url.split("/?")[0].rstrip("/")
    query = url.split("?", 1)[1] if "?" in url else ""
    golden = golden_rows(golden_path)
    profile = tempfile.mkdtemp(prefix="hotline-chromium-")
    browser = Browser(profile)
    problems = []
    try:
        browser.call("Page.navigate", {"url": url})
        if not browser.wait("document.body && document.body.dataset.ready === '1' && "
                            "document.body.dataset.live === '1'"):
            problems.append("the page did not finish loading: " +
                            str(browser.evaluate("document.body.innerText")))
            return problems
        rows = json.loads(browser.evaluate(ROWS_JS))
        print("browser check: %d ranking rows on the page" % len(rows))
        problems += check_golden(rows, golden)
        if len(rows) != len(golden):
            problems.append("%d rows on the page, %d units published" %
                            (len(rows), len(golden)))
        browser.screenshot(shot.replace(".png", "-before.png"))
        ids = {r["id"]: r["total"] for r in rows}
        with open(post_path, "rb") as f:
            status, answer = fetch(base, "/api/v1/events", f.read())
        if status != 200:
            problems.append("POST /api/v1/events: %d %s" % (status, answer))
            return problems
        status, report = fetch(base, "/api/v1/report?" + query)
        want = {r["unit_id"]: "%.2f" % r["total"]
                for t in json.loads(report)["tables"] for r in t["rows"]}
        changed = {u: t for u, t in want.items() if ids.get(u) != t}
        if not changed:
            problems.append("the POSTed events changed no total: the test cannot tell")
            return problems
        expression = ("(() => { const want = %s; return Object.entries(want).every(([u, t]) => "
                      "{ const r = document.querySelector('tr[data-unit=\"' + u + '\"] td.total');"
                      " return r && r.textContent === t; }); })()" % json.dumps(changed))
        if browser.wait(expression, timeout=30):
            print("browser check: %d new totals shown without a reload (%s)" %
                  (len(changed), ", ".join("%s %s" % kv for kv in sorted(changed.items()))))
        else:
            problems.append("the page did not show the new totals %s" % changed)
        browser.screenshot(shot)
        print("browser check: screenshots %s, %s" % (shot.replace(".png", "-before.png"), shot))
    finally:
        browser.close()
        shutil.rmtree(profile, ignore_errors=True)
    return problems


if __name__ == "__main__":
    found = main()
    for p in found:
        print("browser check: " + p, file=sys.stderr)
    sys.exit(1 if found else 0)
