"""The station list with its score columns as CSV or Excel (admin action and link)."""

from types import SimpleNamespace

from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import District
from ..models.station import Kind, Level, Status
from ..standing import days_since_last_rating
from ..tabular import tabular_response

CHUNK = 2000
COLUMNS = (
    "code", "name", "district_id", "address", "kind", "level", "status",
    "ratings_30d", "ratings_total", "satisfaction", "last_rated_at_value",
)


def station_export_headers():
    return [
        _("Code"), _("Name"), _("City"), _("District"), _("Street address"),
        _("Kind"), _("Certification level"), _("Status"),
        _("Ratings in the last 30 days"), _("Total ratings"), _("Satisfaction rate (%)"),
        _("Last rated"), _("Days since last rating"),
    ]


def station_export_rows(queryset, today):
    """Rows of a queryset annotated by stations.scores.with_scores(), read in chunks.

    Plain tuples and labels looked up once: at national scale (hundreds of
    thousands of rows) building model instances and translating each
    choice label per row would dominate the export's time.
    """
    kinds = {value: str(label) for value, label in Kind.choices}
    levels = {value: str(label) for value, label in Level.choices}
    statuses = {value: str(label) for value, label in Status.choices}
    places = {
        district.pk: (district.city.name, district.name)
        for district in District.objects.select_related("city")
    }
    for code, name, district_id, address, kind, level, status, recent, total, rate, last in (
        queryset.values_list(*COLUMNS).iterator(chunk_size=CHUNK)
    ):
        city_name, district_name = places.get(district_id, ("", ""))
        yield [
            code,
            name,
            city_name,
            district_name,
            address,
            kinds.get(kind, kind),
            levels.get(level, level),
            statuses.get(status, status),
            recent,
            total,
            None if rate is None else round(rate * 100, 1),
            last,
            # The standing rule reads the annotated time; no station object needed.
            days_since_last_rating(SimpleNamespace(last_rated_at_value=last), today),
        ]


def station_export_response(queryset, format):
    today = timezone.localdate()
    return tabular_response(
        headers=station_export_headers(),
        rows=station_export_rows(queryset, today),
        filename=f"stations-{today:%Y%m%d}",
        format=format,
        sheet_title=_("Stations"),
    )
