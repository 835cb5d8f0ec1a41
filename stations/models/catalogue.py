from django.db import models
from django.utils.translation import gettext_lazy as _

from .bilingual import BilingualName


class CatalogueEntry(BilingualName):
    slug = models.SlugField(_("code"), max_length=40, unique=True)
    icon = models.CharField(
        _("icon"), max_length=8, blank=True, help_text=_("An emoji shown beside the name.")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=100)

    class Meta:
        abstract = True
        ordering = ["position", "slug"]


class Amenity(CatalogueEntry):
    class Meta(CatalogueEntry.Meta):
        verbose_name = _("amenity")
        verbose_name_plural = _("amenities")


class WorkerGroup(CatalogueEntry):
    class Meta(CatalogueEntry.Meta):
        verbose_name = _("worker group")
        verbose_name_plural = _("worker groups")
