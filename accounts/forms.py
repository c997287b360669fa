from allauth.account.forms import LoginForm as AllauthLoginForm
from django import forms

from .models import User


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["display_name", "bio", "orcid", "email_on_comment"]
        widgets = {"bio": forms.Textarea(attrs={"rows": 4})}
        labels = {"bio": "About you"}
        help_texts = {
            "display_name": "Shown on your summaries and your profile instead of your username.",
            "bio": "Shown on your profile, as plain text.",
            "orcid": "Your ORCID iD, such as 0000-0002-1825-0097; your profile links to it.",
        }


class LoginForm(AllauthLoginForm):
    """allauth's log-in form, with a label that says what it takes."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].label = "Username or email"
        self.fields["login"].widget.attrs["placeholder"] = "Username or email"
