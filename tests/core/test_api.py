from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.urls import reverse

pytestmark = pytest.mark.django_db

SCHEMA_FILE = Path(__file__).resolve().parents[1] / "openapi.yaml"


def test_api_root_lists_collections(client):
    response = client.get("/api/v1/")
    assert response.status_code == 200
    links = response.json()["links"]
    assert links["organizations"].endswith("/api/v1/organizations/")
    assert links["counties"].endswith("/api/v1/counties/")


def test_anonymous_request_gets_401_in_the_common_error_shape(client):
    response = client.get("/api/v1/counties/")
    assert response.status_code in (401, 403)
    body = response.json()
    assert body["error"]["status"] == response.status_code
    assert body["error"]["code"] == "not_authenticated"
    assert body["error"]["message"]


def test_counties_are_paginated(client, owner):
    client.force_login(owner)
    response = client.get("/api/v1/counties/", {"page_size": 5})
    body = response.json()
    assert body["count"] == 22
    assert len(body["results"]) == 5
    assert body["next"]


def test_not_found_has_the_error_shape(client, owner):
    client.force_login(owner)
    response = client.get("/api/v1/organizations/NO-SUCH-UNIT/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_bad_filter_value_names_the_field(client, owner):
    client.force_login(owner)
    response = client.get("/api/v1/organizations/", {"kind": "spaceship"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert "kind" in error["fields"]


def test_error_messages_are_translated(client, owner):
    client.force_login(owner)
    response = client.get("/api/v1/organizations/NO-SUCH-UNIT/", HTTP_ACCEPT_LANGUAGE="zh-Hant")
    assert response.json()["error"]["message"] != "Not found."


def test_organizations_filter_by_parent(client, owner, django_assert_max_num_queries):
    client.force_login(owner)
    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/organizations/", {"parent": "MOL-HQ"})
    body = response.json()
    assert body["count"] == 12
    assert {row["parent"] for row in body["results"]} == {"MOL-HQ"}


def test_schema_and_docs_are_served(client):
    schema = client.get(reverse("api-schema"), HTTP_ACCEPT="application/vnd.oai.openapi")
    assert schema.status_code == 200
    assert b"/api/v1/organizations/" in schema.content
    docs = client.get(reverse("api-docs"))
    assert docs.status_code == 200
    assert b"swagger" in docs.content.lower()


def test_committed_schema_matches_the_generated_one(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--lang", "en", "--file", str(out), "--validate")
    generated = yaml.safe_load(out.read_text(encoding="utf-8"))
    committed = yaml.safe_load(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert committed == generated, "run `make schema` and commit tests/openapi.yaml"
