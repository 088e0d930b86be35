"""Forms of payslips: the payroll file upload, and the password of one encrypted e-mail."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.forms import StyledFormMixin

from ..services.payslips import MAX_FILE_BYTES, PASSWORD_MAX, PASSWORD_MIN


class PayrollUploadForm(StyledFormMixin, forms.Form):
    file = forms.FileField(
        label=_("Payroll file (CSV)"),
        help_text=_("Columns employee_number,month,type,item,amount; UTF-8."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise ValidationError(
                _("The file is larger than %(mb)s MB."), params={"mb": MAX_FILE_BYTES // 2**20}
            )
        return upload


class PayslipEmailForm(StyledFormMixin, forms.Form):
    """The password is used for this one mail and never stored."""

    password = forms.CharField(
        label=_("Password for the PDF"),
        min_length=PASSWORD_MIN,
        max_length=PASSWORD_MAX,
        strip=False,
        help_text=_("8 to 64 characters. You need it to open the PDF; it is not kept."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    confirm = forms.CharField(
        label=_("Password again"),
        max_length=PASSWORD_MAX,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("confirm"):
            self.add_error("confirm", _("The two passwords differ."))
        return data
