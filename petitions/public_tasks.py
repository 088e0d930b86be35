"""Celery tasks of the public side: outgoing citizen mail, hand-over of confirmed cases.

Kept apart from ``tasks.py`` (the staff side's) and imported by ``PetitionsConfig.ready()`` so the
worker registers them. Thin: each calls a service and retries itself on transient errors.
"""

from __future__ import annotations

import logging
import smtplib

from celery import shared_task
from django.core.mail import EmailMessage

logger = logging.getLogger(__name__)


@shared_task(
    name="petitions.send_citizen_mail",
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError, OSError),
    retry_backoff=30,
    retry_backoff_max=30 * 60,
    retry_jitter=True,
    max_retries=8,
    time_limit=120,
    soft_time_limit=100,
)
def send_citizen_mail(*, to: str, subject: str, body: str) -> None:
    """Send one rendered message. Retried with exponential backoff on SMTP and network errors;
    a retry sends the same message again, which is what the citizen needs (it was not sent)."""
    EmailMessage(subject=subject, body=body, to=[to]).send(fail_silently=False)


@shared_task(
    name="petitions.register_confirmed",
    autoretry_for=(Exception,),
    retry_backoff=60,
    max_retries=5,
    time_limit=300,
    soft_time_limit=280,
)
def register_confirmed(*, petition_id: int) -> None:
    from .services.public import petition_hand_over

    petition_hand_over(petition_id=petition_id)
