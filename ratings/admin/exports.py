"""The ratings list as CSV or Excel, with exactly the filters and search in force."""

from django.utils import timezone
from django.utils.translation import gettext as _

from stations.tabular import tabular_response

from ..aspects import ASPECTS

CHUNK = 2000


def rating_export_headers(with_comments):
    headers = [
        _("Rated at"), _("Station code"), _("Station"), _("District"), _("Satisfaction (1-5)"), _("Answer"),
        *[label for _field, label, _icon in ASPECTS],
    ]
    if with_comments:
        headers.append(_("Comment"))
    return headers + [_("Worker group"), _("Hidden"), _("Reason for hiding")]


def rating_export_rows(queryset, with_comments):
    ratings = queryset.select_related("station__district", "worker_group")
    for rating in ratings.iterator(chunk_size=CHUNK):
        row = [
            rating.created_at, rating.station.code, rating.station.name, rating.station.district.name,
            rating.score, rating.get_score_display(),
            *[getattr(rating, field) for field, _label, _icon in ASPECTS],
        ]
        if with_comments:
            row.append(rating.comment)
        yield row + [
            rating.worker_group.name if rating.worker_group else "",
            rating.hidden, rating.get_hidden_reason_display(),
        ]


def rating_export_response(queryset, format, *, with_comments=True):
    return tabular_response(
        headers=rating_export_headers(with_comments),
        rows=rating_export_rows(queryset, with_comments),
        filename=f"ratings-{timezone.localdate():%Y%m%d}",
        format=format,
        sheet_title=_("Ratings"),
    )
