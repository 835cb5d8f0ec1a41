from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


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
        language = (get_language() or "zh-hans").lower()
        return self.name_en if language.startswith("en") else self.name_zh

    def __str__(self):
        return self.name
