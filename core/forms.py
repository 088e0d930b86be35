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
