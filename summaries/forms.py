from django import forms

from shortscience.params import StrictIntegerField

from .models import MAX_COMMENT_LENGTH, MAX_REPORT_DETAILS, MAX_SUMMARY_LENGTH, Report


class SummaryForm(forms.Form):
    body = forms.CharField(
        label="Your summary",
        widget=forms.Textarea(attrs={"rows": 14, "spellcheck": "true"}),
        max_length=MAX_SUMMARY_LENGTH,
        help_text=(
            "Markdown and LaTeX: $E=mc^2$ inline, $$\\sum_i x_i$$ on a line of its own, \\cite{conf/nips/RenHGS15} to "
            "cite a paper, an image URL on a line of its own to show the image."
        ),
    )
    is_private = forms.BooleanField(label="Private (only you and people with the share link)", required=False)
    is_anonymous = forms.BooleanField(label="Anonymous (your name is not shown)", required=False)
    base_version = StrictIntegerField(widget=forms.HiddenInput, required=False, min_value=0)


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Your comment", max_length=MAX_COMMENT_LENGTH, widget=forms.Textarea(attrs={"rows": 3}), strip=True
    )


class ReportForm(forms.Form):
    reason = forms.ChoiceField(choices=Report.Reason.choices, widget=forms.RadioSelect)
    details = forms.CharField(
        label="Details (optional)",
        required=False,
        max_length=MAX_REPORT_DETAILS,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
