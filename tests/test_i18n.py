"""Chinese is the default language, and the shipped catalogue is complete and compiled."""

import gettext as gnu_gettext
import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

CATALOGUE = Path(__file__).resolve().parent.parent / "locale" / "zh_Hans" / "LC_MESSAGES"


def po_entries():
    """(msgctxt, msgid, msgstr, fuzzy) for each entry of django.po (a small reader for what makemessages writes)."""
    text = (CATALOGUE / "django.po").read_text(encoding="utf-8")
    for block in re.split(r"\n\s*\n", text):
        lines = block.strip().splitlines()
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        fields, current = {}, None
        for line in lines:
            if line.startswith("#"):
                continue
            match = re.match(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?) "(.*)"$', line)
            if match:
                current = match.group(1)
                fields[current] = match.group(2)
            elif line.startswith('"') and current:
                fields[current] += line[1:-1]
        if "msgid" not in fields or fields["msgid"] == "":
            continue
        unescape = lambda value: value.encode("latin-1", "backslashreplace").decode("unicode_escape")  # noqa: E731
        msgstr = fields.get("msgstr", fields.get("msgstr[0]", ""))
        yield fields.get("msgctxt"), unescape(fields["msgid"]), unescape(msgstr), fuzzy


def test_every_string_has_a_chinese_translation():
    entries = list(po_entries())
    assert len(entries) > 500
    untranslated = [msgid for _ctx, msgid, msgstr, fuzzy in entries if not msgstr or fuzzy]
    assert untranslated == []


def test_the_committed_mo_file_matches_the_po_file():
    """A fresh checkout shows Chinese without gettext tools: the compiled file is shipped and current."""
    with open(CATALOGUE / "django.mo", "rb") as handle:
        compiled = gnu_gettext.GNUTranslations(handle)
    for context, msgid, msgstr, _fuzzy in po_entries():
        found = compiled.pgettext(context, msgid) if context else compiled.gettext(msgid)
        assert found == msgstr, msgid


@pytest.mark.django_db
def test_a_browser_without_language_preference_gets_chinese():
    response = Client().get(reverse("stations:map"))
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    with translation.override("zh-hans"):
        chinese = translation.gettext("Find stations near me")
    assert chinese != "Find stations near me" and chinese in html


@pytest.mark.django_db
def test_english_is_available_on_request():
    html = Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("stations:map")).content.decode()
    assert '<html lang="en">' in html and "Find stations near me" in html


@pytest.mark.django_db
def test_the_admin_speaks_chinese_by_default():
    html = Client().get(reverse("admin:login")).content.decode()
    with translation.override("zh-hans"):
        assert translation.gettext("Log in") in html


@pytest.mark.django_db
def test_open_is_translated_by_what_is_open():
    """One English word, three Chinese ones: a station open now, a task still to do, an alert not yet handled."""
    from oversight.admin.filters import OpenAlertFilter
    from oversight.models import RectificationTask

    html = Client().get(reverse("stations:map")).content.decode()
    assert '<span class="pin open">1</span>开放中</span>' in html
    with translation.override("zh-hans"):
        assert str(RectificationTask.Status.OPEN.label) == "待处理"
        assert str(dict(OpenAlertFilter.lookups(None, None, None))["open"]) == "未处理"


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "one", "many"), [
    ("zh-hans", "%(count)s 个驿站", "%(count)s 个驿站"),
    ("en", "%(count)s station", "%(count)s stations"),
])
def test_the_map_gets_a_translated_format_for_a_cluster_count(language, one, many):
    """The script fills in the number; it does not glue a number to a word."""
    response = Client(HTTP_ACCEPT_LANGUAGE=language).get(reverse("stations:map"))
    text = response.context["map_config"]["text"]
    assert text["stationCount"] == {"one": one, "other": many}
