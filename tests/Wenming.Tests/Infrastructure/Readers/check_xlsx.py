"""Reads .xlsx files with openpyxl (not the writer's library) and reports, as JSON on stdout, per file: every formula
cell, every text cell that starts like a formula without the neutralising apostrophe, the columns narrower than
their header needs, and the cells' text (to compare with what was written)."""
import json
import sys

import openpyxl

DANGEROUS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")

report = {}
for path in sys.argv[1:]:
    workbook = openpyxl.load_workbook(path)
    problems, texts, narrow = [], [], []
    for sheet in workbook.worksheets:
        header = {}
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    problems.append(f"{sheet.title}!{cell.coordinate}: formula {cell.value!r}")
                elif isinstance(cell.value, str):
                    texts.append(cell.value)
                    if cell.value.startswith(DANGEROUS):
                        problems.append(f"{sheet.title}!{cell.coordinate}: starts like a formula {cell.value!r}")
                    if cell.row == 1:
                        header[cell.column_letter] = cell.value
        for letter, title in header.items():
            width = sheet.column_dimensions[letter].width if letter in sheet.column_dimensions else None
            if width is None or width < 2 * len(title):
                narrow.append(f"{sheet.title}!{letter} ({title}): width {width}")
    report[path] = {"problems": problems, "narrow": narrow, "texts": texts}
json.dump(report, sys.stdout, ensure_ascii=False)
