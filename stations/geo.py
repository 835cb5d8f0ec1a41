"""Distances and coordinate systems on the sphere.

Stations are stored in WGS-84 (what GPS and the browser's geolocation give).
Chinese map providers draw their tiles in shifted systems: GCJ-02 (Amap,
Tencent) and BD-09 (Baidu, GCJ-02 shifted once more). The transforms here are
the widely published ones (see tests/test_geo.py for the reference values);
outside mainland China GCJ-02 is defined as no shift, so points there pass
through unchanged.
"""

import math

# Mean Earth radius (IUGG), the usual choice for great-circle distances.
EARTH_RADIUS_M = 6_371_008.8

# GCJ-02 is built on the Krasovsky 1940 ellipsoid.
_KRASOVSKY_A = 6_378_245.0
_KRASOVSKY_EE = 0.00669342162296594323
_BD_X_PI = math.pi * 3000.0 / 180.0

# The rectangle the published algorithm calls "China"; outside it no shift.
CHINA_MIN_LNG, CHINA_MAX_LNG = 72.004, 137.8347
CHINA_MIN_LAT, CHINA_MAX_LAT = 0.8293, 55.8271


def haversine_m(lat1, lng1, lat2, lng2, *, radius=EARTH_RADIUS_M):
    """Great-circle distance in metres between two WGS-84 points (degrees)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(lng2 - lng1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    # Rounding can push `a` a hair above 1 for antipodal points.
    return 2 * radius * math.asin(math.sqrt(min(1.0, a)))


def bounding_box(lat, lng, radius_m):
    """The latitude range and longitude range(s) that contain every point
    within `radius_m` of (lat, lng): the cheap, index-backed prefilter.

    Returns (min_lat, max_lat, lng_ranges) where lng_ranges is a list of
    (min_lng, max_lng) pairs:

    - normally one pair;
    - two pairs when the circle crosses the antimeridian (±180°);
    - the whole circle of longitudes when the circle reaches a pole, or
      when the radius is so large that the longitude half-width passes 180°.

    The box may be larger than the circle (that is what the exact haversine
    pass afterwards is for); it is never smaller.
    """
    angular = radius_m / EARTH_RADIUS_M
    d_lat = math.degrees(angular)
    min_lat, max_lat = lat - d_lat, lat + d_lat
    if min_lat <= -90 or max_lat >= 90:
        return max(min_lat, -90.0), min(max_lat, 90.0), [(-180.0, 180.0)]
    # Widest longitude spread of the circle (at the latitude of tangency),
    # exact for a sphere: asin(sin(r) / cos(lat)).
    ratio = math.sin(angular) / math.cos(math.radians(lat))
    if ratio >= 1:
        return min_lat, max_lat, [(-180.0, 180.0)]
    d_lng = math.degrees(math.asin(ratio))
    west, east = lng - d_lng, lng + d_lng
    if west < -180:
        return min_lat, max_lat, [(west + 360, 180.0), (-180.0, east)]
    if east > 180:
        return min_lat, max_lat, [(west, 180.0), (-180.0, east - 360)]
    return min_lat, max_lat, [(west, east)]


def out_of_china(lat, lng):
    return not (CHINA_MIN_LNG <= lng <= CHINA_MAX_LNG and CHINA_MIN_LAT <= lat <= CHINA_MAX_LAT)


def _shift_lat(x, y):
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _shift_lng(x, y):
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def wgs84_to_gcj02(lat, lng):
    """WGS-84 → GCJ-02 ("Mars coordinates"), as (lat, lng)."""
    if out_of_china(lat, lng):
        return lat, lng
    d_lat = _shift_lat(lng - 105.0, lat - 35.0)
    d_lng = _shift_lng(lng - 105.0, lat - 35.0)
    rad_lat = math.radians(lat)
    magic = 1 - _KRASOVSKY_EE * math.sin(rad_lat) ** 2
    sqrt_magic = math.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_KRASOVSKY_A * (1 - _KRASOVSKY_EE)) / (magic * sqrt_magic) * math.pi)
    d_lng = (d_lng * 180.0) / (_KRASOVSKY_A / sqrt_magic * math.cos(rad_lat) * math.pi)
    return lat + d_lat, lng + d_lng


def gcj02_to_bd09(lat, lng):
    """GCJ-02 → BD-09 (Baidu), as (lat, lng)."""
    z = math.sqrt(lng * lng + lat * lat) + 0.00002 * math.sin(lat * _BD_X_PI)
    theta = math.atan2(lat, lng) + 0.000003 * math.cos(lng * _BD_X_PI)
    return z * math.sin(theta) + 0.006, z * math.cos(theta) + 0.0065


def wgs84_to_bd09(lat, lng):
    """WGS-84 → BD-09. Outside China GCJ-02 is the identity, but Baidu's own
    shift still applies: Baidu Maps uses BD-09 everywhere."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lat, lng))
