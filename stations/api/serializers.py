"""What the public API says about a station."""

import math

from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .. import hours, selectors
from ..models import Station
from .representation import catalogue_entries


class CatalogueSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    icon = serializers.CharField()


class PlaceSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class HoursSerializer(serializers.Serializer):
    text = serializers.CharField(help_text=_("OpenStreetMap-style text, e.g. “Mo-Fr 08:00-20:00”."))
    always_open = serializers.BooleanField()
    schedule = serializers.JSONField(
        help_text=_("Per day (mon…sun) a list of [start, end] spans; {\"always\": true} for 24/7.")
    )


class RatingSummarySerializer(serializers.Serializer):
    total = serializers.IntegerField()
    satisfaction_rate = serializers.FloatField(
        allow_null=True, help_text=_("Share of ratings that are satisfied or better, 0-1; null without ratings.")
    )
    last_rated_at = serializers.DateTimeField(allow_null=True)


# The documented shape of a station (OpenAPI). The views build the same bytes
# with representation.station_data, a fraction of the time;
# tests/test_api_representation.py keeps the two equal.
class StationSerializer(serializers.ModelSerializer):
    city = serializers.SerializerMethodField()
    district = serializers.SerializerMethodField()
    latitude = serializers.FloatField(help_text=_("WGS-84"))
    longitude = serializers.FloatField(help_text=_("WGS-84"))
    kind_label = serializers.CharField(source="get_kind_display")
    level_label = serializers.CharField(source="get_level_display")
    hours = serializers.SerializerMethodField()
    open_now = serializers.SerializerMethodField()
    amenities = serializers.SerializerMethodField()
    groups = serializers.SerializerMethodField()
    rating = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Station
        fields = [
            "code", "name", "kind", "kind_label", "level", "level_label", "status",
            "city", "district", "address", "latitude", "longitude",
            "hours", "open_now", "amenities", "groups", "contact_phone", "manager_name", "manager_phone",
            "rating", "url",
        ]

    @extend_schema_field(PlaceSerializer)
    def get_city(self, station):
        return {"code": station.district.city.code, "name": station.district.city.name}

    @extend_schema_field(PlaceSerializer)
    def get_district(self, station):
        return {"code": station.district.code, "name": station.district.name}

    @extend_schema_field(HoursSerializer)
    def get_hours(self, station):
        return {
            "text": hours.to_text(station.opening_hours),
            "always_open": station.is_always_open,
            "schedule": station.opening_hours,
        }

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_open_now(self, station):
        return station.is_open()

    @extend_schema_field(CatalogueSerializer(many=True))
    def get_amenities(self, station):
        return catalogue_entries(station.amenities.all())

    @extend_schema_field(CatalogueSerializer(many=True))
    def get_groups(self, station):
        return catalogue_entries(station.groups_served.all())

    @extend_schema_field(RatingSummarySerializer)
    def get_rating(self, station):
        return RatingSummarySerializer(selectors.rating_summary(station)).data

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, station):
        path = reverse("stations:detail", args=[station.code])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class NearbyStationSerializer(StationSerializer):
    distance_m = serializers.SerializerMethodField(help_text=_("Straight-line (great-circle) distance in metres."))

    class Meta(StationSerializer.Meta):
        fields = ["distance_m", *StationSerializer.Meta.fields]

    @extend_schema_field(OpenApiTypes.FLOAT)
    def get_distance_m(self, station):
        return round(station.distance_m, 1)


class FiniteFloatField(serializers.FloatField):
    default_error_messages = {"invalid": _("A valid number is required.")}

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if not math.isfinite(value):
            self.fail("invalid")
        return value


class NearbyQuerySerializer(serializers.Serializer):
    lat = FiniteFloatField(min_value=-90, max_value=90, help_text=_("Latitude, WGS-84 degrees."))
    lng = FiniteFloatField(min_value=-180, max_value=180, help_text=_("Longitude, WGS-84 degrees."))
    radius = FiniteFloatField(
        required=False,
        default=selectors.DEFAULT_RADIUS_M,
        max_value=selectors.MAX_RADIUS_M,
        help_text=format_lazy(
            _("Search radius in metres, more than 0 and at most {max} (default {default})."),
            max=selectors.MAX_RADIUS_M, default=selectors.DEFAULT_RADIUS_M,
        ),
    )
    limit = serializers.IntegerField(
        required=False,
        default=selectors.DEFAULT_LIMIT,
        min_value=1,
        max_value=selectors.MAX_LIMIT,
        help_text=format_lazy(
            _("Most stations to return, 1-{max} (default {default})."),
            max=selectors.MAX_LIMIT, default=selectors.DEFAULT_LIMIT,
        ),
    )

    def validate_radius(self, value):
        if value <= 0:
            raise serializers.ValidationError(_("The radius must be more than 0 metres."))
        return value


class MapQuerySerializer(serializers.Serializer):
    zoom = serializers.IntegerField(
        required=False,
        min_value=selectors.MIN_ZOOM,
        max_value=selectors.MAX_ZOOM,
        help_text=format_lazy(
            _(
                "Map zoom level. At zoom {cluster} or below (or when the view holds more than {max} stations) "
                "the feed returns grid clusters: one Point feature per grid cell of about {px} screen pixels, "
                "placed at the mean position of its stations, with properties cluster=true and count "
                "(cells grow when the box would hold more than {cells} of them). "
                "Without zoom every matching station is returned."
            ),
            cluster=selectors.CLUSTER_MAX_ZOOM, max=selectors.MAX_POINT_FEATURES, px=selectors.CLUSTER_CELL_PX,
            cells=selectors.MAX_GRID_CELLS,
        ),
    )
