from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from oversight.scoping import ScopedAdminMixin, can_read_rating_comments
from stations.tabular import FORMATS, UnknownFormat

from ..aspects import ASPECTS, SCALE
from ..models import Rating
from .exports import rating_export_response
from .filters import AspectFilter, DateFromFilter, DateToFilter, DistrictFilter, StationCodeFilter
from .hiding import hide_ratings, unhide_ratings
from .paginator import EstimatedCountPaginator

_FACES = {score: icon for score, icon, _label in SCALE}


@admin.register(Rating)
class RatingAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Ratings are the public's words: staff read, filter, export and hide them, never edit them."""

    scope_station_path = "station"
    list_display = ("created_at", "station_code", "score_display", "aspects", "comment_text", "worker_group", "hidden")
    list_filter = (
        StationCodeFilter, DistrictFilter, DateFromFilter, DateToFilter, "score", AspectFilter, "hidden",
        "hidden_reason",
    )
    search_fields = ("comment",)
    search_help_text = _("Search in comments.")
    list_select_related = ("station", "worker_group")
    list_per_page = 100
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    paginator = EstimatedCountPaginator
    sortable_by = ("created_at", "score")
    actions = (hide_ratings, unhide_ratings)
    readonly_fields = (
        "station", "created_at", "score", *[field for field, _l, _i in ASPECTS], "comment", "worker_group",
        "hidden", "hidden_reason", "hidden_note", "hidden_by", "hidden_at",
    )
    fieldsets = (
        (None, {"fields": ("station", "created_at", "score", "comment", "worker_group")}),
        (_("Aspect tags"), {"fields": [field for field, _l, _i in ASPECTS]}),
        (_("Hidden"), {"fields": ("hidden", "hidden_reason", "hidden_note", "hidden_by", "hidden_at")}),
    )
    change_list_template = "admin/ratings/rating/change_list.html"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        # Hide instead: the record of what the public said is kept.
        return False

    def get_list_display(self, request):
        shown = super().get_list_display(request)
        if not can_read_rating_comments(request.user):
            shown = tuple(name for name in shown if name != "comment_text")
        return shown

    def get_search_fields(self, request):
        return self.search_fields if can_read_rating_comments(request.user) else ()

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if can_read_rating_comments(request.user):
            return fieldsets
        return [(name, {**opts, "fields": [f for f in opts["fields"] if f != "comment"]}) for name, opts in fieldsets]

    @admin.display(description=_("station"), ordering="station__code")
    def station_code(self, rating):
        return rating.station.code

    @admin.display(description=_("satisfaction"), ordering="score")
    def score_display(self, rating):
        return f"{_FACES[rating.score]} {rating.get_score_display()}"

    @admin.display(description=_("aspect tags"))
    def aspects(self, rating):
        return format_html_join(
            " ", '<span title="{}">{}</span>',
            ((label, icon) for field, label, icon in ASPECTS if getattr(rating, field)),
        )

    @admin.display(description=_("comment"))
    def comment_text(self, rating):
        # format_html escapes: comments come from the public.
        return format_html("{}", rating.comment)

    # --- export ---------------------------------------------------------------
    def get_urls(self):
        return [
            path("export/<str:format>/", self.admin_site.admin_view(self.export_view), name="ratings_rating_export"),
            *super().get_urls(),
        ]

    def export_view(self, request, format):
        if not self.has_view_permission(request):
            raise PermissionDenied
        if format not in FORMATS:
            raise Http404(f"Unknown export format {format!r}.")
        changelist = self.get_changelist_instance(request)
        queryset = changelist.get_queryset(request)
        try:
            return rating_export_response(
                queryset, format, with_comments=can_read_rating_comments(request.user)
            )
        except UnknownFormat:
            raise Http404 from None

    def changelist_view(self, request, extra_context=None):
        query = request.GET.urlencode()
        links = [
            (reverse("admin:ratings_rating_export", args=[fmt]) + (f"?{query}" if query else ""), label)
            for fmt, (_mime, label) in FORMATS.items()
        ]
        return super().changelist_view(request, {**(extra_context or {}), "export_links": links})
