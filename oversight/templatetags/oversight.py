from django import template
from django.urls import NoReverseMatch, reverse

register = template.Library()


@register.filter
def percent(rate):
    """0.923 -> "92%"; None (no ratings) -> an en dash."""
    if rate is None or rate == "":
        return "–"
    return f"{float(rate) * 100:.0f}%"


@register.simple_tag
def admin_change_url(app_model, pk):
    """The admin change page of a row ("stations.station"), or "" if that admin is not registered."""
    app_label, model = app_model.split(".")
    try:
        return reverse(f"admin:{app_label}_{model}_change", args=[pk])
    except NoReverseMatch:
        return ""
