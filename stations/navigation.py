"""Hand-off links to map apps, each in the coordinate system it expects.

Amap and Tencent draw in GCJ-02 and Baidu in BD-09; giving them WGS-84 would
put the pin a few hundred metres off in China. Apple and Google Maps take
WGS-84 in their URL schemes. URL formats: Amap URI API (uri.amap.com/marker),
Baidu URI API (api.map.baidu.com/marker, coord_type=bd09ll), Tencent URI API
(apis.map.qq.com/uri/v1/marker), Apple Map Links (maps.apple.com/?ll=&q=),
Google Maps URLs (google.com/maps/search/?api=1&query=).
"""

from urllib.parse import urlencode

from django.utils.translation import gettext_lazy as _

from . import geo

APP_NAME = "yizhan"


def _fmt(value):
    return f"{value:.6f}"


def navigation_links(station):
    lat, lng = float(station.latitude), float(station.longitude)
    gcj_lat, gcj_lng = geo.wgs84_to_gcj02(lat, lng)
    bd_lat, bd_lng = geo.gcj02_to_bd09(gcj_lat, gcj_lng)
    name = station.name
    return [
        {
            "key": "amap",
            "label": _("Amap"),
            "url": "https://uri.amap.com/marker?" + urlencode({
                "position": f"{_fmt(gcj_lng)},{_fmt(gcj_lat)}",
                "name": name,
                "src": APP_NAME,
                "coordinate": "gaode",
                "callnative": "1",
            }),
            "lat": gcj_lat,
            "lng": gcj_lng,
        },
        {
            "key": "baidu",
            "label": _("Baidu Maps"),
            "url": "https://api.map.baidu.com/marker?" + urlencode({
                "location": f"{_fmt(bd_lat)},{_fmt(bd_lng)}",
                "title": name,
                "content": station.address,
                "coord_type": "bd09ll",
                "output": "html",
                "src": APP_NAME,
            }),
            "lat": bd_lat,
            "lng": bd_lng,
        },
        {
            "key": "tencent",
            "label": _("Tencent Maps"),
            "url": "https://apis.map.qq.com/uri/v1/marker?" + urlencode({
                "marker": f"coord:{_fmt(gcj_lat)},{_fmt(gcj_lng)};title:{name};addr:{station.address}",
                "referer": APP_NAME,
            }),
            "lat": gcj_lat,
            "lng": gcj_lng,
        },
        {
            "key": "apple",
            "label": _("Apple Maps"),
            "url": "https://maps.apple.com/?" + urlencode({"ll": f"{_fmt(lat)},{_fmt(lng)}", "q": name}),
            "lat": lat,
            "lng": lng,
        },
        {
            "key": "google",
            "label": _("Google Maps"),
            "url": "https://www.google.com/maps/search/?" + urlencode({"api": "1", "query": f"{_fmt(lat)},{_fmt(lng)}"}),
            "lat": lat,
            "lng": lng,
        },
    ]
