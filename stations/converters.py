"""URL converter for station codes: anything else never reaches the database
(PostgreSQL rejects some characters, e.g. NUL, with an error, not a miss)."""

from django.urls import register_converter


class StationCodeConverter:
    regex = "[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(StationCodeConverter, "station_code")
