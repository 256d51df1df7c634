"""The finance export: every instalment per municipality share, as CSV and as Excel.

Pure over ``contracts.selectors.FinanceRow`` (no queries), so the staff screen and the API give
the same file. Amounts are written with a decimal point and two decimals (CSV) or as numbers
in a euro format (Excel); text that a spreadsheet would run as a formula gets a quote.
"""

import csv
import io
from collections.abc import Iterable

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from evaluation.exports import CSV_CONTENT_TYPE, CSV_ENCODING, XLSX_CONTENT_TYPE, _csv_text

from .selectors import FinanceRow

__all__ = ["CSV_CONTENT_TYPE", "CSV_ENCODING", "XLSX_CONTENT_TYPE", "finance_csv", "finance_xlsx"]

HEADER = (
    "contract",
    "provider_kvk",
    "provider_name",
    "segment",
    "year",
    "due_date",
    "instalment",
    "municipality_code",
    "municipality_name",
    "share",
    "split",
)


def _values(row: FinanceRow) -> list:
    return [
        row.contract,
        row.provider_kvk,
        _csv_text(row.provider_name),
        row.segment,
        row.year,
        row.due_date.isoformat(),
        f"{row.instalment:.2f}",
        row.municipality_code,
        _csv_text(row.municipality_name),
        f"{row.share:.2f}",
        row.split,
    ]


def finance_csv(rows: Iterable[FinanceRow]) -> str:
    """RFC 4180 (comma, CRLF), fixed English header, one row per instalment x municipality."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow(_values(row))
    return out.getvalue()


def finance_xlsx(rows: Iterable[FinanceRow]) -> bytes:
    """The same columns in one sheet; dates as dates, amounts as numbers (euro format)."""
    workbook = Workbook()
    ws = workbook.active
    ws.title = "termijnen"
    ws.append(list(HEADER))
    # The row number is counted here: ``ws.max_row`` scans every cell, so asking it per row
    # made the export quadratic in the number of rows.
    for number, row in enumerate(rows, start=2):
        ws.append(
            [
                row.contract,
                row.provider_kvk,
                _csv_text(row.provider_name),
                row.segment,
                row.year,
                row.due_date,
                row.instalment,
                row.municipality_code,
                _csv_text(row.municipality_name),
                row.share,
                row.split,
            ]
        )
        for column in (7, 10):
            ws.cell(row=number, column=column).number_format = "#,##0.00"
        ws.cell(row=number, column=6).number_format = "yyyy-mm-dd"
        for column in (1, 2, 3, 4, 8, 9, 11):
            ws.cell(row=number, column=column).data_type = "s"
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    for index, width in enumerate((18, 12, 32, 14, 6, 12, 12, 10, 22, 12, 11), start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
