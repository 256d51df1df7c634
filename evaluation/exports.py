"""Files for the procurement file: the scores workbook (Excel) and the rankings CSV.

Pure over the plain data of ``evaluation.ranking_selectors`` (no queries here), so they are
tested on their own and the web page and the API produce byte-for-byte the same file.
"""

import csv
import io
from collections.abc import Iterable
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from audit.exports import spreadsheet_safe

from .ranking import criterion_points, decimal_points
from .ranking_selectors import ResultLine, ScoreSheet

CSV_HEADER = ("segment", "rank", "bidder_kvk", "bidder_name", "points", "status", "reasons")
REASON_SEPARATOR = "; "
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
# With a byte order mark, Excel reads the names' ë and é right; csv readers skip it (utf-8-sig).
CSV_ENCODING = "utf-8-sig"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Excel sheet names: at most 31 characters, none of these.
_SHEET_FORBIDDEN = str.maketrans({c: "-" for c in "[]:*?/\\"})
_LEVEL_FORMAT = "0.00##"


def _csv_text(value: str) -> str:
    """Names and reasons come from bidders' data: quoted where a spreadsheet would run them
    as a formula (``audit.exports.spreadsheet_safe``, the one rule for every CSV export)."""
    return spreadsheet_safe(value)


def points_of(max_points: Decimal, level: Decimal | None) -> Decimal | None:
    """w x level (the ranking engine's ``criterion_points``), unrounded; None without a final
    level (the points are not known yet)."""
    if level is None:
        return None
    return decimal_points(criterion_points(max_points, level))


def scores_workbook(sheets: Iterable[ScoreSheet], *, headers: dict[str, str]) -> bytes:
    """The .xlsx: one sheet per segment, one row per dossier x criterion.

    Columns: bidder, KvK, criterion, criterion name, weight, each evaluator's level (blank where
    none was submitted), final level, rationale, points (w x final level). ``headers`` gives the
    (translated) labels of the fixed columns by key. Numbers are written as numbers, text always
    as text (never as a formula).
    """
    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet in sheets:
        ws = workbook.create_sheet(title=sheet.segment_code.translate(_SHEET_FORBIDDEN)[:31])
        ws.append(
            [
                headers["bidder"],
                headers["kvk"],
                headers["criterion"],
                headers["criterion_name"],
                headers["weight"],
                *(f"{headers['level_of']} {name}" for name in sheet.evaluators),
                headers["final_level"],
                headers["rationale"],
                headers["points"],
            ]
        )
        for line in sheet.lines:
            ws.append(
                [
                    line.bidder_name,
                    line.bidder_kvk,
                    line.criterion_code,
                    line.criterion_name,
                    line.max_points,
                    *line.levels,
                    line.final_level,
                    line.rationale,
                    points_of(line.max_points, line.final_level),
                ]
            )
            for cell in ws[ws.max_row]:  # openpyxl turns text starting with "=" into a formula
                if cell.data_type == "f":
                    cell.data_type = "s"
        _layout(ws, evaluators=len(sheet.evaluators))
    if not workbook.sheetnames:  # a tender without segments still gives a valid file
        workbook.create_sheet(title="-")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _layout(ws, *, evaluators: int) -> None:
    """Bold, frozen header row with a filter; level and points columns in number format."""
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    first_level, last_level = 6, 6 + evaluators  # evaluators' levels, then the final level
    points_column = last_level + 2
    for row in ws.iter_rows(min_row=2):
        for cell in row[first_level - 1 : last_level]:
            cell.number_format = _LEVEL_FORMAT
        row[points_column - 1].number_format = _LEVEL_FORMAT
        row[last_level].alignment = Alignment(wrap_text=True, vertical="top")
    widths = {1: 32, 2: 11, 3: 10, 4: 32, 5: 9, last_level + 1: 60, points_column: 9}
    for column in range(1, points_column + 1):
        ws.column_dimensions[get_column_letter(column)].width = widths.get(column, 14)


def rankings_csv(lines: Iterable[ResultLine]) -> str:
    """The CSV: one row per segment x result, as stored.

    RFC 4180 (comma, CRLF, quotes where needed), a fixed English header like the keys of
    ``manage.py ranking --format json``, points with a decimal point as there, the status code,
    reasons joined by ``"; "``. Text cells that a spreadsheet would run as a formula are
    prefixed with a quote.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for line in lines:
        writer.writerow(
            [
                line.segment,
                "" if line.rank is None else line.rank,
                line.bidder_kvk,
                _csv_text(line.bidder_name),
                format(line.points, "f"),
                line.status,
                _csv_text(REASON_SEPARATOR.join(line.reasons)),
            ]
        )
    return out.getvalue()
