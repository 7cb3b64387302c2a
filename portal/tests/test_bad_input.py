"""Bad input that used to reach a 500: cursors with a bad payload, JSON nested too deep, ids past
64 bits, a workbook whose sheet XML is broken, bodies too large or with too many fields, and URLs
under /api/ that match nothing. Each answers a 4xx in JSON with a Chinese message and changes
nothing (the contract: never a 500 for bad input)."""

from __future__ import annotations

import base64
import copy
import io
import json
import zipfile

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from openpyxl import Workbook

from portal.models import AuditEvent
from projects.models import Project
from projects.tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999999"  # far past 2**63


def cursor(payload: str) -> str:
    return base64.b64encode(payload.encode()).decode()


def assert_json_error(response, status, *, field="detail"):
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert field in body, body
    message = json.dumps(body, ensure_ascii=False)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message), message  # a Chinese message
    return body


def chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


# --- Cursors -------------------------------------------------------------------------------

CURSOR_LISTS = ["/api/v1/projects/", "/api/v1/notifications/"]
BAD_CURSORS = [
    cursor("p=abc"),  # cD1hYmM=: a position that is not an id
    cursor("p=%00"),  # cD0lMDA=: a NUL byte
    cursor("p=1.5"),
    cursor("p=" + HUGE),
    cursor("r=1&p=-" + HUGE),
    cursor("o=abc"),
    "garbage",
]


@pytest.mark.parametrize("url", CURSOR_LISTS)
@pytest.mark.parametrize("value", BAD_CURSORS)
def test_a_cursor_with_a_bad_payload_is_a_404_with_a_message(url, value, cast, api):
    api.as_user(cast.owner)
    body = assert_json_error(api.get(url, {"cursor": value}), 404)
    assert chinese(body["detail"])


def test_a_good_cursor_still_pages_through_the_list(cast, api):
    ProjectFactory.create_batch(3, organization=cast.enterprise)
    api.as_user(cast.owner)
    first = api.get("/api/v1/projects/", {"page_size": 2}).json()
    second = api.get(first["next"]).json()
    assert len(first["results"]) == 2
    assert len(second["results"]) == 1


# --- Deeply nested JSON --------------------------------------------------------------------


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize(
    "url",
    ["/api/v1/auth/token/", "/api/v1/auth/signup/", "/api/v1/projects/"],
)
@pytest.mark.parametrize("depth", [950, 5000, 100])
def test_json_nested_too_deep_is_a_400(url, depth, cast, api):
    api.as_user(cast.owner if url == "/api/v1/projects/" else None)
    body = '{"name": ' + nested(depth) + "}"
    before = Project.objects.count(), AuditEvent.objects.count()
    assert_json_error(api.post(url, body, content_type="application/json"), 400)
    assert (Project.objects.count(), AuditEvent.objects.count()) == before


def test_json_nested_too_deep_is_a_400_on_patch(cast, api):
    project = ProjectFactory(organization=cast.enterprise)
    api.as_user(cast.owner)
    body = '{"name": ' + nested(950) + "}"
    assert_json_error(api.patch(f"/api/v1/projects/{project.pk}/", body, content_type="application/json"), 400)
    project.refresh_from_db()
    assert project.name != ""


def test_json_of_ordinary_depth_still_parses(api):
    response = api.post("/api/v1/auth/token/", {"username": "nobody", "password": "x"}, format="json")
    assert response.status_code in (400, 401)


# --- Ids past 64 bits ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        f"/api/v1/projects/?organization={HUGE}",
        f"/api/v1/projects/?organization=-{HUGE}",
        f"/api/v1/projects/statistics/?organization={HUGE}",
        f"/api/v1/projects/map/?organization={HUGE}",
        f"/api/v1/projects/review-queue/?organization={HUGE}",
        f"/api/v1/projects/export/?organization={HUGE}",
        "/api/v1/projects/?organization=0",
    ],
)
def test_an_id_past_64_bits_in_an_api_filter_is_a_400(url, cast, api):
    api.as_user(cast.official)
    body = assert_json_error(api.get(url), 400, field="organization")
    assert chinese(body["organization"][0])


@pytest.mark.parametrize(
    "query",
    [{"year": HUGE, "half": HUGE}, {"year": "-" + HUGE}, {"kind": HUGE}, {"id": HUGE}],
)
def test_a_number_past_64_bits_elsewhere_is_no_server_error(query, cast, api):
    project = ProjectFactory(organization=cast.enterprise)
    api.as_user(cast.official)
    for url in [f"/api/v1/projects/{project.pk}/reports/", "/api/v1/notifications/", "/api/v1/organizations/"]:
        response = api.get(url, query)
        assert response.status_code in (200, 400), (url, query, response.status_code)
        assert response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize(
    "url",
    [
        f"/projects/?organization={HUGE}",
        f"/projects/map/?organization={HUGE}",
        f"/projects/statistics/?organization={HUGE}",
        f"/projects/review/?organization={HUGE}",
    ],
)
@pytest.mark.parametrize("role", ["official", "owner", "anonymous"])
def test_an_id_past_64_bits_on_a_list_page_is_no_server_error(url, role, cast, client):
    if cast.user(role):
        client.force_login(cast.user(role))
    response = client.get(url)
    assert response.status_code in (200, 302, 403), (url, response.status_code)


def test_an_id_past_64_bits_on_the_list_page_shows_the_list(cast, client):
    ProjectFactory(organization=cast.enterprise, filing_status="approved", name="蒙巴萨港扩建工程")
    client.force_login(cast.official)
    response = client.get("/projects/", {"organization": HUGE, "page": "1"})
    assert response.status_code == 200


def test_every_filterset_bounds_its_integer_filters():
    """Every FilterSet of every part is built on portal.filters.FilterSet, whose integer and id
    filters refuse what no 64-bit column can hold."""
    import django_filters

    from portal.filters import FilterSet

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    ours = [
        cls
        for cls in subclasses(django_filters.FilterSet)
        if cls.__module__.split(".")[0] in {"portal", "projects", "suppliers", "talent", "risk"}
    ]
    assert ours
    assert [cls for cls in ours if not issubclass(cls, FilterSet)] == []
    for cls in ours:
        for declared in cls.base_filters.values():
            filter_ = copy.deepcopy(declared)  # .field is cached: leave the class's filters unbuilt
            whole = isinstance(filter_.field, forms.IntegerField) and not isinstance(filter_.field, forms.DecimalField)
            if whole or (isinstance(filter_, django_filters.NumberFilter) and not filter_.method):
                with pytest.raises(ValidationError):
                    filter_.field.clean(HUGE)  # (cls, name) in the traceback


# --- Broken workbooks ----------------------------------------------------------------------


def broken_sheet_workbook() -> bytes:
    """A real .xlsx whose first sheet's XML is cut off in the middle of a tag."""
    book = Workbook()
    book.active.append(["项目名称（name）"])
    good = io.BytesIO()
    book.save(good)
    broken = io.BytesIO()
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(broken, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2] + b"<row <<"
            target.writestr(item, data)
    return broken.getvalue()


def test_an_xlsx_whose_sheet_xml_is_broken_is_a_400_that_says_so(cast, api):
    from django.core.files.uploadedfile import SimpleUploadedFile

    api.as_user(cast.owner)
    upload = SimpleUploadedFile(
        "projects.xlsx",
        broken_sheet_workbook(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    before = Project.objects.count()
    response = api.post("/api/v1/projects/import/", {"file": upload}, format="multipart")
    body = assert_json_error(response, 400, field="file")
    assert "文件无法读取" in json.dumps(body, ensure_ascii=False)
    assert Project.objects.count() == before


# --- Bodies too large, too many fields, and every error under /api/ as JSON ----------------


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
@pytest.mark.parametrize(
    "content_type",
    ["application/json", "application/x-www-form-urlencoded", "multipart/form-data; boundary=BoUnDaRy"],
)
@pytest.mark.parametrize("signed_in", [False, True])
def test_a_body_over_the_size_limit_is_a_413_in_json(content_type, signed_in, cast):
    client = Client()
    if signed_in:
        client.force_login(cast.owner)  # the session's CSRF check reads the form first
    if content_type == "application/json":
        body = json.dumps({"name": "x" * 2000})
    elif content_type.startswith("multipart"):
        body = '--BoUnDaRy\r\nContent-Disposition: form-data; name="name"\r\n\r\n' + "x" * 2000 + "\r\n--BoUnDaRy--\r\n"
    else:
        body = "name=" + "x" * 2000
    before = Project.objects.count()
    response = client.post("/api/v1/auth/token/", body, content_type=content_type)
    assert_json_error(response, 413)
    assert Project.objects.count() == before


@pytest.mark.parametrize("content_type", ["application/x-www-form-urlencoded", "multipart/form-data"])
def test_more_than_a_thousand_form_fields_is_a_400_in_json(content_type, cast, api):
    fields = {f"f{i}": "1" for i in range(1100)}
    response = api.post("/api/v1/auth/token/", fields, format="multipart" if "multipart" in content_type else None)
    if content_type.startswith("application/x-www"):
        from urllib.parse import urlencode

        response = Client().post("/api/v1/auth/token/", urlencode(fields), content_type=content_type)
    assert_json_error(response, 400)


@pytest.mark.parametrize(
    ("method", "url", "status"),
    [
        ("get", "/api/v1/no-such-resource/", 404),
        ("get", "/api/nothing-here", 404),
        ("get", "/api/v1/projects/999999999/", 404),
        ("put", "/api/v1/auth/token/", 405),  # POST issues a token, DELETE revokes it
        ("put", "/api/v1/projects/statistics/", 405),
    ],
)
def test_errors_under_api_are_json(method, url, status, cast, api):
    api.as_user(cast.official)
    assert_json_error(getattr(api, method)(url), status)


def test_a_server_error_under_api_is_json(cast, client, monkeypatch):
    from portal.api import views

    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(views.MeView, "get", boom)
    client.raise_request_exception = False
    client.force_login(cast.owner)
    assert_json_error(client.get("/api/v1/auth/me/"), 500)


def test_pages_outside_api_keep_their_html_errors(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_disallowed_host_under_api_is_a_400_in_json():
    response = Client(HTTP_HOST="evil.example").get("/api/v1/countries/")
    assert_json_error(response, 400)


# --- Lenient parsing that hid a client's mistake --------------------------------------------


@pytest.mark.parametrize("value", ["abc", "0", "-5", "null"])
@pytest.mark.parametrize("url", ["/api/v1/projects/", "/api/v1/countries/"])
def test_a_page_size_that_is_not_a_positive_whole_number_is_a_400(url, value, api, db):
    body = assert_json_error(api.get(url, {"page_size": value}), 400, field="page_size")
    assert chinese(body["page_size"][0])


def test_a_large_page_size_is_capped_and_an_empty_one_is_the_default(api, cast):
    ProjectFactory.create_batch(3, organization=cast.enterprise, approved=True)
    assert len(api.get("/api/v1/projects/", {"page_size": "100000"}).json()["results"]) == 3
    assert len(api.get("/api/v1/projects/", {"page_size": ""}).json()["results"]) == 3


@pytest.mark.parametrize("value", ["maybe", "2", "null", "TRUE "])
def test_a_boolean_filter_that_is_neither_true_nor_false_is_a_400(value, cast, api):
    api.as_user(cast.owner)
    assert_json_error(api.get("/api/v1/notifications/", {"unread": value}), 400, field="unread")


@pytest.mark.parametrize(("value", "status"), [("true", 200), ("false", 200), ("", 200), ("unknown", 200)])
def test_true_false_and_empty_still_filter_as_before(value, status, cast, api):
    api.as_user(cast.owner)
    assert api.get("/api/v1/notifications/", {"unread": value}).status_code == status


def test_an_error_without_a_field_has_a_detail_not_a_bare_list(api, db):
    response = api.get("/api/v1/countries/", {"search": "\x00"})
    if response.status_code == 400:
        assert isinstance(response.json(), dict)
        assert "detail" in response.json()
    else:
        assert response.status_code == 200


def test_the_schema_documents_every_error_response_with_its_body(client, db):
    import yaml

    schema = yaml.safe_load(client.get("/api/schema/").content)
    assert set(schema["components"]["schemas"]["Error"]["required"]) == {"detail"}
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            assert {"400", "401", "403", "404", "429"} <= set(operation["responses"]), (method, path)
            if "requestBody" in operation:
                assert {"413", "415"} <= set(operation["responses"]), (method, path)
                # JSON bodies: a form cannot carry nested objects (uploads aside: Excel imports
                # and certificate scans).
                uploads = ("/import/", "/certificates/")
                assert "application/json" in operation["requestBody"]["content"] or path.endswith(uploads)


@pytest.mark.parametrize(
    "query",
    ["region=africa&region=europe", "year=2020&year=2021", "cursor=a&cursor=b", "page_size=5&page_size=6"],
)
def test_a_single_valued_parameter_given_twice_is_refused(query, cast, api):
    api.as_user(cast.owner)
    response = api.get("/api/v1/projects/?" + query)
    assert response.status_code in (400, 404), (query, response.status_code)
    assert response["Content-Type"].startswith("application/json")


def test_a_page_given_twice_is_a_404_and_a_multiple_choice_filter_still_takes_many(cast, api):
    assert_json_error(api.get("/api/v1/countries/?page=1&page=2"), 404)
    api.as_user(cast.owner)
    assert api.get("/api/v1/projects/?stage=signed&stage=operating").status_code == 200
