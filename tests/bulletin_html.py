#!/usr/bin/python3
"""Reads the HTML bulletin as a browser would (html.parser) and checks that
every number it shows is the report JSON's.

usage: bulletin_html.py REPORT.json PAGE.html

Checks the opening figures (received, to close, closed, on time, the
closure and on-time rates), the top units of each table with their totals,
the units below the district rate, the category shares, and every row of
every main table: its unit, its rank and total, and its numbers as a
multiset equal to the row's counters, items, subtotals and total. Exits 1
on the first mismatch."""
import json
import sys
from html.parser import HTMLParser


class Page(HTMLParser):
    """Collects figures by data-name, paragraphs by class, and the cells
    of each table.scores by data-group."""

    def __init__(self):
        super().__init__()
        self.figures = []      # (data-name, text, paragraph class)
        self.tables = {}       # group -> list of rows of cell texts
        self.paragraph = None  # class of the <p> being read
        self.figure = None     # data-name of the figure being read
        self.group = None      # table being read
        self.row = None        # cells of the row being read
        self.cell = None       # text of the cell being read
        self.in_body = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "p":
            self.paragraph = attrs.get("class", "")
        elif tag == "span" and attrs.get("class") == "figure":
            self.figure = [attrs["data-name"], ""]
        elif tag == "table" and attrs.get("class") == "scores":
            self.group = attrs["data-group"]
            self.tables[self.group] = []
        elif tag == "tbody":
            self.in_body = True
        elif tag == "tr" and self.group is not None and self.in_body:
            self.row = []
        elif tag == "td" and self.row is not None:
            self.cell = ""

    def handle_endtag(self, tag):
        if tag == "span" and self.figure:
            self.figures.append((self.figure[0], self.figure[1],
                                 self.paragraph))
            self.figure = None
        elif tag == "p":
            self.paragraph = None
        elif tag == "td" and self.cell is not None:
            self.row.append(self.cell)
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.tables[self.group].append(self.row)
            self.row = None
        elif tag == "tbody":
            self.in_body = False
        elif tag == "table":
            self.group = None

    def handle_data(self, data):
        if self.figure is not None:
            self.figure[1] += data
        if self.cell is not None:
            self.cell += data


def fail(message):
    print("bulletin_html: " + message)
    sys.exit(1)


def percent(fraction):
    return "%.2f%%" % (fraction * 100)


def expect(what, shown, wanted):
    if shown != wanted:
        fail("%s: the page shows %r, the report says %r" % (what, shown,
                                                            wanted))


def number(text):
    return float(text.rstrip("%")) if text not in ("", "-") else None


def main():
    report = json.load(open(sys.argv[1], encoding="utf-8"))
    page = Page()
    page.feed(open(sys.argv[2], encoding="utf-8").read())
    overview = report["overview"]
    figures = {}
    for name, text, where in page.figures:
        figures.setdefault((where, name), []).append(text)
    opening = {name: texts[0] for (where, name), texts in figures.items()
               if where == ""}
    for name in ("units", "received", "should_close", "closed",
                 "closed_on_time"):
        expect(name, opening.get(name), "%d" % overview[name])
    for name in ("closure_rate", "on_time_rate"):
        expect(name, opening.get(name), percent(overview[name]))

    tops = figures.get(("top", "total"), [])
    wanted = []
    for table in report["tables"]:
        ranked = [r for r in table["rows"] if r["rank"] is not None][:3]
        wanted += ["%.2f" % r["total"] for r in ranked]
    expect("top units' totals", tops, wanted)

    district = overview["closure_rate"]
    below = [percent(r["counters"]["closed"] / r["counters"]["should_close"])
             for t in report["tables"] for r in t["rows"]
             if r["counters"]["should_close"] > 0 and
             r["counters"]["closed"] / r["counters"]["should_close"] <
             district]
    expect("district rate", figures.get(("below", "district_rate")),
           [percent(district)])
    expect("units below the district rate",
           figures.get(("below", "rate"), []), below)

    categories = sorted(overview["categories"],
                        key=lambda c: (-c["received"], c["id"]))
    expect("category counts", figures.get(("categories", "received")),
           ["%d" % c["received"] for c in categories])
    expect("category shares", figures.get(("categories", "share")),
           [percent(c["share"]) for c in categories])

    cells = 0
    for table in report["tables"]:
        rows = page.tables.get(table["group"])
        if rows is None or len(rows) != len(table["rows"]):
            fail("table %s: %s rows on the page, %d in the report" %
                 (table["group"], None if rows is None else len(rows),
                  len(table["rows"])))
        for shown, row in zip(rows, table["rows"]):
            expect("rank of " + row["unit"], number(shown[0]), row["rank"])
            expect("unit", shown[1], row["unit"])
            expect("total of " + row["unit"], shown[-1], "%.2f" % row["total"])
            numbers = sorted(number(c) for c in shown[2:])
            wanted = sorted(list(row["counters"].values()) +
                            list(row["items"].values()) +
                            list(row.get("dimensions", {}).values()) +
                            [row["total"]])
            if [round(n, 2) for n in numbers] != \
                    [round(n, 2) for n in wanted]:
                fail("%s: the page shows %s, the report %s" %
                     (row["unit"], numbers, wanted))
            cells += len(shown)
    print("bulletin_html: %s: %d opening figures and %d table cells equal "
          "the report's" % (sys.argv[2], len(page.figures), cells))


if __name__ == "__main__":
    main()
