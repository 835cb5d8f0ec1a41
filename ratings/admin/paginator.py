from django.core.paginator import Paginator
from django.db import connection
from django.utils.functional import cached_property


class EstimatedCountPaginator(Paginator):
    """Exact counts for filtered lists; PostgreSQL's table estimate for the whole table.

    COUNT(*) over ten million rows takes seconds on PostgreSQL; the unfiltered
    list only needs a page count, and the estimate is refreshed by autovacuum.
    """

    @cached_property
    def count(self):
        query = getattr(self.object_list, "query", None)
        if connection.vendor == "postgresql" and query is not None and not query.where:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                    [self.object_list.model._meta.db_table],
                )
                row = cursor.fetchone()
            if row and row[0] and row[0] > 100_000:
                return int(row[0])
        return super().count
