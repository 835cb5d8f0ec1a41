"""Opening hours as people read them, one line per day."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import hours

DAY_NAMES = [_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"), _("Saturday"), _("Sunday")]


def week_table(schedule, today=None):
    """[{day, text, today}] for Monday..Sunday; spans past midnight read
    "22:00–06:00 (next day)"."""
    today = timezone.localdate() if today is None else today
    rows = []
    for index, key in enumerate(hours.DAYS):
        if hours.is_always_open(schedule):
            text = _("Open 24 hours")
        else:
            spans = schedule.get(key) or []
            if not spans:
                text = _("Closed")
            else:
                parts = []
                for start, end in spans:
                    part = f"{start}–{end}"
                    if end != "24:00" and end <= start:
                        part = _("%(span)s (next day)") % {"span": part}
                    parts.append(str(part))
                text = ", ".join(parts)
        rows.append({"day": DAY_NAMES[index], "text": text, "today": index == today.weekday()})
    return rows
