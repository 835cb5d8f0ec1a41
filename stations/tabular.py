"""Tabular downloads: headers and rows in, a CSV or Excel (.xlsx) response out.

Used by the admin's station-list export and the ratings export. Both formats
stream: rows are pulled from an iterator one at a time (pass a queryset's
``.iterator()`` or a generator), so a list of hundreds of thousands of rows
never sits in memory as Python objects.

- CSV is UTF-8 with a byte-order mark, which Excel needs to show Chinese text;
  it is written to the client as it is produced (StreamingHttpResponse).
- XLSX uses openpyxl's write-only mode, which writes each row to a temporary
  file at once; the finished workbook is then streamed from that file.

Cell values may be str (lazy translations too), numbers, Decimal, bool, date,
datetime (aware ones are shown in local time) or None (an empty cell). Text
that a spreadsheet would run as a formula (=, +, -, @ at the start) is kept as
text, so a comment typed by the public cannot execute in staff's Excel.
"""

import csv
import datetime
import tempfile
from decimal import Decimal

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

CSV = "csv"
XLSX = "xlsx"
FORMATS = {
    CSV: ("text/csv; charset=utf-8", _("CSV")),
    XLSX: ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _("Excel (.xlsx)")),
}

# OWASP's list of leading characters that make a spreadsheet cell a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_SHEET_TITLE_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


class UnknownFormat(ValueError):
    pass


def tabular_response(*, headers, rows, filename, format=CSV, sheet_title=""):
    """Return a download of `rows` under `headers` as CSV or XLSX.

    `filename` is given without extension; the format's extension is added.
    Raises UnknownFormat for anything but "csv" or "xlsx".
    """
    if format not in FORMATS:
        raise UnknownFormat(format)
    headers = [str(header) for header in headers]
    if format == CSV:
        chunks = _csv_chunks(headers, rows, translation.get_language())
        response = StreamingHttpResponse(chunks, content_type=FORMATS[CSV][0])
    else:
        response = FileResponse(_xlsx_file(headers, rows, sheet_title), content_type=FORMATS[XLSX][0])
    response["Content-Disposition"] = f'attachment; filename="{_safe_filename(filename)}.{format}"'
    return response


def _safe_filename(name):
    cleaned = "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "-" for c in str(name))
    return cleaned.strip("-.") or "export"


def _cell_value(value):
    """A plain value for a cell: local naive datetimes, text for everything else odd."""
    if value is None or isinstance(value, (bool, int, float, Decimal)):
        return value
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None, microsecond=0)
    if isinstance(value, (datetime.date, datetime.time)):
        return value
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))


# --- CSV ---------------------------------------------------------------------


class _Echo:
    """A file-like object whose write() hands the line back instead of storing it."""

    def write(self, value):
        return value


def _csv_text(value):
    value = _cell_value(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def _csv_chunks(headers, rows, language):
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(headers)
    # Rows are produced after the view has returned and the locale middleware
    # has reset the language: keep the request's language for labels in rows.
    with translation.override(language):
        for row in rows:
            yield writer.writerow([_csv_text(value) for value in row])


# --- XLSX --------------------------------------------------------------------


def _xlsx_file(headers, rows, sheet_title):
    workbook = Workbook(write_only=True)
    title = str(sheet_title or "").translate(_SHEET_TITLE_FORBIDDEN).strip()[:31]
    sheet = workbook.create_sheet(title=title or "Sheet1")
    sheet.freeze_panes = "A2"
    for index, header in enumerate(headers, start=1):
        # Wide enough for the header; CJK characters take two columns.
        width = sum(2 if ord(c) > 0x2E80 else 1 for c in header) + 4
        sheet.column_dimensions[get_column_letter(index)].width = max(10, min(width, 40))
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=_cell_value(header))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    # TemporaryFile: deleted when the response closes it, never named on disk.
    output = tempfile.TemporaryFile(suffix=".xlsx")
    workbook.save(output)
    output.seek(0)
    return output


def _xlsx_cell(sheet, value):
    value = _cell_value(value)
    if isinstance(value, Decimal):
        # Excel has no decimal type; float keeps the cell numeric and sortable.
        value = float(value)
    if isinstance(value, str) and value.startswith("="):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"  # text, not a formula
        return cell
    if isinstance(value, datetime.datetime):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd hh:mm"
        return cell
    return value
