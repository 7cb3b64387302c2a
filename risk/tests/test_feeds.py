"""The machine-readable bulletins: CAP 1.2 documents valid against the OASIS schema for an
Alert, an Update and a Cancel (with the rules the schema does not check), and the Atom feed of
bulletins in force, parsed with feedparser, each entry linking its CAP document."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import feedparser
import pytest
from django.utils import timezone
from lxml import etree

from risk import bulletins

from .factories import BulletinFactory

pytestmark = pytest.mark.django_db

SCHEMA = etree.XMLSchema(etree.parse(str(Path(__file__).parent / "schemas" / "CAP-v1.2.xsd")))
NS = {"cap": "urn:oasis:names:tc:emergency:cap:1.2"}
OFFSET_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")


def cap(client, bulletin):
    response = client.get(f"/risk/bulletins/{bulletin.pk}.cap.xml")
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/cap+xml")
    document = etree.fromstring(response.content)
    SCHEMA.assertValid(document)
    for tag in ("sent", "effective", "expires"):
        for element in document.iterfind(f".//cap:{tag}", NS):
            assert OFFSET_TIME.match(element.text) and not element.text.endswith("-00:00"), element.text
    for tag in ("identifier", "sender"):
        assert not re.search(r"[\s,<&]", document.findtext(f"cap:{tag}", namespaces=NS))
    return document


def text(document, path):
    return document.findtext(path, namespaces=NS)


def test_a_published_bulletin_is_a_valid_cap_alert_with_an_info_per_language(client):
    bulletin = BulletinFactory(
        status="published",
        countries=["KH", "VN"],
        title_en="Security risk in Sihanoukville",
        body_en="Robberies have increased.",
        severity="severe",
    )

    document = cap(client, bulletin)

    assert text(document, "cap:msgType") == "Alert" and text(document, "cap:status") == "Actual"
    assert text(document, "cap:scope") == "Public"
    assert document.find("cap:references", NS) is None
    infos = document.findall("cap:info", NS)
    assert [text(i, "cap:language") for i in infos] == ["zh-CN", "en"]
    zh, en = infos
    assert (text(zh, "cap:category"), text(zh, "cap:severity"), text(zh, "cap:urgency")) == (
        "Security",
        "Severe",
        "Expected",
    )
    assert text(zh, "cap:certainty") == "Likely"
    assert text(zh, "cap:headline") == bulletin.title and text(en, "cap:headline") == bulletin.title_en
    assert [text(a, "cap:geocode/cap:value") for a in zh.findall("cap:area", NS)] == ["KH", "VN"]
    assert text(zh, "cap:area/cap:geocode/cap:valueName") == "ISO3166-1"
    assert text(zh, "cap:area/cap:areaDesc") == "柬埔寨" and text(en, "cap:area/cap:areaDesc") == "Cambodia"


def test_an_update_names_the_earlier_message_in_references(client, cast):
    old = BulletinFactory(status="published", category="health")
    new = bulletins.bulletin_create(
        actor=cast.publisher, data={**bulletins.update_initial(old), "change_note": "疫情扩散"}
    )
    new = bulletins.bulletin_publish(actor=cast.publisher, bulletin=new)

    old_doc, new_doc = cap(client, old), cap(client, new)

    assert text(new_doc, "cap:msgType") == "Update"
    assert text(new_doc, "cap:references") == ",".join(
        [text(old_doc, "cap:sender"), text(old_doc, "cap:identifier"), text(old_doc, "cap:sent")]
    )
    assert text(new_doc, "cap:info/cap:category") == "Health"
    assert [text(i, "cap:language") for i in new_doc.findall("cap:info", NS)] == ["zh-CN"]


def test_a_cancelled_bulletin_is_a_cancel_message_referring_to_its_alert(client, cast):
    bulletin = BulletinFactory(status="published", category="natural_disaster")
    alert = cap(client, bulletin)
    bulletins.bulletin_cancel(actor=cast.publisher, bulletin=bulletin)

    cancel = cap(client, bulletin)

    assert text(cancel, "cap:msgType") == "Cancel"
    assert text(cancel, "cap:identifier") != text(alert, "cap:identifier")
    assert text(cancel, "cap:references") == ",".join(
        [text(alert, "cap:sender"), text(alert, "cap:identifier"), text(alert, "cap:sent")]
    )


def test_a_draft_has_no_cap_document(client, cast):
    bulletin = BulletinFactory()
    client.force_login(cast.publisher)
    assert client.get(f"/risk/bulletins/{bulletin.pk}.cap.xml").status_code == 404


def test_the_atom_feed_lists_bulletins_in_force_each_linking_its_cap_document(client):
    kh = BulletinFactory(status="published", countries=["KH"])
    vn = BulletinFactory(status="published", countries=["VN"])
    BulletinFactory(countries=["KH"])  # a draft
    BulletinFactory(
        status="published",
        effective_at=timezone.now() - timedelta(days=9),
        expires_at=timezone.now() - timedelta(days=1),
    )

    response = client.get("/risk/feed.atom")
    feed = feedparser.parse(response.content)

    assert response.status_code == 200 and not feed.bozo, feed.get("bozo_exception")
    assert {e.title for e in feed.entries} == {kh.title, vn.title}
    for entry in feed.entries:
        caps = [link for link in entry.links if link.get("type") == "application/cap+xml"]
        assert len(caps) == 1 and caps[0].href.endswith(".cap.xml")
    only_kh = feedparser.parse(client.get("/risk/feed.atom", {"country": "kh"}).content)
    assert [e.title for e in only_kh.entries] == [kh.title]
    entry = only_kh.entries[0]
    cap_path = next(link.href for link in entry.links if link.get("type") == "application/cap+xml")
    assert client.get(cap_path.replace("http://testserver", "")).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("bad", ["\x00", "ZZ", "KHM", "1é"])
def test_a_country_the_portal_does_not_know_is_a_404_not_a_500(client, bad):
    assert client.get("/risk/feed.atom", {"country": bad}).status_code == 404
    assert client.get("/risk/feed.atom", {"country": "kh"}).status_code == 200
