from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def english_is_active():
    """Names show in English when English is active, else in Chinese (the default)."""
    return (get_language() or "zh-hans").lower().startswith("en")


class BilingualName(models.Model):
    """Catalogue rows that staff manage in the admin carry both names.

    gettext only translates strings written in the code; rows added later
    (a new district, a new amenity) need their translation stored beside them.
    """

    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)

    class Meta:
        abstract = True

    @property
    def name(self):
        return self.name_en if english_is_active() else self.name_zh

    def __str__(self):
        return self.name
