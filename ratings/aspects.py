"""The optional aspect tags a worker can tick, in the order the page shows them."""

from django.utils.translation import gettext_lazy as _

# (Rating field, label on the rating page, icon)
ASPECTS = (
    ("tag_clean", _("Clean"), "🧹"),
    ("tag_water", _("Water available"), "💧"),
    ("tag_equipment", _("Equipment working"), "🔌"),
    ("tag_staff", _("Staff friendly"), "🤝"),
    ("tag_open_as_posted", _("Open as posted"), "🕘"),
    ("tag_needs_improvement", _("Needs improvement"), "🛠"),
)

# (score, emoji, label) from best to worst, as the page lists them.
SCALE = (
    (5, "😄", _("Very satisfied")),
    (4, "🙂", _("Satisfied")),
    (3, "😐", _("Neutral")),
    (2, "🙁", _("Dissatisfied")),
    (1, "😠", _("Very dissatisfied")),
)
