"""Many phones submit at the same moment: every accepted rating is stored and counted once.

Real HTTP against a live server with threads (SQLite uses a file test
database, see tests/settings.py, so each request has its own connection).
"""

import http.cookiejar
import re
import threading
import urllib.error
import urllib.request

import pytest

from ratings.models import Rating, RatingStats, StationDay

PHONES = 24


@pytest.fixture(autouse=True)
def plain_http(settings):
    # The live server speaks plain HTTP; production's Secure cookies would never come back.
    settings.CSRF_COOKIE_SECURE = False
    settings.RATING_IP_LIMIT_PER_HOUR = 10_000  # every test phone comes from 127.0.0.1


class Phone:
    def __init__(self, base_url, ip_hint):
        self.base_url = base_url
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.opener.addheaders = [("User-Agent", f"Phone {ip_hint}"), ("Accept-Language", "en")]

    def open_form(self, path):
        with self.opener.open(self.base_url + path, timeout=60) as response:
            page = response.read().decode()
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    def submit(self, path, token, score):
        data = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "score": score}).encode()
        request = urllib.request.Request(
            self.base_url + path, data=data, headers={"Referer": self.base_url + path}
        )
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.geturl(), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.geturl(), error.read().decode()


def fire(phones, path, scores):
    tokens = [phone.open_form(path) for phone in phones]
    barrier = threading.Barrier(len(phones))
    results = [None] * len(phones)

    def run(index):
        barrier.wait()
        results[index] = phones[index].submit(path, tokens[index], scores[index])

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(phones))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


@pytest.mark.django_db(transaction=True)
def test_simultaneous_ratings_from_many_phones_are_each_counted_once(live_server, make_station):
    station = make_station()
    path = f"/r/{station.rating_token}/"
    phones = [Phone(live_server.url, i) for i in range(PHONES)]
    scores = [str(1 + i % 5) for i in range(PHONES)]
    results = fire(phones, path, scores)

    assert all(status == 200 and url.endswith("/thanks/") for status, url, _page in results), results
    assert Rating.objects.filter(station=station).count() == PHONES
    stats = RatingStats.objects.get(station=station)
    assert stats.total == PHONES
    assert [getattr(stats, f"count_{s}") for s in range(1, 6)] == [scores.count(str(s)) for s in range(1, 6)]
    day = StationDay.objects.get(station=station)
    assert (day.scans, day.ratings) == (PHONES, PHONES)
    assert day.satisfied == sum(s in "45" for s in scores)


@pytest.mark.django_db(transaction=True)
def test_one_phone_submitting_many_times_at_once_is_counted_once(live_server, make_station):
    station = make_station()
    path = f"/r/{station.rating_token}/"
    phone = Phone(live_server.url, "same")
    results = fire([phone] * 8, path, ["5"] * 8)
    assert sum(url.endswith("/thanks/") for _s, url, _p in results) == 1
    assert all(status == 200 for status, _u, _p in results)
    assert Rating.objects.count() == 1
    assert RatingStats.objects.get(station=station).total == 1
