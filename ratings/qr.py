"""QR codes for the rating links, with segno.

Error correction level H restores up to ~30 % of damaged modules: posters
hang outdoors, fade in the sun and get dirty or partly torn.
"""

import io

import segno
from django.conf import settings
from django.urls import reverse


def rating_url(station):
    """The absolute rating URL printed on the station's poster."""
    return settings.PUBLIC_BASE_URL.rstrip("/") + reverse("ratings:rate", args=[station.rating_token])


def make_qr(station):
    return segno.make(rating_url(station), error="h", micro=False, boost_error=False)


def qr_svg(station, *, scale=10):
    buffer = io.BytesIO()
    make_qr(station).save(buffer, kind="svg", scale=scale, border=4, title=station.code)
    return buffer.getvalue()


def qr_png(station, *, scale=10):
    buffer = io.BytesIO()
    make_qr(station).save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()


def qr_svg_inline(station):
    """An inline <svg> that scales to its box (for the printable poster)."""
    return make_qr(station).svg_inline(omitsize=True, border=4)
