"""INSERT many rows without model instances: the import's and the rating rule's writes.

bulk_create spends most of its time preparing each value of each instance
(22,000 LevelChange rows on SQLite: 0.84 s through bulk_create, 0.11 s
here); here only the columns that need a database adaptation get one,
chosen once per column.
"""

from django.db import connection

WRITE_BATCH = 5000  # rows per executemany() or COPY chunk


def insert_rows(model, columns, rows, *, returning=None):
    """INSERT `rows` (tuples in the order of `columns`, attribute names) into model's table.

    Fields not in `columns` take their default, worked out per row as
    Model() would (give auto_now / auto_now_add fields a value: they have no
    default). With
    `returning` (column names), return those columns of every inserted row,
    as tuples in no particular order: key them by a column of your own, such
    as a foreign key that appears once per call.
    """
    if not rows:
        return [] if returning else None
    by_name = {field.attname: field for field in model._meta.concrete_fields if not field.primary_key}
    missing = [field for name, field in by_name.items() if name not in columns]
    fields = [by_name[name] for name in columns] + missing
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    column_list = ", ".join(quote(field.column) for field in fields)
    adapted = [(index, _same_object_memo(adapt)) for index, field in enumerate(fields[:len(columns)])
               if (adapt := _adapter(field)) is not None]

    def prepared(chunk):
        if not adapted and not missing:
            return chunk
        params = []
        for row in chunk:
            values = list(row)
            for index, adapt in adapted:
                if values[index] is not None:
                    values[index] = adapt(values[index])
            # Per row, as Model() would: a default may be a callable (a new token, today's date).
            values += [field.get_db_prep_save(field.get_default(), connection) for field in missing]
            params.append(values)
        return params

    with connection.cursor() as cursor:
        if returning:
            # One multi-row VALUES statement per batch, within the backend's
            # parameter limit: a row's keys come back with the row itself.
            per_row = "({})".format(", ".join(["%s"] * len(fields)))
            # (PostgreSQL has no limit of Django's, but its protocol counts parameters in 16 bits.)
            limit = connection.features.max_query_params or 65535
            batch = max(1, min(WRITE_BATCH, limit // len(fields)))
            returned = ", ".join(quote(model._meta.get_field(name).column) for name in returning)
            found = []
            for chunk in _chunks(rows, batch):
                cursor.execute(
                    f"INSERT INTO {table} ({column_list}) VALUES {', '.join([per_row] * len(chunk))} "
                    f"RETURNING {returned}",
                    [value for values in prepared(chunk) for value in values],
                )
                found += cursor.fetchall()
            return found
        if connection.vendor == "postgresql":
            # COPY: several times faster than INSERTs for hundreds of
            # thousands of rows, and inside the same transaction.
            with cursor.cursor.copy(f"COPY {table} ({column_list}) FROM STDIN") as copy:
                for chunk in _chunks(rows, WRITE_BATCH):
                    for values in prepared(chunk):
                        copy.write_row(values)
            return None
        sql = "INSERT INTO {} ({}) VALUES ({})".format(table, column_list, ", ".join(["%s"] * len(fields)))
        for chunk in _chunks(rows, WRITE_BATCH):
            cursor.executemany(sql, prepared(chunk))
    return None


def insert_saved(model, rows, *, unique_by):
    """INSERT `rows` (dicts of every column's attname but the key) and return
    them as saved instances, in order, with their new keys.

    `unique_by` names a column whose value differs in every row of the call
    (a foreign key): the keys that RETURNING gives back are matched on it.
    """
    columns = [field.attname for field in model._meta.concrete_fields if not field.primary_key]
    values = [tuple(row[column] for column in columns) for row in rows]
    key = model._meta.pk.attname
    keys = {value: pk for pk, value in insert_rows(model, columns, values, returning=(key, unique_by))}
    position = columns.index(unique_by)
    return [model.from_db(connection.alias, [key, *columns], [keys[row[position]], *row]) for row in values]


def _chunks(items, size):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _same_object_memo(adapt):
    """Adapt a value once when rows share the very same object (the import's one
    timestamp, a schedule parsed once for many stations)."""
    seen = {}

    def memo(value):
        found = seen.get(id(value))
        if found is not None and found[0] is value:
            return found[1]
        result = adapt(value)
        if len(seen) < 10_000:
            seen[id(value)] = (value, result)  # holding the value keeps its id from being reused
        return result

    return memo


def _adapter(field):
    ops = connection.ops
    kind = field.get_internal_type()
    if kind == "DecimalField":
        return lambda value: ops.adapt_decimalfield_value(value, field.max_digits, field.decimal_places)
    if kind == "DateTimeField":
        return ops.adapt_datetimefield_value
    if kind == "DateField":
        return ops.adapt_datefield_value
    if kind == "JSONField":
        return lambda value: field.get_db_prep_save(value, connection)
    return None
