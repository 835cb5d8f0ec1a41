"""Who is rating, as far as the cooldown needs to know, and nothing more.

A device is recognised by a long-lived random cookie set on the rating page.
When the browser refuses cookies, the fallback is the client IP plus its
User-Agent. Either way only a salted HMAC (keyed on SECRET_KEY) is stored:
no raw IP address, cookie value or device identifier ever reaches the
database, and the hashes cannot be linked back without the secret.
"""

import re
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.utils.crypto import salted_hmac

DEVICE_COOKIE = "yz_device"
DEVICE_COOKIE_MAX_AGE = 2 * 365 * 24 * 60 * 60
_COOKIE_VALUE = re.compile(r"^[A-Za-z0-9_-]{22,64}$")
_HASH_SALT = "yizhan.ratings.antiabuse"


def salted_hash(value):
    """64 hex characters; the same input gives the same hash for one SECRET_KEY."""
    return salted_hmac(_HASH_SALT, value, algorithm="sha256").hexdigest()


def client_ip(request):
    """The client's address; behind a proxy, from the header named in CLIENT_IP_HEADER.

    Only trust a header your own reverse proxy sets (e.g. HTTP_X_REAL_IP),
    otherwise anyone could pick their own rate-limit key.
    """
    header = getattr(settings, "CLIENT_IP_HEADER", "")
    if header:
        value = request.META.get(header, "")
        if value:
            # X-Forwarded-For: "client, proxy1, proxy2" - the first is the client.
            return value.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "")


@dataclass(frozen=True)
class Visitor:
    device_hash: str  # for the per-station cooldown
    network_key: str  # for the per-IP rate limit across stations
    new_cookie: str | None  # a device cookie to set on the response, if there was none


def identify(request):
    """The visitor's salted device hash and network key for this request."""
    ip = client_ip(request)
    cookie = request.COOKIES.get(DEVICE_COOKIE, "")
    if _COOKIE_VALUE.match(cookie):
        device_hash = salted_hash(f"device:{cookie}")
        new_cookie = None
    else:
        user_agent = request.META.get("HTTP_USER_AGENT", "")[:500]
        device_hash = salted_hash(f"network:{ip}|{user_agent}")
        new_cookie = secrets.token_urlsafe(24)
    return Visitor(device_hash=device_hash, network_key=salted_hash(f"ip:{ip}")[:40], new_cookie=new_cookie)


def remember_device(response, visitor):
    """Set the device cookie on the response when the visitor had none."""
    if visitor.new_cookie:
        response.set_cookie(
            DEVICE_COOKIE, visitor.new_cookie, max_age=DEVICE_COOKIE_MAX_AGE,
            httponly=True, samesite="Lax", secure=getattr(settings, "CSRF_COOKIE_SECURE", False),
        )
    return response


def cooldown_hours():
    return getattr(settings, "RATING_COOLDOWN_HOURS", 12)


def ip_limit():
    """(capacity, refill seconds): submissions one network may make across stations."""
    return getattr(settings, "RATING_IP_LIMIT_PER_HOUR", 60), 3600
