"""Public forms: the rating and the problem report. Both carry a honeypot field."""

from django import forms
from django.utils.translation import gettext_lazy as _

from stations.models import WorkerGroup

from .aspects import ASPECTS, SCALE
from .models import ProblemKind
from .models.problem import PROBLEM_TEXT_MAX_LENGTH
from .models.rating import COMMENT_MAX_LENGTH

HONEYPOT = "website"


class HoneypotMixin(forms.Form):
    # Hidden from people by CSS; form-filling bots fill it in. A filled-in
    # honeypot gets the normal thank-you page and nothing is stored.
    website = forms.CharField(required=False, label=_("Leave this field empty"))

    def is_bot(self):
        return bool(self.data.get(HONEYPOT, "").strip())


class RatingForm(HoneypotMixin):
    score = forms.TypedChoiceField(
        label=_("How satisfied are you with this station?"),
        choices=[(score, label) for score, _icon, label in SCALE],
        coerce=int, widget=forms.RadioSelect,
        error_messages={"required": _("Please choose how satisfied you are.")},
    )
    tags = forms.MultipleChoiceField(
        label=_("What stood out? (optional)"), required=False,
        choices=[(field, label) for field, label, _icon in ASPECTS], widget=forms.CheckboxSelectMultiple,
    )
    comment = forms.CharField(
        label=_("Anything else? (optional)"), required=False, max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": COMMENT_MAX_LENGTH}),
    )
    worker_group = forms.ModelChoiceField(
        label=_("Your work (optional)"), required=False, queryset=WorkerGroup.objects.all(),
        empty_label=_("Prefer not to say"),
    )


class ProblemReportForm(HoneypotMixin):
    kind = forms.ChoiceField(
        label=_("What is wrong?"), choices=ProblemKind.choices, widget=forms.RadioSelect,
        error_messages={"required": _("Please choose what is wrong.")},
    )
    text = forms.CharField(
        label=_("Details (required for “Other”)"), required=False, max_length=PROBLEM_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": PROBLEM_TEXT_MAX_LENGTH}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == ProblemKind.OTHER and not cleaned.get("text", "").strip():
            self.add_error("text", _("Please describe the problem."))
        return cleaned
