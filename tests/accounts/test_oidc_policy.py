"""Who may use which application (units, roles, directory groups), the refusal page, and the
consent screen (skipped for internal applications only)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from oauth2_provider.models import Grant

from accounts.models import DirectoryGroup, Role, RoleAssignment
from accounts.oidc import metrics
from accounts.oidc.selectors import admitted_users, applications_for_user, user_may_use
from core.models import AuditLogEntry
from tests.accounts.oidc_support import REDIRECT_URI, basic, code_flow_client, pkce_pair, query_of
from tests.language_support import english

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hashing")]


def authorize_params(application, **extra):
    _verifier, challenge = pkce_pair()
    return {
        "response_type": "code",
        "client_id": application.client_id,
        "redirect_uri": REDIRECT_URI,
        "scope": "openid profile",
        "state": "st-1",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        **extra,
    }


# --- The rule -----------------------------------------------------------------------------------


def test_an_application_without_restrictions_is_open_to_every_active_user(
    make_app, make_user, units
):
    application, _ = make_app()
    assert user_may_use(make_user(organization=units["BLI"]), application)
    assert not user_may_use(make_user(organization=units["BLI"], is_active=False), application)


def test_an_allowed_unit_admits_its_sub_units_and_no_other(make_app, make_user, units):
    application, _ = make_app()
    application.allowed_units.add(units["IM"])
    assert user_may_use(make_user(organization=units["IM"]), application)
    assert user_may_use(make_user(organization=units["IM-S1"]), application)
    assert not user_may_use(make_user(organization=units["BLI"]), application)
    assert not user_may_use(make_user(organization=None), application)


def test_an_allowed_role_admits_its_holders_until_the_assignment_ends(make_app, make_user, units):
    application, _ = make_app()
    role = Role.objects.create(application=application, code="clerk", name_zh="承辦人")
    application.allowed_roles.add(role)
    holder = make_user(organization=units["BLI"])
    assignment = RoleAssignment.objects.create(user=holder, role=role)
    assert user_may_use(holder, application)
    assignment.valid_until = timezone.localdate() - timedelta(days=1)
    assignment.save()
    assert not user_may_use(holder, application)


def test_an_allowed_role_held_through_a_directory_group_admits(make_app, make_user, units):
    application, _ = make_app()
    role = Role.objects.create(application=application, code="clerk", name_zh="承辦人")
    application.allowed_roles.add(role)
    group = DirectoryGroup.objects.create(directory="wda", dn="cn=clerks", name="clerks")
    group.roles.add(role)
    member = make_user(organization=units["BLI"])
    group.members.add(member)
    assert user_may_use(member, application)
    assert member in admitted_users(application)


def test_an_allowed_directory_group_admits_its_members(make_app, make_user, units):
    application, _ = make_app()
    group = DirectoryGroup.objects.create(directory="mol", dn="cn=it", name="it")
    application.allowed_directory_groups.add(group)
    member, stranger = make_user(organization=units["BLI"]), make_user(organization=units["BLI"])
    group.members.add(member)
    assert user_may_use(member, application)
    assert not user_may_use(stranger, application)


def test_any_one_of_the_three_is_enough(make_app, make_user, units):
    application, _ = make_app()
    application.allowed_units.add(units["IM"])
    group = DirectoryGroup.objects.create(directory="mol", dn="cn=x", name="x")
    application.allowed_directory_groups.add(group)
    outsider = make_user(organization=units["BLI"])
    assert not user_may_use(outsider, application)
    group.members.add(outsider)
    assert user_may_use(outsider, application)


def test_applications_for_user_lists_only_the_admitted_ones(make_app, make_user, units):
    open_app, _ = make_app()
    im_only, _ = make_app()
    im_only.allowed_units.add(units["IM"])
    bli_only, _ = make_app()
    bli_only.allowed_units.add(units["BLI"])
    user = make_user(organization=units["IM-S1"])
    assert set(applications_for_user(user)) == {open_app, im_only}


def test_admitted_users_follows_the_same_rule(make_app, make_user, units):
    application, _ = make_app()
    application.allowed_units.add(units["IM"])
    inside = make_user(organization=units["IM-S1"])
    outside = make_user(organization=units["BLI"])
    admitted = set(admitted_users(application))
    assert inside in admitted and outside not in admitted


# --- At the authorize step ----------------------------------------------------------------------


def test_a_user_outside_the_policy_gets_a_translated_refusal_page_and_it_is_audited(
    client, make_app, outsider, units
):
    application, _ = make_app(name="公文系統", name_en="Document system")
    application.allowed_units.add(units["IM"])
    client.force_login(outsider)

    response = english(client).get("/o/authorize/", authorize_params(application))
    assert response.status_code == 403
    assert "accounts/oidc/refused.html" in [t.name for t in response.templates]
    assert "intranet/base.html" in [t.name for t in response.templates]
    assert "Document system" in response.content.decode()
    assert not Grant.objects.exists()
    entry = AuditLogEntry.objects.get(message__startswith="oidc.policy_refused")
    assert entry.actor == outsider and application.client_id in entry.message

    chinese = english(client, "zh-hant").get("/o/authorize/", authorize_params(application))
    assert "公文系統" in chinese.content.decode()
    totals = metrics.snapshot()["sso_policy_refusals_total"]["values"][0]["value"]
    assert totals == 2


def test_a_silent_sign_in_outside_the_policy_answers_access_denied_to_the_application(
    client, make_app, outsider, units
):
    application, _ = make_app()
    application.allowed_units.add(units["IM"])
    client.force_login(outsider)
    response = client.get("/o/authorize/", authorize_params(application, prompt="none"))
    assert response.status_code == 302
    answer = query_of(response["Location"])
    assert answer == {"error": "access_denied", "state": "st-1", "iss": "http://testserver/o"}


def test_a_refresh_token_stops_working_when_the_user_leaves_the_allowed_unit(
    client, make_app, make_user, units
):
    application, secret = make_app()
    application.allowed_units.add(units["IM"])
    user = make_user(organization=units["IM"])
    client.force_login(user)
    token = code_flow_client(client, application, secret)
    user.organization = units["BLI"]
    user.save()
    response = client.post(
        "/o/token/",
        {"grant_type": "refresh_token", "refresh_token": token["refresh_token"]},
        headers=basic(application.client_id, secret),
    )
    assert response.status_code == 400
    assert AuditLogEntry.objects.filter(
        message__startswith="oidc.policy_refused", message__contains="step=refresh"
    ).exists()


# --- Consent ------------------------------------------------------------------------------------


def test_an_internal_application_skips_the_consent_screen(client, make_app, owner):
    application, _ = make_app(is_internal=True)
    client.force_login(owner)
    response = client.get("/o/authorize/", authorize_params(application))
    assert response.status_code == 302
    assert "code" in query_of(response["Location"])


def test_internal_means_no_consent_even_when_the_flag_was_saved_inconsistently(
    client, make_app, owner
):
    application, _ = make_app(is_internal=True, skip_authorization=False)
    client.force_login(owner)
    response = client.get("/o/authorize/", authorize_params(application))
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.skip_authorization is True


def test_an_external_application_asks_for_consent_and_the_answer_is_audited(
    client, make_app, owner
):
    application, _ = make_app(is_internal=False, name_en="Training partner")
    client.force_login(owner)
    params = authorize_params(application)
    page = english(client).get("/o/authorize/", params)
    assert page.status_code == 200
    assert "Training partner" in page.content.decode()
    assert "Your name, employee number, unit and title" in page.content.decode()

    form = {k: v for k, v in params.items() if k != "prompt"}
    granted = client.post("/o/authorize/", {**form, "allow": "yes"})
    assert granted.status_code == 302 and "code" in query_of(granted["Location"])
    assert AuditLogEntry.objects.filter(message__startswith="oidc.consent_granted").count() == 1


def test_refusing_consent_sends_access_denied_and_is_audited(client, make_app, owner):
    application, _ = make_app(is_internal=False)
    client.force_login(owner)
    form = authorize_params(application)
    refused = client.post("/o/authorize/", form)
    assert refused.status_code == 302
    assert query_of(refused["Location"])["error"] == "access_denied"
    assert AuditLogEntry.objects.filter(message__startswith="oidc.consent_refused").exists()


def test_an_external_application_is_not_asked_again_for_granted_scopes(client, make_app, owner):
    application, secret = make_app(is_internal=False)
    client.force_login(owner)
    verifier, challenge = pkce_pair()
    form = authorize_params(application, code_challenge=challenge)
    first = client.post("/o/authorize/", {**form, "allow": "yes"})
    token = client.post(
        "/o/token/",
        {
            "grant_type": "authorization_code",
            "code": query_of(first["Location"])["code"],
            "redirect_uri": REDIRECT_URI,
            "code_verifier": verifier,
        },
        headers=basic(application.client_id, secret),
    )
    assert token.status_code == 200
    # With a live token for the same scopes, the next sign-in goes straight through.
    again = client.get("/o/authorize/", authorize_params(application))
    assert again.status_code == 302 and "code" in query_of(again["Location"])
    # A new scope is asked for again.
    wider = client.get("/o/authorize/", authorize_params(application, scope="openid profile email"))
    assert wider.status_code == 200


def test_a_silent_sign_in_to_an_external_application_without_consent_asks_for_it(
    client, make_app, owner
):
    application, _ = make_app(is_internal=False)
    client.force_login(owner)
    response = client.get("/o/authorize/", authorize_params(application, prompt="none"))
    assert response.status_code == 302
    assert query_of(response["Location"])["error"] == "consent_required"


def test_a_silent_sign_in_to_an_internal_application_gives_a_code(client, make_app, owner):
    application, _ = make_app(is_internal=True)
    client.force_login(owner)
    response = client.get("/o/authorize/", authorize_params(application, prompt="none"))
    assert response.status_code == 302
    assert "code" in query_of(response["Location"])
