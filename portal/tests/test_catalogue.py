"""The English catalogue is complete, current and compiled, and Chinese messages carry no
English gloss: an English reader never meets a Chinese string the catalogue forgot, and a
Chinese reader never meets English inside a Chinese sentence."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

PO = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
CJK = re.compile(r"[\u4e00-\u9fff]")
# An English phrase in parentheses inside Chinese text: "日期不能晚于今天（the date is in the future）".
GLOSS = re.compile(r"[（(][A-Za-z][^（）()]* [^（）()]*[)）]")
SKIP = {".venv", "var", ".git", "staticfiles", "htmlcov", "node_modules", ".pytest_cache"}


def _entries(catalogue):
    return [entry for entry in catalogue if not entry.obsolete]


def test_every_message_has_its_english():
    missing = [
        entry.msgid for entry in _entries(polib.pofile(str(PO))) if not entry.translated() or "fuzzy" in entry.flags
    ]
    assert missing == [], "untranslated or fuzzy: make messages, then translate these"


def test_the_compiled_catalogue_matches_the_source():
    po = {(e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural for e in _entries(polib.pofile(str(PO)))}
    mo = {(e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural for e in polib.mofile(str(MO)) if e.msgid}
    stale = sorted(str(key[1]) for key in po.keys() ^ mo.keys())
    stale += sorted(str(key[1]) for key in po.keys() & mo.keys() if str(po[key]) != str(mo[key]))
    assert stale == [], "the .mo is stale: run make messages"


def test_chinese_messages_carry_no_english_gloss():
    glossed = [e.msgid for e in _entries(polib.pofile(str(PO))) if CJK.search(e.msgid) and GLOSS.search(e.msgid)]
    assert glossed == []


@pytest.mark.slow
def test_the_catalogue_holds_every_message_of_the_sources(tmp_path):
    """Extracting the messages afresh adds nothing: no string in the code waits for `make messages`."""
    root = Path(settings.BASE_DIR)
    copy = tmp_path / "tree"
    shutil.copytree(root, copy, ignore=lambda _dir, names: [n for n in names if n in SKIP], symlinks=True)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "en", "--ignore=.venv/*", "--ignore=var/*"],
        cwd=copy,
        env={"PATH": "/usr/bin:/bin", "DEBUG": "1", "HOME": str(tmp_path)},
        check=True,
        capture_output=True,
    )
    fresh = {(e.msgctxt, e.msgid) for e in _entries(polib.pofile(str(copy / PO.relative_to(root))))}
    committed = {(e.msgctxt, e.msgid) for e in _entries(polib.pofile(str(PO)))}
    assert sorted(m for _, m in fresh - committed) == [], "new messages: run make messages and translate them"
    assert sorted(m for _, m in committed - fresh) == [], "messages no longer in the code: run make messages"
