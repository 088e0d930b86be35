"""Form helpers every app shares."""

from __future__ import annotations

from django import forms


class StyledFormMixin:
    """Bootstrap classes on the widgets (no inline styles: the CSP forbids them)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self.fields)


def style_widgets(fields) -> None:
    for field in fields.values():
        widget = field.widget
        if isinstance(widget, (forms.RadioSelect, forms.CheckboxInput, forms.HiddenInput)):
            css = "form-check-input" if not isinstance(widget, forms.HiddenInput) else ""
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        if css:
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()


def add_service_errors(form, exc, renames: dict | None = None) -> None:
    """Put a service's ``ValidationError`` on ``form``: each error on the field it names (after
    ``renames``, service name → form field), on the form itself when the form has no such
    field or the error names none. The one way views show what a service refused."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field_name, errors in exc.error_dict.items():
        target = (renames or {}).get(field_name, field_name)
        target = target if target in form.fields else None
        for error in errors:
            form.add_error(target, error)
