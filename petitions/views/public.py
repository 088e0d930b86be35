"""Public pages of the citizen mailbox (no login). Thin: parse, call a service, render."""

from __future__ import annotations

import csv
import logging

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.csrf import keeps_input_on_csrf_failure, needs_resubmission, resubmission_response
from core.forms import add_service_errors
from core.http import client_ip
from core.mailrequest import mail_request, request_origin

from ..choices import ANSWERED_STATUSES
from ..forms import (
    ConfirmationResendForm,
    LookupForm,
    PetitionForm,
    QueryCodeResendForm,
    SurveyForm,
)
from ..models import Petition
from ..selectors.public import public_statistics, public_timeline
from ..services import cases, survey

SESSION_KEY = "petitions_cases"

logger = logging.getLogger(__name__)


@keeps_input_on_csrf_failure
@login_not_required
@require_http_methods(["GET", "POST"])
def submit(request):
    if needs_resubmission(request):
        return resubmission_response(
            request, PetitionForm(request.POST), "petitions/public/submit.html"
        )
    try:
        return _submit(request)
    except cases.CONNECTION_ERRORS:
        if request.method != "POST":
            raise
        return _submit_failed(request)


def _submit_failed(request):
    """The database connection died and the service's one retry failed too: the form again,
    with everything the citizen typed (files must be chosen again: browsers never refill a
    file input) and a message, on a new connection (503)."""
    logger.exception("petition submission failed: database connection lost twice")
    if not connection.in_atomic_block:
        connection.close()
    form = PetitionForm(request.POST)
    form.is_valid()
    form.add_error(
        None,
        _(
            "We could not save your petition because of a temporary fault on our side. "
            "Nothing was lost from what you typed: please check it and send it again "
            "(attach your files again)."
        ),
    )
    return render(request, "petitions/public/submit.html", {"form": form}, status=503)


def _submit(request):
    form = PetitionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            cases.petition_submit(
                name=data["name"],
                email=data["email"],
                phone=data["phone"],
                subject=data["subject"],
                category=data["category"],
                county=data["county"],
                body=data["body"],
                consent=data["consent"],
                attachments=data["attachments"],
                honeypot=data.get("website", ""),
                ip=client_ip(request),
                base_url=request_origin(request)["base_url"],
                language=get_language(),
                form_token=data.get("form_token", ""),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("petitions:submitted")
    elif request.method == "POST" and request.POST.get("website"):
        # A bot that also broke other fields: answer like the honeypot rule does.
        pass
    status = 400 if request.method == "POST" else 200
    return render(request, "petitions/public/submit.html", {"form": form}, status=status)


@login_not_required
@require_http_methods(["GET"])
def submitted(request):
    form = ConfirmationResendForm()
    return render(request, "petitions/public/submitted.html", {"form": form})


@keeps_input_on_csrf_failure
@login_not_required
@require_http_methods(["GET", "POST"])
def confirmation_resend(request):
    """The "please confirm" page's form: the link again, to the address typed. The answer is
    the same whether or not a petition from that address is waiting."""
    return mail_request(
        request,
        form=ConfirmationResendForm,
        template="petitions/public/submitted.html",
        get_redirects=True,
        send=lambda data, origin: cases.confirmation_resend(email=data["email"], **origin),
        done=_(
            "If a petition from %(email)s is waiting for confirmation, a new "
            "confirmation link is on its way. Links sent before no longer work."
        ),
        success_url="petitions:submitted",
    )


@login_not_required
@require_http_methods(["GET", "POST"])
def confirm(request, token: str):
    """GET shows a button (mail scanners follow links; they must not confirm); POST confirms."""
    if request.method == "GET":
        return render(request, "petitions/public/confirm.html", {"token": token})
    try:
        result = cases.petition_confirm(
            token=token, base_url=request_origin(request)["base_url"], language=get_language()
        )
    except ValidationError as exc:
        return render(
            request,
            "petitions/public/confirm_failed.html",
            {"message": exc.messages[0]},
            status=400,
        )
    return render(
        request,
        "petitions/public/confirmed.html",
        {"case_number": result.petition.case_number, "already": result.already},
    )


def _grant(request, petition: Petition) -> None:
    allowed = [pk for pk in request.session.get(SESSION_KEY, []) if pk != petition.pk][-9:]
    request.session[SESSION_KEY] = [*allowed, petition.pk]


def _granted(request, case_number: str) -> Petition | None:
    allowed = request.session.get(SESSION_KEY, [])
    return (
        Petition.objects.confirmed()
        .filter(case_number=case_number, pk__in=allowed, anonymised_at=None)
        .select_related("category", "county")
        .first()
    )


@keeps_input_on_csrf_failure
@login_not_required
@require_http_methods(["GET", "POST"])
def progress(request):
    if needs_resubmission(request):
        return resubmission_response(
            request, LookupForm(request.POST), "petitions/public/progress.html"
        )
    form = LookupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            petition = cases.petition_lookup(
                case_number=form.cleaned_data["case_number"],
                query_code=form.cleaned_data["query_code"],
                ip=client_ip(request),
                email=form.cleaned_data.get("email", ""),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            request.session.cycle_key()
            _grant(request, petition)
            return redirect("petitions:case", case_number=petition.case_number)
    status = 400 if request.method == "POST" else 200
    return render(request, "petitions/public/progress.html", {"form": form}, status=status)


@keeps_input_on_csrf_failure
@login_not_required
@require_http_methods(["GET", "POST"])
def query_code_resend(request):
    """ "Lost your query code?": a new one to the address the petition came from. The answer
    is the same whether or not the case number and the address belong together."""
    return mail_request(
        request,
        form=QueryCodeResendForm,
        template="petitions/public/query_code.html",
        send=lambda data, origin: cases.query_code_resend(
            case_number=data["case_number"], email=data["email"], **origin
        ),
        done=_(
            "If case %(case_number)s was sent from %(email)s, a new query code is on its way "
            "to that address. The old code no longer works."
        ),
        success_url="petitions:progress",
    )


@login_not_required
def case(request, case_number: str):
    petition = _granted(request, case_number)
    if petition is None:
        return redirect("petitions:progress")
    has_survey = hasattr(petition, "survey")
    return render(
        request,
        "petitions/public/case.html",
        {
            "petition": petition,
            "timeline": public_timeline(petition=petition),
            "answered": petition.status in ANSWERED_STATUSES,
            "has_survey": has_survey,
        },
    )


def _survey(request, petition: Petition, action: str):
    form = SurveyForm(request.POST or None)
    done = hasattr(petition, "survey")
    if request.method == "POST" and form.is_valid() and not done:
        try:
            survey.survey_submit(
                petition=petition,
                rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return render(request, "petitions/public/survey_thanks.html", {"petition": petition})
    return render(
        request,
        "petitions/public/survey.html",
        {"form": form, "petition": petition, "done": done, "action": action},
        status=400 if request.method == "POST" and not done else 200,
    )


@login_not_required
@require_http_methods(["GET", "POST"])
def survey_by_token(request, token: str):
    try:
        petition = survey.petition_by_survey_token(token=token)
    except ValidationError as exc:
        return render(
            request,
            "petitions/public/confirm_failed.html",
            {"message": exc.messages[0]},
            status=404,
        )
    return _survey(request, petition, reverse("petitions:survey", args=[token]))


@login_not_required
@require_http_methods(["GET", "POST"])
def case_survey(request, case_number: str):
    petition = _granted(request, case_number)
    if petition is None:
        return redirect("petitions:progress")
    return _survey(request, petition, reverse("petitions:case_survey", args=[case_number]))


@login_not_required
def statistics(request):
    return render(request, "petitions/public/statistics.html", {"stats": public_statistics()})


@login_not_required
def statistics_csv(request):
    stats = public_statistics()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="petition-statistics.csv"'
    response.write("\ufeff")  # Excel opens UTF-8 Chinese correctly with a BOM
    writer = csv.writer(response)
    writer.writerow([_("Table"), _("Item"), _("Value")])
    writer.writerow([_("Summary"), _("Cases"), stats.total])
    writer.writerow([_("Summary"), _("Answered"), stats.answered])
    writer.writerow(
        [
            _("Summary"),
            _("Average handling days"),
            "" if stats.average_days is None else f"{stats.average_days:.1f}",
        ]
    )
    writer.writerow(
        [
            _("Summary"),
            _("Answered in time (%)"),
            "" if stats.in_time_share is None else f"{stats.in_time_share * 100:.1f}",
        ]
    )
    writer.writerow([_("Summary"), _("Survey answers"), stats.survey_count])
    writer.writerow(
        [
            _("Summary"),
            _("Average satisfaction (1-5)"),
            "" if stats.survey_average is None else f"{stats.survey_average:.2f}",
        ]
    )
    for month, n in stats.by_month:
        writer.writerow([_("By month"), month.strftime("%Y-%m"), n])
    for category, n in stats.by_category:
        writer.writerow([_("By category"), str(category) if category else _("Not set"), n])
    for county, n in stats.by_county:
        writer.writerow([_("By county or city"), county.name_zh if county else _("Not set"), n])
    return response
