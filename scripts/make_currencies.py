"""Regenerates projects/data/currencies.json (ISO 4217 with zh_CN names) from pycountry.

Run with the dev requirements: .venv/bin/python scripts/make_currencies.py
"""

import gettext
import json
from pathlib import Path

import pycountry

# Funds, metals and testing codes are not contract currencies.
EXCLUDE = {"XAG", "XAU", "XBA", "XBB", "XBC", "XBD", "XDR", "XPD", "XPT", "XSU", "XTS", "XUA", "XXX"}


def main() -> None:
    zh = gettext.translation("iso4217", pycountry.LOCALES_DIR, languages=["zh_CN"], fallback=True)
    rows = [
        {"code": c.alpha_3, "name_en": c.name, "name_zh": zh.gettext(c.name)}
        for c in sorted(pycountry.currencies, key=lambda c: c.alpha_3)
        if c.alpha_3 not in EXCLUDE
    ]
    out = Path(__file__).resolve().parent.parent / "projects" / "data" / "currencies.json"
    out.write_text(json.dumps(rows, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(rows)} currencies to {out}")


if __name__ == "__main__":
    main()
