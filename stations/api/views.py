"""The public stations API: thin views over stations.selectors and the
shared StationFilter (applied by DjangoFilterBackend)."""

import hashlib
import itertools
import json

from django.conf import settings
from django.core.cache import cache
from django.http import StreamingHttpResponse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView, ListAPIView, RetrieveAPIView
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from .. import selectors
from ..filters import BBoxField, StationFilter, narrowed
from ..models import Station
from .pagination import StationPagination
from .representation import card_rows, feature_rows, nearby_list_data, station_features, station_list_data
from .serializers import MapQuerySerializer, NearbyQuerySerializer, NearbyStationSerializer, StationSerializer

GEOJSON = "application/geo+json"
# Stations per database round trip when the whole feed is streamed.
EXPORT_CHUNK = 2000


class StationFilterBackend(DjangoFilterBackend):
    """DjangoFilterBackend that builds only the filters the request names
    (stations.filters.narrowed), and no filterset at all when it names none."""

    def get_filterset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        filterset_class = filterset_class and narrowed(filterset_class, request.query_params.keys())
        if filterset_class is None:
            return None
        return filterset_class(**self.get_filterset_kwargs(request, queryset, view))


class PublicAPIView(GenericAPIView):
    """Open data: no authentication (so no CSRF or session involved), anonymous
    clients throttled by the project's default AnonRateThrottle."""

    authentication_classes = []
    permission_classes = [AllowAny]


class GeoJSONRenderer(JSONRenderer):
    media_type = GEOJSON
    format = "geojson"


class StationListView(PublicAPIView, ListAPIView):
    """Public stations (active and suspended), paginated, filterable."""

    serializer_class = StationSerializer
    pagination_class = StationPagination
    filter_backends = [StationFilterBackend]
    filterset_class = StationFilter

    def get_queryset(self):
        return Station.objects.public()

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(card_rows(self.filter_queryset(self.get_queryset())))
        return self.get_paginated_response(station_list_data(page, request))


class StationDetailView(PublicAPIView, RetrieveAPIView):
    """One public station by code; delisted stations are 404."""

    serializer_class = StationSerializer
    lookup_field = "code"

    def get_queryset(self):
        return Station.objects.public()

    def retrieve(self, request, *args, **kwargs):
        rows = list(card_rows(self.get_queryset().filter(code=kwargs["code"])))
        if not rows:
            raise NotFound()
        return Response(station_list_data(rows, request)[0])


class FilteredStationsView(PublicAPIView):
    """Public stations narrowed by the shared StationFilter, not paginated."""

    filter_backends = [StationFilterBackend]
    filterset_class = StationFilter
    pagination_class = None

    def get_queryset(self):
        return selectors.public_stations()


class NearbyStationsView(FilteredStationsView):
    serializer_class = NearbyStationSerializer

    @extend_schema(
        parameters=[NearbyQuerySerializer],
        responses=NearbyStationSerializer(many=True),
        description=(
            "Stations within `radius` metres of (`lat`, `lng`), nearest first, each with `distance_m` "
            "(straight-line, great-circle). Combinable with every list filter. "
            f"Radius at most {selectors.MAX_RADIUS_M} m; limit at most {selectors.MAX_LIMIT}."
        ),
    )
    def get(self, request):
        query = NearbyQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        found = selectors.nearby(
            self.filter_queryset(self.get_queryset()),
            lat=query.validated_data["lat"],
            lng=query.validated_data["lng"],
            radius_m=query.validated_data["radius"],
            limit=query.validated_data["limit"],
        )
        return Response(nearby_list_data(found, request))


class StationGeoJSONView(FilteredStationsView):
    renderer_classes = [GeoJSONRenderer, JSONRenderer]

    @extend_schema(
        tags=["stations"],
        parameters=[MapQuerySerializer],
        responses={(200, GEOJSON): OpenApiResponse(OpenApiTypes.OBJECT, description="RFC 7946 FeatureCollection")},
        description=(
            "Stations as an RFC 7946 GeoJSON FeatureCollection; coordinates are [longitude, latitude] in WGS-84. "
            "Takes the same filters as the list. For maps pass `bbox` (the view) and `zoom`: zoomed out, the "
            "feed returns server-side grid clusters instead of single stations (see `zoom`); the collection's "
            "`clustered` member says which."
        ),
    )
    def get(self, request):
        query = MapQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        zoom = query.validated_data.get("zoom")
        queryset = self.filter_queryset(self.get_queryset())  # validates every filter
        if zoom is None:
            return self._export(queryset)
        bbox = BBoxField(required=False).clean(request.query_params.get("bbox")) or (-180.0, -90.0, 180.0, 90.0)
        # Zoomed in, single stations, unless the view holds too many: a
        # capped count (read from the index) decides before any row is built.
        if zoom > selectors.CLUSTER_MAX_ZOOM and queryset.order_by()[: selectors.MAX_POINT_FEATURES + 1].count() <= (
            selectors.MAX_POINT_FEATURES
        ):
            return self._collection(station_features(feature_rows(queryset)), clustered=False)
        cell = selectors.grid_for(zoom, bbox)
        snapped = selectors.snap_to_grid(bbox, cell)
        params = request.query_params.copy()
        params["bbox"] = ",".join(repr(value) for value in snapped)
        params.pop("zoom", None)
        key = "map-clusters:%d:%s" % (zoom, hashlib.sha256(params.urlencode().encode()).hexdigest())

        def count():
            # Same filters, on the snapped box: edge cells are counted whole.
            return selectors.grid_clusters(self.filter_stations(params), cell=cell)

        seconds = settings.MAP_CLUSTER_CACHE_SECONDS
        clusters = cache.get_or_set(key, count, seconds) if seconds > 0 else count()
        features = [cluster_feature(c) for c in clusters]
        return self._collection(features, clustered=True, cell=[cell[1], cell[0]])

    def filter_stations(self, params):
        filterset_class = narrowed(StationFilter, params.keys())
        return filterset_class(params, queryset=self.get_queryset()).qs if filterset_class else self.get_queryset()

    def _collection(self, features, *, clustered, cell=None):
        body = {"type": "FeatureCollection", "clustered": clustered, "features": features}
        if cell:
            body["cell_deg"] = [round(value, 6) for value in cell]
        return Response(body, content_type=GEOJSON)

    def _export(self, queryset):
        """Every matching station, streamed: for providers that ingest the data."""
        rows = feature_rows(queryset).iterator(chunk_size=EXPORT_CHUNK)

        def chunks():
            yield '{"type":"FeatureCollection","clustered":false,"features":['
            first = True
            while chunk := list(itertools.islice(rows, EXPORT_CHUNK)):
                for feature in station_features(chunk):
                    yield ("" if first else ",") + json.dumps(feature, ensure_ascii=False, separators=(",", ":"))
                    first = False
            yield "]}"

        return StreamingHttpResponse(chunks(), content_type=GEOJSON)


def cluster_feature(cluster):
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [cluster["lng"], cluster["lat"]]},
        "properties": {"cluster": True, "count": cluster["count"]},
    }
