"""The station editor's form: hours without JSON, a map for the location, icon checkboxes."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from .. import hours
from ..models import Amenity, District, Station, WorkerGroup
from ..services import round_coordinate
from .widgets import (
    HOURS_ALL_DAY,
    HOURS_CLOSED,
    HOURS_SPANS,
    WHOLE_DAY,
    CoordinateInput,
    DistrictSelect,
    HoursInput,
    IconCheckboxSelectMultiple,
    LocationPickerWidget,
    OpeningHoursWidget,
    district_centres,
)


class OpeningHoursField(forms.Field):
    """Turns the hours widget's rows into a schedule checked by hours.normalize()."""

    widget = OpeningHoursWidget
    # {} (closed every day) is a schedule, not a missing value.
    empty_values = [None, ""]

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if not isinstance(value, HoursInput):
            # A stored schedule (initial data) or JSON from elsewhere.
            return hours.normalize(value)
        if value.always:
            return dict(hours.ALWAYS)
        schedule = {}
        errors = []
        for index, day in enumerate(hours.DAYS):
            mode, spans = value.days.get(day, (HOURS_CLOSED, []))
            label = WEEKDAYS[index]
            if mode == HOURS_ALL_DAY:
                schedule[day] = [list(WHOLE_DAY)]
            elif mode == HOURS_SPANS:
                day_spans, day_errors = self._spans(label, spans)
                schedule[day] = day_spans
                errors.extend(day_errors)
            elif mode != HOURS_CLOSED:
                errors.append(_("Choose closed, 24 hours or opening times for %(day)s.") % {"day": label})
        if errors:
            raise ValidationError(errors)
        return hours.normalize(schedule)

    @staticmethod
    def _spans(label, spans):
        errors = []
        if not spans:
            errors.append(_("Give at least one opening time for %(day)s, or mark it closed.") % {"day": label})
        result = []
        for start, end in spans:
            if not start or not end:
                errors.append(_("Each opening time on %(day)s needs a start and an end.") % {"day": label})
                continue
            if end == "00:00":
                end = "24:00"  # open until midnight
            result.append([start, end])
        return result, errors

    def has_changed(self, initial, data):
        try:
            return self.to_python(initial) != self.to_python(data)
        except ValidationError:
            return True


class CoordinateField(forms.DecimalField):
    """Degrees rounded to the 6 decimals stored, instead of refusing a 7th."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", CoordinateInput)
        super().__init__(max_digits=9, decimal_places=6, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return None if value is None else round_coordinate(value)


class CatalogueChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.icon} {obj.name}".strip()


class DistrictChoiceField(forms.ModelChoiceField):
    widget = DistrictSelect

    def label_from_instance(self, obj):
        return f"{obj.city.name} · {obj.name}"


class StationAdminForm(forms.ModelForm):
    district = DistrictChoiceField(
        queryset=District.objects.select_related("city").order_by("city__code", "code"),
        label=_("District"),
    )
    latitude = CoordinateField(
        label=_("Latitude (WGS-84)"), min_value=-90, max_value=90,
        help_text=_("Degrees north, e.g. 36.087000."),
    )
    longitude = CoordinateField(
        label=_("Longitude (WGS-84)"), min_value=-180, max_value=180,
        help_text=_("Degrees east, e.g. 120.375000."),
    )
    location_map = forms.Field(
        label=_("Map"), required=False, disabled=True, widget=LocationPickerWidget,
        help_text=_("Click the map or drag the marker to set the location; typing the coordinates moves the marker."),
    )
    move_note = forms.CharField(
        label=_("Note on the move"), required=False, max_length=200,
        help_text=_("Movable stations: kept with the new position in the position history."),
    )
    opening_hours = OpeningHoursField(label=_("Opening hours"), initial=hours.always_open_schedule)
    amenities = CatalogueChoiceField(
        queryset=Amenity.objects.all(), required=False, widget=IconCheckboxSelectMultiple, label=_("Amenities"),
    )
    groups_served = CatalogueChoiceField(
        queryset=WorkerGroup.objects.all(), required=False, widget=IconCheckboxSelectMultiple,
        label=_("Groups served"),
    )

    class Meta:
        model = Station
        fields = "__all__"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "location_map" in self.fields:
            widget = self.fields["location_map"].widget
            widget.latitude_input = self["latitude"].auto_id
            widget.longitude_input = self["longitude"].auto_id
            if "district" in self.fields:
                # Choosing a district centres the map there until a point is picked.
                widget.district_input = self["district"].auto_id
                self.fields["district"].widget.centres = district_centres()
