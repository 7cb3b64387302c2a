"""Validators for identifiers used across the portal."""

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

# GB 32100-2015 统一社会信用代码: 18 characters from this 31-character set (no I, O, S, V, Z).
CREDIT_CODE_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_check_char(first17: str) -> str:
    """The check character (position 18) for the first 17 characters of a credit code."""
    total = sum(CREDIT_CODE_CHARSET.index(c) * w for c, w in zip(first17, CREDIT_CODE_WEIGHTS, strict=True))
    return CREDIT_CODE_CHARSET[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> None:
    """Validate a unified social credit code (统一社会信用代码) per GB 32100-2015."""
    code = (value or "").strip().upper()
    if len(code) != 18:
        raise ValidationError(
            _("统一社会信用代码应为18位。"),
            code="credit_code_length",
        )
    bad = sorted({c for c in code if c not in CREDIT_CODE_CHARSET})
    if bad:
        raise ValidationError(
            _("统一社会信用代码含有无效字符 %(chars)s。"),
            code="credit_code_charset",
            params={"chars": "".join(bad)},
        )
    if not code[2:8].isdigit():
        raise ValidationError(
            _("统一社会信用代码第3至8位应为行政区划码。"),
            code="credit_code_region",
        )
    if credit_code_check_char(code[:17]) != code[17]:
        raise ValidationError(
            _("统一社会信用代码校验位不正确。"),
            code="credit_code_checksum",
        )


# Webhooks are delivered over HTTP(S) only.
validate_webhook_url = URLValidator(schemes=["http", "https"])
