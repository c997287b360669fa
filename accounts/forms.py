from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.contrib import messages
from django.contrib.auth import forms as auth_forms
from django.db import IntegrityError, transaction
from django.shortcuts import redirect

from .models import User, username_validate


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


HONEYPOT_REFUSED = "Your sign-up could not be completed. Please try again."


class SignupForm(AllauthSignupForm):
    """allauth's sign-up form (its adapter checks the username: accounts/adapters.py); when another sign-up took
    the same name between that check and the insert, the database refuses the second and it is asked again.

    `website` is a honeypot: people never see it (the class "honeypot" moves it off-screen; aria-hidden, out of
    the tab order, not autofilled, and labelled to be left empty should anyone meet it), robots that fill every
    field fill it. A sign-up with it filled is refused with a sentence that says nothing of why."""

    website = forms.CharField(
        label="Leave this field empty (it is here to catch spam robots)",
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["website"].honeypot = True  # templates/allauth/elements/fields.html renders it apart

    def clean(self):
        cleaned_data = super().clean()
        if self.cleaned_data.get("website"):
            raise forms.ValidationError(HONEYPOT_REFUSED, code="refused")
        return cleaned_data

    def try_save(self, request):
        try:
            with transaction.atomic():
                return super().try_save(request)
        except IntegrityError as error:
            if "username" not in str(error):  # the unique index of username or username_folded
                raise
        messages.error(
            request, f"The username “{self.cleaned_data['username']}” was taken a moment ago: choose another."
        )
        return None, redirect(request.get_full_path())


class AdminUserChangeForm(auth_forms.UserChangeForm):
    """The admin's user form: a rename is checked as a sign-up is."""

    def clean_username(self):
        username = self.cleaned_data["username"]
        username_validate(username, user=self.instance)
        return username


class AdminUserCreationForm(auth_forms.AdminUserCreationForm):
    def clean_username(self):
        username = super().clean_username()  # None when Django's own check (taken, in any case) refused it
        if username is not None:
            username_validate(username)
        return username


class AccountDeleteForm(forms.Form):
    """Leaving: what becomes of the summaries, and the password (an account without one reauthenticates with its
    provider instead: accounts.views.account_delete_view)."""

    KEEP, DELETE = "keep", "delete"
    summaries = forms.ChoiceField(
        label="Your summaries",
        choices=[
            (KEEP, "Keep them, anonymous: readers keep what they learnt from them (recommended)"),
            (DELETE, "Delete them, with their comments and votes"),
        ],
        initial=KEEP,
        widget=forms.RadioSelect,
    )
    password = forms.CharField(label="Your password", strip=False, widget=forms.PasswordInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if not user.has_usable_password():
            del self.fields["password"]

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password: your account was not deleted.")
        return password

    @property
    def keep_summaries(self) -> bool:
        return self.cleaned_data["summaries"] == self.KEEP
