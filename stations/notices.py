"""Emails about a station's standing, to its manager and its district's chief station manager.

Written in the portal's default language (the recipients' language is not
known), one message per event with both people as recipients. Plain strings
rather than templates: a first run over a national registry may write tens
of thousands of them.
"""

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


def describe_step(to_level, to_status):
    if to_status == Status.DELISTED:
        return _("delisted")
    return _("downgraded to %(level)s") % {"level": Level(to_level).label}


def _station_line(station):
    return _("Station %(code)s %(name)s (%(address)s)") % {
        "code": station.code, "name": station.name, "address": station.address,
    }


def rule_warning_message(station, verdict):
    """The one "at risk" warning for the clock period ending on verdict.due; None without addresses."""
    to = recipients(station)
    if not to:
        return None
    with translation.override(settings.LANGUAGE_CODE):
        step = describe_step(verdict.to_level, verdict.to_status)
        due = verdict.due.isoformat()
        subject = _("Station %(code)s %(name)s will be %(step)s on %(due)s without a rating") % {
            "code": station.code, "name": station.name, "step": step, "due": due,
        }
        last = standing.last_rated_at(station)
        lines = [
            _station_line(station),
            "",
            _("Its last rating was on %(date)s.") % {"date": standing.local_date(last).isoformat()}
            if last else _("It has no ratings yet."),
            _("It is now at %(level)s. Unless a worker rates it by %(due)s, the 3-month rule "
              "will have it %(step)s on that day.") % {"level": Level(station.level).label, "due": due, "step": step},
            "",
            _("A single rating from a worker who scans the station's QR code restarts the 3 months. "
              "Check that the QR poster is displayed and readable, and invite the workers who use "
              "the station to rate it."),
            "",
            _("This is the only warning for this period; you will be told if the station is "
              "downgraded or delisted."),
        ]
    return EmailMessage(subject, "\n".join(str(line) for line in lines) + "\n", None, to)


def standing_notice_message(change):
    """Tell the station's managers it was downgraded or delisted (any reason); None without addresses."""
    station = change.station
    to = recipients(station)
    if not to:
        return None
    with translation.override(settings.LANGUAGE_CODE):
        what = describe_step(change.to_level, change.to_status)
        subject = _("Station %(code)s %(name)s: %(what)s") % {
            "code": station.code, "name": station.name, "what": what,
        }
        lines = [
            _station_line(station),
            "",
            # Labels straight from the choices: get_FOO_display() is slow at this volume.
            _("Before: %(level)s, %(status)s.") % {
                "level": Level(change.from_level).label, "status": Status(change.from_status).label},
            _("Now: %(level)s, %(status)s.") % {
                "level": Level(change.to_level).label, "status": Status(change.to_status).label},
            _("Reason: %(reason)s.") % {"reason": LevelChange.Reason(change.reason).label},
        ]
        if change.note:
            lines.append(change.note)
        lines.append("")
        if change.to_status == Status.DELISTED:
            lines.append(_(
                "The station no longer appears on the public map, pages or API, and its QR code tells "
                "workers it is no longer listed. Its records are kept. The union can reinstate it by "
                "decision, with a written reason."
            ))
        else:
            lines.append(_(
                "The 3-month clock starts again from this change: a rating from a worker within 3 months "
                "keeps the station at its new level."
            ))
    return EmailMessage(subject, "\n".join(str(line) for line in lines) + "\n", None, to)


def send_standing_notice(change):
    message = standing_notice_message(change)
    if message is not None:
        message.send()
