"""Helpers that mask personal data for lists, exports and the audit log."""

MASK = "*"


def mask_text(value: str | None, keep_start: int = 1, keep_end: int = 0) -> str:
    """Keep a few characters at each end and mask the rest (``王小明`` -> ``王*明``)."""
    if not value:
        return ""
    text = str(value)
    if len(text) <= keep_start + keep_end:
        return text[:1] + MASK * (len(text) - 1)
    middle = len(text) - keep_start - keep_end
    return text[:keep_start] + MASK * middle + (text[-keep_end:] if keep_end else "")


def mask_name(value: str | None) -> str:
    """Chinese names keep first and last character; others keep the first letter."""
    if not value:
        return ""
    text = str(value).strip()
    if len(text) <= 1:
        return text
    if len(text) == 2:
        return text[0] + MASK
    return text[0] + MASK * (len(text) - 2) + text[-1]


def mask_email(value: str | None) -> str:
    if not value:
        return ""
    text = str(value)
    local, sep, domain = text.partition("@")
    if not sep:
        return mask_text(text)
    return mask_text(local, keep_start=1) + "@" + domain


def mask_phone(value: str | None) -> str:
    """Keep the first four and last three digits: 0912***678."""
    if not value:
        return ""
    text = str(value)
    if len(text) <= 7:
        return mask_text(text, keep_start=2)
    return mask_text(text, keep_start=4, keep_end=3)


def mask_id_number(value: str | None) -> str:
    """National ID A123456789 -> A12****789."""
    if not value:
        return ""
    return mask_text(str(value), keep_start=3, keep_end=3)


def mask_value(field_name: str, value) -> str:
    """Pick a masker by the field's name; anything unknown is fully masked."""
    if value in (None, ""):
        return ""
    name = field_name.lower()
    if "email" in name:
        return mask_email(value)
    if any(part in name for part in ("mobile", "phone", "tel")):
        return mask_phone(value)
    if "name" in name:
        return mask_name(value)
    if "id_number" in name or "national_id" in name:
        return mask_id_number(value)
    return MASK * 6
