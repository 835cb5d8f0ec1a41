"""Point-in-polygon and the GCJ-02 → WGS-84 inverse, in plain Python.

The generator uses them to place stations, the tests to check the places.
"""

from stations.geo import wgs84_to_gcj02


def point_in_ring(lng, lat, ring):
    """Ray casting: is (lng, lat) inside the closed ring [(lng, lat), ...]?

    A horizontal ray to the east crosses the boundary an odd number of times
    from inside. Points exactly on an edge may go either way; the district
    cores keep their points far from edges, so that never matters here.
    """
    inside = False
    count = len(ring)
    for index in range(count):
        x1, y1 = ring[index]
        x2, y2 = ring[(index + 1) % count]
        if (y1 > lat) != (y2 > lat):
            crossing = x1 + (lat - y1) * (x2 - x1) / (y2 - y1)
            if lng < crossing:
                inside = not inside
    return inside


def point_in_polygon(lng, lat, polygon):
    """GeoJSON-style polygon: [outer ring, hole, hole, ...]."""
    outer, *holes = polygon
    return point_in_ring(lng, lat, outer) and not any(point_in_ring(lng, lat, hole) for hole in holes)


def point_in_geometry(lng, lat, geometry):
    """A GeoJSON Polygon or MultiPolygon geometry object."""
    if geometry["type"] == "Polygon":
        return point_in_polygon(lng, lat, geometry["coordinates"])
    if geometry["type"] == "MultiPolygon":
        return any(point_in_polygon(lng, lat, polygon) for polygon in geometry["coordinates"])
    raise ValueError(f"Not an areal geometry: {geometry['type']}")


def gcj02_to_wgs84(lat, lng, *, tolerance=1e-9):
    """Invert stations.geo.wgs84_to_gcj02 by fixed-point iteration (to far below 1 mm).

    The published closed-form "inverse" is only good to a few metres; the
    iteration converges in a handful of steps because the shift varies slowly.
    """
    wgs_lat, wgs_lng = lat, lng
    for _ in range(30):
        shifted_lat, shifted_lng = wgs84_to_gcj02(wgs_lat, wgs_lng)
        error_lat, error_lng = shifted_lat - lat, shifted_lng - lng
        wgs_lat, wgs_lng = wgs_lat - error_lat, wgs_lng - error_lng
        if abs(error_lat) < tolerance and abs(error_lng) < tolerance:
            break
    return wgs_lat, wgs_lng
