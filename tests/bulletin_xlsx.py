#!/usr/bin/python3
"""Opens a bulletin workbook as a clerk's spreadsheet would (openpyxl) and
checks it against the report JSON it was written from.

usage: bulletin_xlsx.py REPORT.json BOOK.xlsx

Checks, for every main table's sheet: the title cell (the report's title
and its period in Chinese), the subtitle (as-of time and ruleset), the
header rows repeated on every printed page, A4 landscape one page wide,
and a ranking chart; the merged header ranges of furong-2022 and
jintai-2025 exactly as their bulletins group their columns; a chart part
per table in the zip. Prints what it checked; exits 1 on the first
mismatch."""
import json
import sys
import zipfile

import openpyxl

QUARTERS = "一二三四"

# The merged cells of a main table's sheet: the title rows, then the two
# header rows as the published bulletins head them.
EXPECTED_MERGES = {
    # 排名, 单位 over both rows; each item over the counters its formula
    # reads and its score; 工作量 reads only 办结数, already shown; 总分.
    "jintai-2025": ["A1:Q1", "A2:Q2", "A3:A4", "B3:B4", "C3:E3", "F3:G3",
                    "H3:I3", "J3:K3", "L3:L4", "M3:N3", "O3:P3", "Q3:Q4"],
    # 排名, 单位, five counters over both rows; four dimensions over their
    # items and 小计 (5+1, 4+1, 2+1, 1+1); 基础分, 加分, 总分.
    "furong-2022": ["A1:Z1", "A2:Z2", "A3:A4", "B3:B4", "C3:C4", "D3:D4",
                    "E3:E4", "F3:F4", "G3:G4", "H3:M3", "N3:R3", "S3:U3",
                    "V3:W3", "X3:X4", "Y3:Y4", "Z3:Z4"],
}

EXPECTED_HEADINGS = {
    "jintai-2025": {"C3": "办结（30分）", "C4": "应办结", "D4": "办结数",
                    "E4": "得分", "L3": "工作量（5分）", "Q3": "总分"},
    "furong-2022": {"H3": "诉求响应率（30分）", "H4": "按时签收（5分）",
                    "M4": "小计", "V3": "回访满意率（15分）",
                    "Y3": "加分", "Z3": "总分"},
}


def fail(message):
    print("bulletin_xlsx: " + message)
    sys.exit(1)


def period_text(period):
    year, part = period.split("-")
    if part.startswith("Q"):
        return "%s年第%s季度" % (year, QUARTERS[int(part[1]) - 1])
    return "%s年%d月" % (year, int(part))


def main():
    report = json.load(open(sys.argv[1], encoding="utf-8"))
    path = sys.argv[2]
    ruleset = report["ruleset"]
    book = openpyxl.load_workbook(path)
    tables = report["tables"]
    title = "%s（%s）" % (report["title"], period_text(report["period"]))
    for index, table in enumerate(tables):
        sheet = book.worksheets[index]
        if sheet.title != (table["title"] or table["group"])[:31]:
            fail("sheet %d is %s, not %s" % (index + 1, sheet.title,
                                             table["title"]))
        if sheet["A1"].value != title:
            fail("%s: A1 is %r, not %r" % (sheet.title, sheet["A1"].value,
                                           title))
        subtitle = sheet["A2"].value or ""
        if "截至 " not in subtitle or ruleset not in subtitle:
            fail("%s: A2 %r lacks the as-of time or ruleset" %
                 (sheet.title, subtitle))
        setup = sheet.page_setup
        if setup.orientation != "landscape" or str(setup.paperSize) != "9":
            fail("%s: not A4 landscape (%s, %s)" %
                 (sheet.title, setup.orientation, setup.paperSize))
        if not sheet.sheet_properties.pageSetUpPr.fitToPage or \
                setup.fitToHeight not in (0, "0") or \
                setup.fitToWidth not in (None, 1, "1"):
            fail("%s: not fitted to one page wide" % sheet.title)
        if sheet.print_title_rows != "$3:$4":
            fail("%s: header rows not repeated: %r" %
                 (sheet.title, sheet.print_title_rows))
        if table["rows"] and len(sheet._charts) != 1:
            fail("%s: %d charts, not one" % (sheet.title, len(sheet._charts)))
        merges = sorted(str(r) for r in sheet.merged_cells.ranges)
        if ruleset in EXPECTED_MERGES and \
                merges != sorted(EXPECTED_MERGES[ruleset]):
            fail("%s: merged %s, expected %s" %
                 (sheet.title, merges, EXPECTED_MERGES[ruleset]))
        for cell, text in EXPECTED_HEADINGS.get(ruleset, {}).items():
            if sheet[cell].value != text:
                fail("%s: %s is %r, not %r" % (sheet.title, cell,
                                               sheet[cell].value, text))
        # The first data row is the first unit of the table.
        if table["rows"] and sheet["B5"].value != table["rows"][0]["unit"]:
            fail("%s: B5 is %r" % (sheet.title, sheet["B5"].value))
    charts = [n for n in zipfile.ZipFile(path).namelist()
              if n.startswith("xl/charts/chart")]
    if len(charts) < len([t for t in tables if t["rows"]]):
        fail("%d chart parts for %d tables" % (len(charts), len(tables)))
    print("bulletin_xlsx: %s: %d table sheets, %d chart parts, %s" %
          (path, len(tables), len(charts),
           "merges as published" if ruleset in EXPECTED_MERGES
           else "title, print setup and charts"))


if __name__ == "__main__":
    main()
