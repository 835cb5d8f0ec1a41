"""Emails about a station's standing, to its manager and its district's chief station manager.

Written in the portal's default language (the recipients' language is not
known), one message per event with both people as recipients.
"""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from . import standing
from .models import Level, Status

logger = logging.getLogger(__name__)


def recipients(station):
    """The station manager's and the district chief's addresses, blanks and repeats dropped."""
    addresses = [station.manager_email, station.district.chief_email]
    return list(dict.fromkeys(address.strip() for address in addresses if address and address.strip()))


def describe_step(to_level, to_status):
    if to_status == Status.DELISTED:
        return _("delisted")
    return _("downgraded to %(level)s") % {"level": Level(to_level).label}


def _send(template, context, to):
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"stations/email/{template}_subject.txt", context)
        body = render_to_string(f"stations/email/{template}_body.txt", context)
    # A subject is one line, whatever the template's line breaks.
    send_mail(" ".join(subject.split()), body.strip() + "\n", None, to)


def send_rule_warning(station, verdict):
    """The one "at risk" warning for the clock period ending on verdict.due.

    Returns the addresses written to (empty if the station has none).
    """
    to = recipients(station)
    if to:
        with translation.override(settings.LANGUAGE_CODE):
            step = describe_step(verdict.to_level, verdict.to_status)
            current_level = Level(station.level).label
        last = standing.last_rated_at(station)
        context = {
            "station": station,
            "due": verdict.due,
            "step": step,
            "current_level": current_level,
            "last_rated_on": standing.local_date(last) if last else None,
        }
        _send("rule_warning", context, to)
    return to


def send_standing_notice(change):
    """Tell the station's managers it was downgraded or delisted (any reason)."""
    station = change.station
    to = recipients(station)
    if not to:
        logger.info("No address to notify about %s", change)
        return to
    with translation.override(settings.LANGUAGE_CODE):
        what = describe_step(change.to_level, change.to_status)
    context = {
        "station": station,
        "change": change,
        "what": what,
        "delisted": change.to_status == Status.DELISTED,
    }
    _send("standing_notice", context, to)
    return to
