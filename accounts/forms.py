import re

from django import forms
from django.utils.translation import gettext_lazy as _


class TOTPCodeForm(forms.Form):
    """The 6-digit code of the authenticator app. Spaces are allowed (some apps show
    ``123 456``); whether the code is right is for the service to say, not the form."""

    token = forms.CharField(
        label=_("Code uit uw authenticator-app"),
        help_text=_("6 cijfers. De code verandert elke 30 seconden."),
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "class": "utrecht-textbox utrecht-textbox--html-input",
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
            }
        ),
    )

    def __init__(self, *args, autofocus: bool = False, **kwargs):
        """``autofocus`` only where the field is all the page asks (not on the setup page,
        where a screen reader would skip the instructions)."""
        super().__init__(*args, **kwargs)
        if autofocus:
            self.fields["token"].widget.attrs["autofocus"] = True

    def clean_token(self) -> str:
        token = re.sub(r"\s", "", self.cleaned_data["token"])
        if not re.fullmatch(r"\d{6}", token):
            raise forms.ValidationError(_("Voer de 6 cijfers van de code in."))
        return token
