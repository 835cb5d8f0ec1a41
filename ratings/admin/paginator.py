from django.core.paginator import Paginator
from django.db import connection
from django.utils.functional import cached_property

# Beyond this many matches a filtered list stops counting: staff narrow the
# filters or export; COUNT(*) over millions of rows is what makes admins slow.
COUNT_CAP = 10_000


class EstimatedCountPaginator(Paginator):
    """Counts that stay cheap on ten million rows.

    Unfiltered on PostgreSQL: the planner's table estimate (refreshed by
    autovacuum). Otherwise an exact count, but of at most COUNT_CAP + 1 rows
    (a LIMIT inside the COUNT); `capped` tells the template to say "more than".
    """

    capped = False

    @cached_property
    def count(self):
        queryset = self.object_list
        query = getattr(queryset, "query", None)
        if query is None:
            return super().count
        if connection.vendor == "postgresql" and not query.where:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                    [queryset.model._meta.db_table],
                )
                row = cursor.fetchone()
            if row and row[0] and row[0] > COUNT_CAP:
                return int(row[0])
        count = queryset.order_by()[: COUNT_CAP + 1].count()
        self.capped = count > COUNT_CAP
        return count
