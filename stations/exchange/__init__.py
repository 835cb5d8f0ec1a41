"""Station data exchange: CSV and GeoJSON files in, the same files out.

One record per station with every field staff maintain, so that
export → import → export gives the same bytes. The format is documented in
README ("Demo data and station data exchange"):

- CSV: UTF-8 (a byte-order mark is accepted), a header row naming exactly the
  columns in COLUMNS, in any order. Lists (amenities, groups served) are
  catalogue slugs separated by "|"; `positions` is a compact JSON list.
- GeoJSON: a FeatureCollection of Point features ([longitude, latitude],
  WGS-84); the properties are the CSV columns without latitude/longitude,
  lists as JSON arrays. Members of the collection other than "type" and
  "features" (a "name", a "demo" flag) are ignored.

Importing upserts by code inside one transaction. Every record is checked
before anything is written; any bad record aborts the whole file with an
ImportFailed that names the record (CSV line number / GeoJSON feature index)
and the field.

Modules: formats (the file layouts), records (checking a record, records from
stations), store (writing to and reading from the database).
"""

from .formats import COLUMNS, PROPERTIES, ImportFailed, csv_row, format_for, geojson_feature, read_records
from .records import parse_record, records_for
from .store import ImportResult, export_file, import_file, import_records

__all__ = [
    "COLUMNS", "PROPERTIES", "ImportFailed", "ImportResult", "csv_row", "export_file", "format_for",
    "geojson_feature", "import_file", "import_records", "parse_record", "read_records", "records_for",
]
