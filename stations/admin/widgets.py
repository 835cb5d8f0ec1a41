"""Form widgets of the station editor: map location picker, weekly hours, icon checkboxes.

Each widget that needs a script ships one small module under
static/stations/admin/ and hands its settings over in data attributes.
Their templates live in stations/templates/stations/widgets/, where Django's
form renderer looks.
"""

from django import forms
from django.core.cache import cache
from django.db.models import Avg
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from .. import hours
from ..models import Station

CENTRES_CACHE_KEY = "stations:admin:district-centres"
CENTRES_CACHE_SECONDS = 60 * 60

HOURS_CLOSED, HOURS_ALL_DAY, HOURS_SPANS = "closed", "24h", "spans"
WHOLE_DAY = ["00:00", "24:00"]


class CoordinateInput(forms.NumberInput):
    """A latitude or longitude typed in degrees, 6 decimals (about 0.1 m)."""

    def __init__(self, attrs=None):
        super().__init__({"step": "0.000001", "class": "coordinate-input", **(attrs or {})})


class LocationPickerWidget(forms.Widget):
    """A Leaflet map bound to the form's latitude and longitude inputs.

    It posts nothing itself: clicking the map or dragging the marker writes
    the two coordinate inputs, and typing in them moves the marker. The form
    tells it the inputs' ids through `latitude_input` / `longitude_input`.
    """

    template_name = "stations/widgets/location_picker.html"
    map_name = "station_location_map"

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.latitude_input = "id_latitude"
        self.longitude_input = "id_longitude"
        self.district_input = ""

    class Media:
        css = {"all": ["stations/admin/station-editor.css"]}
        js = ["stations/admin/location-picker.js"]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"].update(
            map_name=self.map_name,
            latitude_input=self.latitude_input,
            longitude_input=self.longitude_input,
            district_input=self.district_input,
        )
        return context

    def value_from_datadict(self, data, files, name):
        return None


def district_centres():
    """{district id: (latitude, longitude)}: the mean point of each district's stations.

    Cached for an hour: the editor needs it on every page, and a district's
    centre hardly moves when a station is added.
    """

    def compute():
        rows = Station.objects.order_by().values("district_id").annotate(
            latitude=Avg("latitude"), longitude=Avg("longitude")
        )
        return {
            row["district_id"]: (f"{row['latitude']:.6f}", f"{row['longitude']:.6f}")
            for row in rows
        }

    return cache.get_or_set(CENTRES_CACHE_KEY, compute, CENTRES_CACHE_SECONDS)


class DistrictSelect(forms.Select):
    """A district <select> whose options carry the district's centre for the map."""

    def __init__(self, attrs=None, choices=()):
        super().__init__(attrs, choices)
        self.centres = {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        key = getattr(value, "value", value)
        if key in self.centres:
            latitude, longitude = self.centres[key]
            option["attrs"].update({"data-latitude": latitude, "data-longitude": longitude})
        return option


class OpeningHoursWidget(forms.Widget):
    """One row per weekday (closed / 24 hours / spans with time inputs) and a 24/7 switch.

    Posts plain form fields, so it works without JavaScript too:
      <name>_always = "on"                   open 24/7 (days are ignored)
      <name>_<day> = closed | 24h | spans    e.g. opening_hours_mon
      <name>_<day>_start / _end              repeated, one pair per span
    value_from_datadict() returns the raw `HoursInput` for OpeningHoursField
    to validate; the widget renders either that or a stored schedule.
    """

    template_name = "stations/widgets/opening_hours.html"

    class Media:
        css = {"all": ["stations/admin/station-editor.css"]}
        js = ["stations/admin/opening-hours.js"]

    def value_from_datadict(self, data, files, name):
        days = {}
        for day in hours.DAYS:
            mode = data.get(f"{name}_{day}", HOURS_CLOSED)
            starts = _getlist(data, f"{name}_{day}_start")
            ends = _getlist(data, f"{name}_{day}_end")
            spans = [
                [start.strip(), end.strip()]
                for start, end in zip(starts, ends)
                if start.strip() or end.strip()
            ]
            days[day] = (mode, spans)
        return HoursInput(always=bool(data.get(f"{name}_always")), days=days)

    def value_omitted_from_data(self, data, files, name):
        return f"{name}_always" not in data and not any(f"{name}_{day}" in data for day in hours.DAYS)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        value = value if isinstance(value, HoursInput) else HoursInput.from_schedule(value)
        day_labels = dict(zip(hours.DAYS, (WEEKDAYS[index] for index in range(7))))
        rows = []
        for day in hours.DAYS:
            mode, spans = value.days.get(day, (HOURS_CLOSED, []))
            rows.append({
                "day": day,
                "label": day_labels[day],
                "mode": mode,
                # One empty pair to type into when the day has no spans yet.
                "spans": [[start, _display_time(end)] for start, end in spans] or [["", ""]],
                "field": f"{name}_{day}",
            })
        context["widget"].update(
            always=value.always,
            rows=rows,
            modes=[
                (HOURS_CLOSED, _("Closed")),
                (HOURS_ALL_DAY, _("24 hours")),
                (HOURS_SPANS, _("Open from … to …")),
            ],
        )
        return context


def _getlist(data, key):
    return data.getlist(key) if hasattr(data, "getlist") else list(data.get(key) or [])


def _display_time(value):
    # <input type="time"> cannot show 24:00; midnight at the end of a day is 00:00.
    return "00:00" if value == "24:00" else value


class HoursInput:
    """What the hours widget posted, before validation (re-shown on errors)."""

    def __init__(self, *, always, days):
        self.always = always
        self.days = days  # {day: (mode, [[start, end], ...])}

    @classmethod
    def from_schedule(cls, schedule):
        if not isinstance(schedule, dict):
            schedule = {}
        if hours.is_always_open(schedule):
            # Unticking 24/7 starts from "24 hours" on each day, so saving
            # without further edits changes nothing.
            return cls(always=True, days={day: (HOURS_ALL_DAY, []) for day in hours.DAYS})
        days = {}
        for day in hours.DAYS:
            spans = [list(span) for span in schedule.get(day) or []]
            if spans == [WHOLE_DAY]:
                days[day] = (HOURS_ALL_DAY, [])
            elif spans:
                days[day] = (HOURS_SPANS, spans)
            else:
                days[day] = (HOURS_CLOSED, [])
        return cls(always=False, days=days)

    def __eq__(self, other):
        return isinstance(other, HoursInput) and (self.always, self.days) == (other.always, other.days)

    def __repr__(self):
        return f"HoursInput(always={self.always!r}, days={self.days!r})"


class IconCheckboxSelectMultiple(forms.CheckboxSelectMultiple):
    """Checkboxes laid out as a grid of tiles; labels carry the catalogue icon."""

    def __init__(self, attrs=None, choices=()):
        super().__init__({"class": "icon-checkboxes", **(attrs or {})}, choices)

    class Media:
        css = {"all": ["stations/admin/station-editor.css"]}
