"""The filter of the audit log screen (issue 18). Its lists are the values that occur in the
visible log of the tender (``audit.selectors.tender_audit_log_choices``)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from audit.selectors import AuditLogFilter

from .forms import SELECT, TEXT

DATE_WIDGET = forms.DateInput(attrs={**TEXT, "type": "date"}, format="%Y-%m-%d")
DATE_FORMATS = ["%Y-%m-%d", "%d-%m-%Y"]
DATE_ERRORS = {"invalid": _("Vul een geldige datum in, bijvoorbeeld 01-08-2026.")}


class AuditLogFilterForm(forms.Form):
    action = forms.ChoiceField(label=_("Handeling"), required=False)
    actor = forms.ChoiceField(label=_("Persoon"), required=False)
    object_type = forms.ChoiceField(label=_("Objecttype"), required=False)
    object = forms.CharField(
        label=_("Object"),
        required=False,
        max_length=255,
        help_text=_("Een deel van de naam van het object, of zijn id."),
        widget=forms.TextInput(attrs=TEXT),
    )
    date_from = forms.DateField(
        label=_("Vanaf datum"),
        required=False,
        input_formats=DATE_FORMATS,
        error_messages=DATE_ERRORS,
        widget=DATE_WIDGET,
    )
    date_to = forms.DateField(
        label=_("Tot en met datum"),
        required=False,
        input_formats=DATE_FORMATS,
        error_messages=DATE_ERRORS,
        widget=DATE_WIDGET,
    )

    def __init__(self, *args, choices: dict[str, list[str]], **kwargs):
        super().__init__(*args, **kwargs)
        everything = [("", _("Alle"))]
        for name in ("action", "actor", "object_type"):
            self.fields[name].choices = everything + [(v, v) for v in choices[name]]
            self.fields[name].widget.attrs.update(SELECT)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("De einddatum ligt voor de begindatum."))
        return cleaned

    def filters(self) -> AuditLogFilter:
        """The filter of a valid form (call ``is_valid`` first)."""
        return AuditLogFilter(**{name: self.cleaned_data[name] for name in self.fields})
