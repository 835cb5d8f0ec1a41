from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class StaffScope(models.Model):
    """Which part of the registry a staff user covers.

    The user's groups (see roles.py) say what they may do; this row says where.
    City staff use `city`, district chiefs and inspectors `districts`, station
    managers and liaisons `stations` (a manager may run several stations).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_scope",
        verbose_name=_("user"),
    )
    city = models.ForeignKey(
        "stations.City", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("city"), help_text=_("For city union staff."),
    )
    districts = models.ManyToManyField(
        "stations.District", blank=True, related_name="+", verbose_name=_("districts"),
        help_text=_("For district chief station managers and third-party inspectors."),
    )
    stations = models.ManyToManyField(
        "stations.Station", blank=True, related_name="staff_scopes", verbose_name=_("stations"),
        help_text=_("For station managers and liaisons."),
    )

    class Meta:
        verbose_name = _("staff scope")
        verbose_name_plural = _("staff scopes")

    def __str__(self):
        return str(self.user)
