"""Texts kept in both of the portal's languages, for what is written once and read later by
people who may read English: notifications (the inbox, e-mail, webhooks).

A `Message` is a message id (written with `gettext_noop`, so that `make messages` extracts it)
and its parameters; `render(language)` translates it then. A parameter that differs by language
(an organisation's or project's English name) is a `Localized`:

    Message(gettext_noop("项目备案已通过：%(name)s"), name=localized_name(project))

`notify()` renders each message in every language of LANGUAGES and stores both texts, so that
the reader's page shows theirs. A plain string stays what it is in both languages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import translation


@dataclass(frozen=True)
class Localized:
    """A value with a Chinese and an English form (a name and its `name_en`)."""

    zh: str
    en: str = ""

    def for_language(self, language: str) -> str:
        return (self.en or self.zh) if language.startswith("en") else self.zh

    def __str__(self) -> str:
        return self.for_language(translation.get_language() or settings.LANGUAGE_CODE)


def localized_name(obj) -> Localized:
    return Localized(obj.name, getattr(obj, "name_en", "") or "")


@dataclass(frozen=True)
class Message:
    msgid: str
    params: dict[str, Any] = field(default_factory=dict)

    def __init__(self, msgid: str, **params: Any) -> None:
        object.__setattr__(self, "msgid", msgid)
        object.__setattr__(self, "params", params)

    def render(self, language: str) -> str:
        with translation.override(language):
            text = translation.gettext(self.msgid)
            if not self.params:
                return text
            values = {
                key: value.for_language(language) if isinstance(value, Localized) else _plain(value, language)
                for key, value in self.params.items()
            }
            return text % values

    def __str__(self) -> str:
        return self.render(translation.get_language() or settings.LANGUAGE_CODE)

    # JSON for Celery: {"msgid": ..., "params": {key: value or {"zh":..., "en":...}}}
    def as_json(self) -> dict:
        return {
            "msgid": self.msgid,
            "params": {k: {"zh": v.zh, "en": v.en} if isinstance(v, Localized) else v for k, v in self.params.items()},
        }

    @classmethod
    def from_json(cls, data) -> Message | str:
        if not isinstance(data, dict):
            return data
        params = {k: Localized(**v) if isinstance(v, dict) else v for k, v in data["params"].items()}
        return cls(data["msgid"], **params)


def _plain(value: Any, language: str) -> Any:
    if isinstance(value, Message):
        return value.render(language)
    return value


def render_all(text: str | Message) -> dict[str, str]:
    """The text in each language of LANGUAGES, keyed by language code."""
    if isinstance(text, Message):
        return {code: text.render(code) for code, _name in settings.LANGUAGES}
    return {code: str(text) for code, _name in settings.LANGUAGES}
