"""Emails about a station's standing, to its manager and its district's chief station manager.

Written in the portal's default language (the recipients' language is not
known), one message per event with both people as recipients. Plain strings
rather than templates: a first run over a national registry may write tens
of thousands of them.
"""

import functools
from types import SimpleNamespace

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import translation
from django.utils.translation import gettext as _

from . import standing
from .models import LevelChange, Level, Status


def recipients(station):
    """The station manager's and the district chief's addresses, blanks and repeats dropped."""
    addresses = [station.manager_email, station.district.chief_email]
    return list(dict.fromkeys(address.strip() for address in addresses if address and address.strip()))


@functools.lru_cache(maxsize=8)
def _wording(language):
    """The notices' sentences and labels in `language`, translated once: a
    first run over a national registry writes tens of thousands of messages,
    and looking each sentence up per message was a third of the run."""
    with translation.override(language):
        return SimpleNamespace(
            delisted=_("delisted"),
            downgraded_to=_("downgraded to %(level)s"),
            station_line=_("Station %(code)s %(name)s (%(address)s)"),
            warning_subject=_("Station %(code)s %(name)s will be %(step)s on %(due)s without a rating"),
            last_rating=_("Its last rating was on %(date)s."),
            no_rating=_("It has no ratings yet."),
            unless=_("It is now at %(level)s. Unless a worker rates it by %(due)s, the 3-month rule "
                     "will have it %(step)s on that day."),
            restart_hint=_("A single rating from a worker who scans the station's QR code restarts the 3 months. "
                           "Check that the QR poster is displayed and readable, and invite the workers who use "
                           "the station to rate it."),
            only_warning=_("This is the only warning for this period; you will be told if the station is "
                           "downgraded or delisted."),
            notice_subject=_("Station %(code)s %(name)s: %(what)s"),
            before=_("Before: %(level)s, %(status)s."),
            now=_("Now: %(level)s, %(status)s."),
            reason=_("Reason: %(reason)s."),
            delisted_note=_(
                "The station no longer appears on the public map, pages or API, and its QR code tells "
                "workers it is no longer listed. Its records are kept. The union can reinstate it by "
                "decision, with a written reason."
            ),
            restarted_note=_(
                "The 3-month clock starts again from this change: a rating from a worker within 3 months "
                "keeps the station at its new level."
            ),
            levels={level.value: str(level.label) for level in Level},
            statuses={status.value: str(status.label) for status in Status},
            reasons={reason.value: str(reason.label) for reason in LevelChange.Reason},
        )


def _words():
    return _wording(settings.LANGUAGE_CODE)


def _describe_step(to_level, to_status, words):
    if to_status == Status.DELISTED:
        return words.delisted
    return words.downgraded_to % {"level": words.levels[to_level]}


def _station_line(station, words):
    return words.station_line % {"code": station.code, "name": station.name, "address": station.address}


def rule_warning_message(station, verdict):
    """The one "at risk" warning for the clock period ending on verdict.due; None without addresses."""
    to = recipients(station)
    if not to:
        return None
    words = _words()
    step = _describe_step(verdict.to_level, verdict.to_status, words)
    due = verdict.due.isoformat()
    subject = words.warning_subject % {"code": station.code, "name": station.name, "step": step, "due": due}
    last = standing.last_rated_at(station)
    lines = [
        _station_line(station, words),
        "",
        words.last_rating % {"date": standing.local_date(last).isoformat()} if last else words.no_rating,
        words.unless % {"level": words.levels[station.level], "due": due, "step": step},
        "",
        words.restart_hint,
        "",
        words.only_warning,
    ]
    return EmailMessage(subject, "\n".join(lines) + "\n", None, to)


def standing_notice_message(change):
    """Tell the station's managers it was downgraded or delisted (any reason); None without addresses."""
    station = change.station
    to = recipients(station)
    if not to:
        return None
    words = _words()
    what = _describe_step(change.to_level, change.to_status, words)
    subject = words.notice_subject % {"code": station.code, "name": station.name, "what": what}
    lines = [
        _station_line(station, words),
        "",
        words.before % {"level": words.levels[change.from_level], "status": words.statuses[change.from_status]},
        words.now % {"level": words.levels[change.to_level], "status": words.statuses[change.to_status]},
        words.reason % {"reason": words.reasons[change.reason]},
    ]
    if change.note:
        lines.append(change.note)
    lines.append("")
    lines.append(words.delisted_note if change.to_status == Status.DELISTED else words.restarted_note)
    return EmailMessage(subject, "\n".join(lines) + "\n", None, to)


def send_standing_notice(change):
    message = standing_notice_message(change)
    if message is not None:
        message.send()
