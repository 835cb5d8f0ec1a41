import secrets
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import hours
from .catalogue import Amenity, WorkerGroup
from .geography import District


def new_rating_token():
    # 128 bits, URL-safe: printed on posters, never derivable from id or code.
    return secrets.token_urlsafe(16)


class Level(models.IntegerChoices):
    """Certification levels, lowest first: the integer order is the rule's order."""

    CITY = 1, _("city standard")
    PROVINCIAL = 2, _("provincial standard")
    NATIONAL = 3, _("national standard")


class Status(models.TextChoices):
    ACTIVE = "active", _("active")
    SUSPENDED = "suspended", _("suspended (temporarily closed)")
    DELISTED = "delisted", _("delisted")


class Kind(models.TextChoices):
    UNION = "union", _("union-built station")
    PARTNER = "partner", _("partner business")
    MOVABLE = "movable", _("movable station")
    BOOTH = "booth", _("community booth / delivery hand-off point")


class PartnerType(models.TextChoices):
    BANK = "bank", _("bank")
    HOTEL = "hotel", _("hotel")
    SUPERMARKET = "supermarket", _("supermarket")
    PETROL = "petrol", _("petrol station")
    POST = "post", _("post office")
    OTHER = "other", _("other business")


class Operator(models.TextChoices):
    UNION = "union", _("run by the union")
    PROPERTY = "property", _("entrusted to a property-management company")
    PARTNER = "partner", _("run by the partner business")


code_validator = RegexValidator(
    r"^[A-Z0-9]+(?:-[A-Z0-9]+)*$",
    _("Use capital letters, digits and hyphens, e.g. QD-SB-0001."),
)
phone_validator = RegexValidator(
    r"^\+?[0-9][0-9\- ]{4,19}$", _("Enter a phone number of digits, spaces and hyphens.")
)
latitude_validators = [MinValueValidator(Decimal("-90")), MaxValueValidator(Decimal("90"))]
longitude_validators = [MinValueValidator(Decimal("-180")), MaxValueValidator(Decimal("180"))]


class StationQuerySet(models.QuerySet):
    def public(self):
        """Stations the public may see: delisted ones never appear."""
        return self.exclude(status=Status.DELISTED)

    def open_at(self, moment=None):
        minute = hours.minute_of_week(moment or timezone.now())
        return self.filter(
            models.Exists(
                OpeningSpan.objects.filter(
                    station=models.OuterRef("pk"), start__lte=minute, end__gt=minute
                )
            )
        )

    def always_open(self):
        return self.filter(
            models.Exists(
                OpeningSpan.objects.filter(
                    station=models.OuterRef("pk"), start=0, end=hours.MINUTES_PER_WEEK
                )
            )
        )

    def with_all_amenities(self, slugs):
        """Stations that have every amenity in `slugs` (one join per amenity)."""
        queryset = self
        for slug in slugs:
            queryset = queryset.filter(
                models.Exists(
                    Station.amenities.through.objects.filter(
                        station=models.OuterRef("pk"), amenity__slug=slug
                    )
                )
            )
        return queryset


class Station(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200)
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="stations", verbose_name=_("district")
    )
    address = models.CharField(_("street address"), max_length=255)
    latitude = models.DecimalField(
        _("latitude (WGS-84)"), max_digits=9, decimal_places=6, validators=latitude_validators
    )
    longitude = models.DecimalField(
        _("longitude (WGS-84)"), max_digits=9, decimal_places=6, validators=longitude_validators
    )

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.UNION)
    partner_type = models.CharField(
        _("partner business type"), max_length=16, choices=PartnerType.choices, blank=True
    )
    operator = models.CharField(_("operator"), max_length=16, choices=Operator.choices, default=Operator.UNION)
    operator_company = models.CharField(
        _("property-management company"), max_length=200, blank=True,
        help_text=_("Required when the station is entrusted to a property-management company."),
    )

    floor_area = models.DecimalField(
        _("floor area (m²)"), max_digits=7, decimal_places=1, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0.1"))],
    )
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True, validators=[phone_validator])
    manager_name = models.CharField(_("station manager"), max_length=100, blank=True)
    manager_phone = models.CharField(
        _("station manager's phone"), max_length=20, blank=True, validators=[phone_validator]
    )
    manager_email = models.EmailField(_("station manager's email"), blank=True)
    liaison_name = models.CharField(_("liaison"), max_length=100, blank=True)
    liaison_phone = models.CharField(_("liaison's phone"), max_length=20, blank=True, validators=[phone_validator])

    opening_hours = models.JSONField(_("opening hours"), default=hours.always_open_schedule)
    amenities = models.ManyToManyField(Amenity, blank=True, related_name="stations", verbose_name=_("amenities"))
    groups_served = models.ManyToManyField(
        WorkerGroup, blank=True, related_name="stations", verbose_name=_("groups served")
    )

    level = models.PositiveSmallIntegerField(_("certification level"), choices=Level.choices, default=Level.CITY)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    listed_on = models.DateField(_("listed on"), default=timezone.localdate)
    # When the level or status last changed; restarts the 3-month rating clock.
    standing_changed_at = models.DateTimeField(_("level or status last changed"), null=True, blank=True)

    rating_token = models.CharField(
        _("rating token"), max_length=43, unique=True, default=new_rating_token, editable=False
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = StationQuerySet.as_manager()

    class Meta:
        verbose_name = _("station")
        verbose_name_plural = _("stations")
        ordering = ["code"]
        indexes = [
            # Nearby search and map viewport: a latitude range scan, longitude
            # checked from the same index entries (bounding-box prefilter).
            # Status rides along so the public filter (not delisted) and the
            # map's cluster counts read the index alone, never the table.
            models.Index(fields=["latitude", "longitude", "status"], name="station_lat_lng"),
            # Admin filters and district-scoped staff views.
            models.Index(fields=["district", "status"], name="station_district_status"),
            # The admin list filtered by district, in its default order (code):
            # read in index order and stop after one page. Without it PostgreSQL
            # walks the code index over most of the country (bench/, docs/BENCHMARKS.md).
            models.Index(fields=["district", "code"], name="station_district_code"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latitude__gte=-90, latitude__lte=90)
                & models.Q(longitude__gte=-180, longitude__lte=180),
                name="station_coordinates_in_range",
            ),
            models.CheckConstraint(
                condition=(models.Q(kind=Kind.PARTNER) & ~models.Q(partner_type=""))
                | (~models.Q(kind=Kind.PARTNER) & models.Q(partner_type="")),
                name="station_partner_type_iff_partner",
            ),
            models.CheckConstraint(
                condition=~models.Q(operator=Operator.PROPERTY) | ~models.Q(operator_company=""),
                name="station_property_operator_named",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    def clean(self):
        errors = {}
        if self.kind == Kind.PARTNER and not self.partner_type:
            errors["partner_type"] = _("Say what kind of business the partner is.")
        if self.kind != Kind.PARTNER and self.partner_type:
            errors["partner_type"] = _("Only partner businesses have a business type.")
        if self.operator == Operator.PROPERTY and not self.operator_company:
            errors["operator_company"] = _("Name the property-management company.")
        try:
            self.opening_hours = hours.normalize(self.opening_hours)
        except ValidationError as error:
            errors["opening_hours"] = error.messages
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        self.opening_hours = hours.normalize(self.opening_hours)
        with transaction.atomic():
            super().save(*args, **kwargs)
            sync_opening_spans(self)

    @property
    def city(self):
        return self.district.city

    def is_open(self, moment=None):
        return hours.is_open(self.opening_hours, moment)

    @property
    def is_always_open(self):
        return hours.is_always_open(self.opening_hours)

    @property
    def is_public(self):
        return self.status != Status.DELISTED


class OpeningSpan(models.Model):
    """A station's open intervals in minutes of the week, derived from its hours.

    They let the database answer "open now" for many stations at once with the
    same arithmetic as hours.is_open(); sync_opening_spans() keeps them current.
    """

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="opening_spans")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()

    class Meta:
        # The open-now EXISTS subquery looks up one station's spans.
        indexes = [models.Index(fields=["station", "start", "end"], name="span_station_start_end")]


def spans_for(station):
    return [OpeningSpan(station=station, start=s, end=e) for s, e in hours.weekly_spans(station.opening_hours)]


def sync_opening_spans(station):
    station.opening_spans.all().delete()
    OpeningSpan.objects.bulk_create(spans_for(station))


class StationPosition(models.Model):
    """Where a movable station stood, and from when; the newest row is current."""

    station = models.ForeignKey(
        Station, on_delete=models.CASCADE, related_name="positions", verbose_name=_("station")
    )
    latitude = models.DecimalField(
        _("latitude (WGS-84)"), max_digits=9, decimal_places=6, validators=latitude_validators
    )
    longitude = models.DecimalField(
        _("longitude (WGS-84)"), max_digits=9, decimal_places=6, validators=longitude_validators
    )
    address = models.CharField(_("street address"), max_length=255)
    since = models.DateTimeField(_("stood here from"), default=timezone.now)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("position history")
        ordering = ["station", "-since"]
        indexes = [models.Index(fields=["station", "-since"], name="position_station_since")]

    def __str__(self):
        return f"{self.address} ({self.latitude}, {self.longitude})"
