"""The station list with its score columns as CSV or Excel (admin action and link)."""

from django.utils import timezone
from django.utils.translation import gettext as _

from ..standing import days_since_last_rating
from ..tabular import tabular_response

CHUNK = 2000


def station_export_headers():
    return [
        _("Code"), _("Name"), _("City"), _("District"), _("Street address"),
        _("Kind"), _("Certification level"), _("Status"),
        _("Ratings in the last 30 days"), _("Total ratings"), _("Satisfaction rate (%)"),
        _("Last rated"), _("Days since last rating"),
    ]


def station_export_rows(queryset, today):
    """Rows of a queryset annotated by stations.scores.with_scores(), read in chunks."""
    stations = queryset.select_related("district__city").only(
        "code", "name", "address", "kind", "level", "status",
        "district__name_zh", "district__name_en", "district__city__name_zh", "district__city__name_en",
    )
    for station in stations.iterator(chunk_size=CHUNK):
        rate = station.satisfaction
        yield [
            station.code,
            station.name,
            station.district.city.name,
            station.district.name,
            station.address,
            station.get_kind_display(),
            station.get_level_display(),
            station.get_status_display(),
            station.ratings_30d,
            station.ratings_total,
            None if rate is None else round(rate * 100, 1),
            station.last_rated_at_value,
            days_since_last_rating(station, today),
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
