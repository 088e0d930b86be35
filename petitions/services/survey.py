"""The satisfaction survey (seed 貳-二-(三)): one answer per answered case, reached by the
e-mailed link (random token, SHA-256 stored) or from the progress page."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ..choices import ANSWERED_STATUSES
from ..models import Petition, SatisfactionSurvey
from .mail import citizen_mail_queue, public_link
from .tokens import token_hash, url_token_new


def petition_survey_invite(
    *, petition: Petition, base_url: str | None = None, language: str | None = None
) -> str:
    """Make the survey link of an answered case and mail it (after the reply). Returns the
    token (for tests); a new invitation replaces the old link, which is absolute
    (``mail.public_link``: ``base_url``, else ``PETITIONS_PUBLIC_BASE_URL``, else the site's
    host)."""
    token = url_token_new()
    with transaction.atomic():
        Petition.objects.filter(pk=petition.pk).update(survey_token_hash=token_hash(token))
        petition.survey_token_hash = token_hash(token)
        citizen_mail_queue(
            petition=petition,
            template="petitions/emails/survey",
            context={
                "link": public_link(reverse("petitions:survey", args=[token]), base_url=base_url)
            },
            language=language,
        )
    return token


def petition_by_survey_token(*, token: str) -> Petition:
    petition = (
        Petition.objects.filter(survey_token_hash=token_hash(token or "")).first()
        if token
        else None
    )
    if petition is None:
        raise ValidationError(_("This survey link is not valid."), code="invalid")
    return petition


def survey_submit(*, petition: Petition, rating: int, comment: str = "") -> SatisfactionSurvey:
    """One answer per case, for answered cases only."""
    if petition.status not in ANSWERED_STATUSES:
        raise ValidationError(_("The survey opens when your case has been answered."), code="early")
    if SatisfactionSurvey.objects.filter(petition=petition).exists():
        raise ValidationError(
            _("This case's survey has already been answered. Thank you!"), code="done"
        )
    survey = SatisfactionSurvey(petition=petition, rating=rating, comment=comment or "")
    survey.full_clean(exclude=["petition"])
    try:
        with transaction.atomic():
            survey.save()
    except IntegrityError as exc:
        raise ValidationError(
            _("This case's survey has already been answered. Thank you!"), code="done"
        ) from exc
    return survey
