"""The one station filter: the API, the GeoJSON feed and the map page share it.

Every parameter is validated by a form field, so a bad value becomes an error
keyed by the parameter's name (the API turns it into a 400), never a 500.
"""

import functools
import math
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from .models import Amenity, City, District, Level, Status
from .models.station import Kind

PUBLIC_STATUSES = [(Status.ACTIVE.value, Status.ACTIVE.label), (Status.SUSPENDED.value, Status.SUSPENDED.label)]
MAX_AMENITIES = 20
MAX_KEYWORD_LENGTH = 100
_MICRODEGREE = Decimal("0.000001")


def degree_range(low, high):
    """A Decimal range for the 6-decimal coordinate columns that never cuts
    off a point inside [low, high] (rounded outwards)."""
    return (
        Decimal(repr(low)).quantize(_MICRODEGREE, rounding=ROUND_FLOOR),
        Decimal(repr(high)).quantize(_MICRODEGREE, rounding=ROUND_CEILING),
    )


def within_box(min_lat, max_lat, lng_ranges):
    """Q for an index-friendly range scan on (latitude, longitude)."""
    longitudes = Q()
    for west, east in lng_ranges:
        longitudes |= Q(longitude__range=degree_range(west, east))
    return Q(latitude__range=degree_range(min_lat, max_lat)) & longitudes


class ListInput(forms.TextInput):
    """Accepts both `amenities=a,b` and repeated `amenities=a&amenities=b`
    (what a form of checkboxes sends), joined into one comma list."""

    def value_from_datadict(self, data, files, name):
        if hasattr(data, "getlist"):
            values = [value for value in data.getlist(name) if value]
            return ",".join(values) if values else None
        return data.get(name)


class AmenitySlugsField(forms.CharField):
    widget = ListInput

    def to_python(self, value):
        value = super().to_python(value)
        return list(dict.fromkeys(part.strip() for part in value.split(",") if part.strip()))

    def validate(self, slugs):
        super().validate(",".join(slugs))
        if len(slugs) > MAX_AMENITIES:
            raise forms.ValidationError(
                _("Ask for at most %(max)d amenities."), code="too_many", params={"max": MAX_AMENITIES}
            )

    def clean(self, value):
        # The database is asked only once the value passed every validator
        # (PostgreSQL rejects text with NUL characters outright).
        slugs = super().clean(value)
        known = set(Amenity.objects.filter(slug__in=slugs).values_list("slug", flat=True))
        unknown = [slug for slug in slugs if slug not in known]
        if unknown:
            raise forms.ValidationError(
                _("Unknown amenity: %(slugs)s."), code="unknown", params={"slugs": ", ".join(unknown)}
            )
        return slugs

    def run_validators(self, slugs):
        super().run_validators(",".join(slugs))


class TrueFalseField(forms.Field):
    """"true"/"false" (also 1/0, yes/no, on/off); anything else is an error,
    not silently ignored, so a typo does not return the unfiltered list."""

    TRUE = {"true", "1", "yes", "on"}
    FALSE = {"false", "0", "no", "off"}

    def to_python(self, value):
        if value in (None, ""):
            return None
        text = str(value).strip().lower()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise forms.ValidationError(_("Use true or false."), code="invalid")


class BBoxField(forms.CharField):
    """min_lng,min_lat,max_lng,max_lat in WGS-84 degrees (the GeoJSON order)."""

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        parts = value.split(",")
        try:
            numbers = [float(part) for part in parts]
        except ValueError:
            numbers = []
        if len(numbers) != 4 or not all(math.isfinite(n) for n in numbers):
            raise forms.ValidationError(
                _("Give four numbers: min_lng,min_lat,max_lng,max_lat."), code="invalid"
            )
        min_lng, min_lat, max_lng, max_lat = numbers
        if not (-180 <= min_lng <= 180 and -180 <= max_lng <= 180):
            raise forms.ValidationError(_("Longitudes must lie between -180 and 180."), code="range")
        if not (-90 <= min_lat <= 90 and -90 <= max_lat <= 90):
            raise forms.ValidationError(_("Latitudes must lie between -90 and 90."), code="range")
        if min_lng > max_lng or min_lat > max_lat:
            raise forms.ValidationError(
                _("The minimum must not exceed the maximum (boxes across the antimeridian are not supported)."),
                code="order",
            )
        return min_lng, min_lat, max_lng, max_lat


class CodeField(forms.SlugField):
    """A city or district code that must exist (checked after the slug rule)."""

    def __init__(self, *, queryset, message, **kwargs):
        super().__init__(**kwargs)
        self.queryset, self.message = queryset, message

    def clean(self, value):
        value = super().clean(value)
        if value and not self.queryset.filter(code=value).exists():
            raise forms.ValidationError(self.message, code="unknown", params={"code": value})
        return value


class _FieldFilter(django_filters.Filter):
    """A method filter whose form field is chosen by the subclass."""


@extend_schema_field(OpenApiTypes.STR)
class AmenitiesFilter(_FieldFilter):
    field_class = AmenitySlugsField


@extend_schema_field(OpenApiTypes.BOOL)
class TrueFalseFilter(_FieldFilter):
    field_class = TrueFalseField


@extend_schema_field(OpenApiTypes.STR)
class BBoxFilter(_FieldFilter):
    field_class = BBoxField


@extend_schema_field(OpenApiTypes.STR)
class CodeFilter(_FieldFilter):
    field_class = CodeField


class StationFilter(django_filters.FilterSet):
    city = CodeFilter(
        field_name="district__city__code",
        queryset=City.objects.all(),
        message=_("Unknown city “%(code)s”."),
        label=_("city"),
        help_text=_("City code, e.g. qingdao."),
    )
    district = CodeFilter(
        field_name="district__code",
        queryset=District.objects.all(),
        message=_("Unknown district “%(code)s”."),
        label=_("district"),
        help_text=_("District code, e.g. shibei."),
    )
    kind = django_filters.ChoiceFilter(choices=Kind.choices, label=_("kind"))
    level = django_filters.ChoiceFilter(choices=Level.choices, label=_("level"), help_text=_("1 city, 2 provincial, 3 national standard."))
    status = django_filters.ChoiceFilter(choices=PUBLIC_STATUSES, label=_("status"))
    amenities = AmenitiesFilter(
        method="filter_amenities",
        label=_("amenities"),
        help_text=_("Comma-separated amenity codes; a station must have all of them."),
    )
    open_now = TrueFalseFilter(method="filter_open_now", label=_("open now"), help_text=_("true: only stations open at this moment."))
    always_open = TrueFalseFilter(
        method="filter_always_open", label=_("open 24 hours"), help_text=_("true: only stations open 24/7.")
    )
    bbox = BBoxFilter(
        method="filter_bbox", label=_("bounding box"), help_text=_("min_lng,min_lat,max_lng,max_lat (WGS-84).")
    )
    q = django_filters.CharFilter(
        method="filter_keyword",
        max_length=MAX_KEYWORD_LENGTH,
        label=_("keyword"),
        help_text=_("Words in the station's name, address or district."),
    )

    def filter_amenities(self, queryset, name, slugs):
        return queryset.with_all_amenities(slugs) if slugs else queryset

    def filter_open_now(self, queryset, name, value):
        if value is None:
            return queryset
        open_now = queryset.open_at()
        return open_now if value else queryset.exclude(pk__in=open_now.values("pk"))

    def filter_always_open(self, queryset, name, value):
        if value is None:
            return queryset
        always = queryset.always_open()
        return always if value else queryset.exclude(pk__in=always.values("pk"))

    def filter_bbox(self, queryset, name, box):
        if not box:
            return queryset
        min_lng, min_lat, max_lng, max_lat = box
        return queryset.filter(within_box(min_lat, max_lat, [(min_lng, max_lng)]))

    def filter_keyword(self, queryset, name, value):
        for word in value.split():
            queryset = queryset.filter(
                Q(name__icontains=word)
                | Q(address__icontains=word)
                | Q(district__name_zh__icontains=word)
                | Q(district__name_en__icontains=word)
                | Q(district__city__name_zh__icontains=word)
                | Q(district__city__name_en__icontains=word)
            )
        return queryset


def narrowed(filterset_class, names):
    """The filterset class with only the filters among `names` (the request's
    parameters), or None when none is named.

    Every filter is optional and has no default, so the filters a request
    does not name change nothing; leaving them out skips building them (deep
    copies of each filter and its form field), which cost about a millisecond
    of every map and nearby request.
    """
    kept = frozenset(names).intersection(filterset_class.base_filters)
    return _narrowed(filterset_class, kept) if kept else None


@functools.lru_cache(maxsize=None)  # at most 2**len(base_filters) keys per class
def _narrowed(filterset_class, kept):
    subclass = type(filterset_class.__name__, (filterset_class,), {"__module__": filterset_class.__module__})
    subclass.base_filters = {name: f for name, f in filterset_class.base_filters.items() if name in kept}
    return subclass
