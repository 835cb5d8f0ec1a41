"""stations.tabular: CSV and XLSX downloads from headers and rows."""

import csv
import datetime
import io
import zoneinfo
from decimal import Decimal

import pytest
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook

from stations.tabular import UnknownFormat, tabular_response

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
HEADERS = ["Code", gettext_lazy("Name"), "Rate", "Last rated", "Listed on", "Note"]
ROWS = [
    ["QD-SB-0001", "市北区辽宁路驿站", Decimal("0.9250"), datetime.datetime(2026, 3, 1, 1, 30, tzinfo=datetime.UTC),
     datetime.date(2025, 1, 2), None],
    ["QD-SB-0002", "Comma, \"quote\"\nnewline", 7, None, datetime.date(2025, 1, 3), "=HYPERLINK(\"x\")"],
]


def read_csv(response):
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff"), "Excel needs the BOM to read UTF-8 Chinese"
    return list(csv.reader(io.StringIO(body[1:])))


def read_xlsx(response):
    body = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(body)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_csv_has_headers_rows_and_filename():
    response = tabular_response(headers=HEADERS, rows=iter(ROWS), filename="stations-2026", format="csv")
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="stations-2026.csv"'
    table = read_csv(response)
    assert table[0] == ["Code", "Name", "Rate", "Last rated", "Listed on", "Note"]
    # Aware datetimes are written in the portal's local time (UTC+8).
    assert table[1] == ["QD-SB-0001", "市北区辽宁路驿站", "0.9250", "2026-03-01 09:30:00", "2025-01-02", ""]
    assert table[2][1] == "Comma, \"quote\"\nnewline"
    assert table[2][3] == ""


def test_csv_neutralises_formulas():
    response = tabular_response(
        headers=["a", "b", "c"], rows=[["=1+1", "@SUM(A1)", -5]], filename="x", format="csv"
    )
    assert read_csv(response)[1] == ["'=1+1", "'@SUM(A1)", "-5"]


def test_xlsx_round_trips_through_openpyxl():
    response = tabular_response(headers=HEADERS, rows=iter(ROWS), filename="stations", format="xlsx",
                                sheet_title="Stations: list")
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == 'attachment; filename="stations.xlsx"'
    table = read_xlsx(response)
    assert table[0] == ["Code", "Name", "Rate", "Last rated", "Listed on", "Note"]
    code, name, rate, last_rated, listed_on, note = table[1]
    assert (code, name, note) == ("QD-SB-0001", "市北区辽宁路驿站", None)
    assert rate == pytest.approx(0.925)
    assert last_rated == datetime.datetime(2026, 3, 1, 9, 30)
    assert listed_on.date() == datetime.date(2025, 1, 2)
    assert table[2][2] == 7
    # Text that looks like a formula stays text.
    assert table[2][5] == "=HYPERLINK(\"x\")"


def test_xlsx_keeps_formula_text_as_a_string_cell():
    response = tabular_response(headers=["a"], rows=[["=1+1"]], filename="x", format="xlsx")
    body = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(body)).active
    assert sheet["A2"].data_type == "s"
    assert sheet["A2"].value == "=1+1"


def test_rows_are_consumed_lazily_for_csv():
    pulled = []

    def rows():
        for number in range(3):
            pulled.append(number)
            yield [number]

    response = tabular_response(headers=["n"], rows=rows(), filename="x", format="csv")
    assert pulled == [], "nothing is read before the response streams"
    assert [row for row in read_csv(response)] == [["n"], ["0"], ["1"], ["2"]]


def test_control_characters_do_not_break_the_workbook():
    response = tabular_response(headers=["a"], rows=[["bell\x07here"]], filename="x", format="xlsx")
    assert read_xlsx(response)[1] == ["bellhere"]


def test_unsafe_filename_is_cleaned():
    response = tabular_response(headers=["a"], rows=[], filename='驿站 "list"/../x', format="csv")
    assert response["Content-Disposition"] == 'attachment; filename="list--..-x.csv"'


def test_unknown_format_is_refused():
    with pytest.raises(UnknownFormat):
        tabular_response(headers=["a"], rows=[], filename="x", format="pdf")


def test_aware_datetime_in_other_zone_is_converted():
    moment = datetime.datetime(2026, 1, 1, 12, 0, tzinfo=SHANGHAI)
    response = tabular_response(headers=["t"], rows=[[moment]], filename="x", format="xlsx")
    assert read_xlsx(response)[1] == [datetime.datetime(2026, 1, 1, 12, 0)]


def test_csv_rows_keep_the_language_of_the_request():
    """Rows stream after the view returns and the middleware resets the language."""
    from django.utils import translation
    from django.utils.dates import WEEKDAYS  # lazy, and Django ships their Chinese

    def rows():
        yield [WEEKDAYS[0]]  # translated when the row is written

    with translation.override("zh-hans"):
        response = tabular_response(headers=["day"], rows=rows(), filename="x", format="csv")
    with translation.override("en"):
        body = b"".join(response.streaming_content).decode("utf-8-sig")
    with translation.override("zh-hans"):
        chinese = str(WEEKDAYS[0])
    assert chinese != "Monday"
    assert body.splitlines()[1] == chinese
