"""Regenerates portal/data/countries.json from pycountry (ISO 3166-1 with its zh_CN names).

Run with the dev requirements installed: .venv/bin/python scripts/make_countries.py
The JSON is committed; the data migration loads it, so the running portal needs no pycountry.
Regions follow the portal's ten (CONTRACT.md); Chinese names use the forms of MOFCOM's
country guides where the ISO long form reads oddly.
"""

import gettext
import json
from pathlib import Path

import pycountry

REGIONS = {
    "africa": "DZ AO BJ BW BF BI CV CM CF TD KM CG CD CI DJ EG GQ ER SZ ET GA GM GH GN GW KE LS LR LY MG MW ML "
    "MR MU MA MZ NA NE NG RW ST SN SC SL SO ZA SS SD TZ TG TN UG ZM ZW EH RE YT SH",
    "southeast_asia": "BN KH ID LA MM MY PH SG TH TL VN",
    "south_asia": "AF BD BT IN MV NP PK LK IO",
    "central_asia": "KZ KG TJ TM UZ",
    "middle_east": "AE BH IL IQ IR JO KW LB OM PS QA SA SY TR YE AM AZ GE",
    "east_asia": "CN HK MO TW JP KR KP MN",
    "north_america": "US CA BM PM GL UM",
    "latin_america": "AI AG AR AW BS BB BZ BQ BO BR VG KY CL CO CR CU CW DM DO EC SV FK GF GD GP GT GY HT HN JM "
    "MQ MS MX NI PA PY PE PR BL KN LC MF VC SX SR TT TC UY VI VE GS",
    "oceania": "AU NZ FJ PG SB VU NC PF WS TO TV KI NR MH FM PW CK NU TK WF AS GU MP PN NF CX CC HM AQ BV TF",
}
ZH = {
    "TW": "中国台湾",
    "HK": "中国香港",
    "MO": "中国澳门",
    "KR": "韩国",
    "KP": "朝鲜",
    "LA": "老挝",
    "IR": "伊朗",
    "SY": "叙利亚",
    "VE": "委内瑞拉",
    "BO": "玻利维亚",
    "TZ": "坦桑尼亚",
    "RU": "俄罗斯",
    "MD": "摩尔多瓦",
    "VN": "越南",
    "PS": "巴勒斯坦",
    "CD": "刚果（金）",
    "CG": "刚果（布）",
    "FM": "密克罗尼西亚联邦",
    "KG": "吉尔吉斯斯坦",
    "KH": "柬埔寨",
    "GB": "英国",
    "US": "美国",
    "CI": "科特迪瓦",
    "MK": "北马其顿",
}
EN = {"TW": "Taiwan, China", "HK": "Hong Kong, China", "MO": "Macao, China"}


def main() -> None:
    zh = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["zh_CN"])
    region_of = {code: region for region, codes in REGIONS.items() for code in codes.split()}
    rows = []
    for c in sorted(pycountry.countries, key=lambda c: c.alpha_2):
        rows.append(
            {
                "code": c.alpha_2,
                "alpha3": c.alpha_3,
                "name_zh": ZH.get(c.alpha_2, zh.gettext(c.name)),
                "name_en": EN.get(c.alpha_2, getattr(c, "common_name", None) or c.name),
                "region": region_of.get(c.alpha_2, "europe"),
            }
        )
    out = Path(__file__).resolve().parent.parent / "portal" / "data" / "countries.json"
    out.write_text(json.dumps(rows, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(rows)} countries to {out}")


if __name__ == "__main__":
    main()
