import pytest
from django.core.exceptions import ValidationError

from portal.validators import validate_credit_code

# Published codes of real companies (Tencent, Huawei, Alibaba) and the GB 32100-2015 example.
REAL_CODES = ["91440300708461136T", "914403001922038216", "91330100716105852F", "91350100M000100Y43"]


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_credit_codes_are_accepted(code):
    validate_credit_code(code)


def test_lowercase_is_accepted_as_the_same_code():
    validate_credit_code("91330100716105852f")


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("91440300708461136X", "credit_code_checksum"),  # one wrong check character
        ("91440300708461163T", "credit_code_checksum"),  # two digits swapped
        ("9144030070846113", "credit_code_length"),
        ("91440300708461136TT", "credit_code_length"),
        ("", "credit_code_length"),
        ("9144030070846I136T", "credit_code_charset"),  # I is not in the character set
        ("91440300708461136O", "credit_code_charset"),  # nor is O
        ("91AB0300708461136T", "credit_code_region"),
    ],
)
def test_invalid_credit_codes_are_rejected_with_a_reason(code, error):
    with pytest.raises(ValidationError) as exc:
        validate_credit_code(code)
    assert exc.value.code == error
