"""The bulletins for machines: an Atom feed of those in force (`/risk/feed.atom`, `?country=KH`
for one country), each entry linking its OASIS CAP 1.2 document (`/risk/bulletins/<id>.cap.xml`,
`type="application/cap+xml"`), as alert aggregators such as the IFRC Alert Hub read them.

CAP rules the schema does not check (schemas/README.md): times carry a numeric offset
(`+08:00`), never `Z` or `-00:00`; `identifier` and `sender` hold no spaces, commas, `<` or `&`;
an Update or a Cancel names the earlier message in `references` as `sender,identifier,sent`.
A published bulletin is an Alert, an update of another one an Update, a cancelled one a Cancel
(a message of its own, identified `<identifier>.cancel`, referring to the Alert or Update)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone, translation
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from portal.models import Country

from .bulletins import bulletin_url
from .choices import BulletinCategory, BulletinStatus
from .models import RiskBulletin

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
CAP_TYPE = "application/cap+xml"

#: The bulletin categories in CAP's (Geo, Met, Safety, Security, Rescue, Fire, Health, Env,
#: Transport, Infra, CBRNE, Other).
CAP_CATEGORY = {
    BulletinCategory.POLITICAL: "Security",
    BulletinCategory.SECURITY: "Security",
    BulletinCategory.TERRORISM: "Security",
    BulletinCategory.CIVIL_UNREST: "Security",
    BulletinCategory.CRIME: "Security",
    BulletinCategory.KIDNAPPING: "Security",
    BulletinCategory.HEALTH: "Health",
    BulletinCategory.NATURAL_DISASTER: "Geo",
    BulletinCategory.ECONOMIC: "Other",
    BulletinCategory.LEGAL: "Other",
    BulletinCategory.LABOUR: "Other",
}


def cap_time(value) -> str:
    """A CAP dateTime: local time, seconds, numeric offset (`2026-06-01T09:30:00+08:00`)."""
    return timezone.localtime(value).replace(microsecond=0).isoformat()


def _host() -> str:
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return re.sub(r"[^A-Za-z0-9.-]", "-", host)


def cap_sender() -> str:
    return f"risk@{_host()}"


def cap_identifier(bulletin: RiskBulletin, *, cancel: bool = False) -> str:
    base = f"{_host()}.risk-bulletin.{bulletin.pk}"
    return f"{base}.cancel" if cancel else base


def _reference(bulletin: RiskBulletin) -> str:
    """`sender,identifier,sent` of the bulletin's own Alert or Update."""
    return f"{cap_sender()},{cap_identifier(bulletin)},{cap_time(bulletin.published_at)}"


def _sub(parent, tag: str, text: str | None = None):
    element = ET.SubElement(parent, f"{{{CAP_NS}}}{tag}")
    if text is not None:
        element.text = text
    return element


def cap_document(bulletin: RiskBulletin, *, site: str = "") -> bytes:
    """The bulletin as a CAP 1.2 alert message (UTF-8 XML)."""
    cancelled = bulletin.status == BulletinStatus.CANCELLED
    if cancelled:
        msg_type, sent, references = "Cancel", bulletin.cancelled_at, _reference(bulletin)
    elif bulletin.supersedes_id:
        msg_type, sent, references = "Update", bulletin.published_at, _reference(bulletin.supersedes)
    else:
        msg_type, sent, references = "Alert", bulletin.published_at, ""
    ET.register_namespace("", CAP_NS)
    alert = ET.Element(f"{{{CAP_NS}}}alert")
    _sub(alert, "identifier", cap_identifier(bulletin, cancel=cancelled))
    _sub(alert, "sender", cap_sender())
    _sub(alert, "sent", cap_time(sent))
    _sub(alert, "status", "Actual")
    _sub(alert, "msgType", msg_type)
    _sub(alert, "scope", "Public")
    if bulletin.change_note and msg_type == "Update":
        _sub(alert, "note", bulletin.change_note)
    if references:
        _sub(alert, "references", references)
    countries = list(bulletin.countries.all())
    languages = [("zh-CN", "zh-hans", bulletin.title, bulletin.body)]
    if bulletin.title_en and bulletin.body_en:
        languages.append(("en", "en", bulletin.title_en, bulletin.body_en))
    for cap_language, django_language, headline, description in languages:
        with translation.override(django_language):
            info = _sub(alert, "info")
            _sub(info, "language", cap_language)
            _sub(info, "category", CAP_CATEGORY[bulletin.category])
            _sub(info, "event", str(BulletinCategory(bulletin.category).label))
            _sub(info, "urgency", bulletin.urgency.capitalize())
            _sub(info, "severity", bulletin.severity.capitalize())
            _sub(info, "certainty", bulletin.certainty.capitalize())
            _sub(info, "effective", cap_time(bulletin.effective_at))
            _sub(info, "expires", cap_time(bulletin.expires_at))
            _sub(info, "senderName", str(_("走出去企业服务平台")))
            _sub(info, "headline", headline[:160])
            _sub(info, "description", description)
            if site:
                _sub(info, "web", site + bulletin_url(bulletin))
            for country in countries:
                area = _sub(info, "area")
                _sub(area, "areaDesc", country.name_en if django_language == "en" else country.name_zh)
                geocode = _sub(area, "geocode")
                _sub(geocode, "valueName", "ISO3166-1")
                _sub(geocode, "value", country.code)
    return ET.tostring(alert, encoding="utf-8", xml_declaration=True)


def bulletin_cap(request, pk):
    """`/risk/bulletins/<id>.cap.xml`: a published or cancelled bulletin in CAP 1.2."""
    bulletin = get_object_or_404(RiskBulletin.objects.select_related("supersedes"), pk=pk)
    if bulletin.status == BulletinStatus.DRAFT:
        raise Http404
    site = request.build_absolute_uri("/").rstrip("/")
    return HttpResponse(cap_document(bulletin, site=site), content_type=f"{CAP_TYPE}; charset=utf-8")


class CapLinkedAtomFeed(Atom1Feed):
    """Atom with, in each entry, a link to the entry's CAP document."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement("link", "", {"rel": "alternate", "type": CAP_TYPE, "href": item["cap_url"]})


class BulletinFeed(Feed):
    """`/risk/feed.atom`: published bulletins in force, newest first; `?country=KH` for one."""

    feed_type = CapLinkedAtomFeed
    limit = 100

    def get_object(self, request, *args, **kwargs):
        """The country asked for (its ISO code, any case), "" for all; a code the portal does
        not know, or anything that is not one (a NUL byte once made this a 500), is a 404."""
        self.request = request
        code = (request.GET.get("country") or "").strip().upper()
        if code and not (
            len(code) == 2 and code.isascii() and code.isalpha() and Country.objects.filter(code=code).exists()
        ):
            raise Http404
        return code

    def title(self, obj):
        return _("风险通报") if not obj else _("风险通报：%(country)s") % {"country": obj}

    def link(self, obj):
        return "/risk/bulletins/"

    def subtitle(self, obj):
        return _("现行有效的境外安全风险通报，附 CAP 1.2 预警格式。")

    def items(self, obj):
        bulletins = RiskBulletin.objects.in_force().prefetch_related("countries")
        if obj:
            bulletins = bulletins.filter(countries=obj)
        return bulletins.order_by("-published_at", "-id")[: self.limit]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.body

    def item_link(self, item):
        return bulletin_url(item)

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_categories(self, item):
        return [item.category, *(c.code for c in item.countries.all())]

    def item_extra_kwargs(self, item):
        return {"cap_url": self.request.build_absolute_uri(f"/risk/bulletins/{item.pk}.cap.xml")}
