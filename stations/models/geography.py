from django.core.validators import validate_slug
from django.db import models
from django.utils.translation import gettext_lazy as _

from .bilingual import BilingualName


class City(BilingualName):
    code = models.SlugField(_("code"), max_length=40, unique=True, validators=[validate_slug])

    class Meta:
        verbose_name = _("city")
        verbose_name_plural = _("cities")
        ordering = ["code"]


class District(BilingualName):
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="districts", verbose_name=_("city"))
    code = models.SlugField(_("code"), max_length=40)
    chief_name = models.CharField(_("chief station manager"), max_length=100, blank=True)
    chief_email = models.EmailField(_("chief station manager's email"), blank=True)

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ["city__code", "code"]
        constraints = [
            models.UniqueConstraint(fields=["city", "code"], name="district_code_unique_in_city"),
        ]
