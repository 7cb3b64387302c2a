"""Helpers shared by the portal shell's page tests (test_views*.py)."""

from portal.choices import OrganizationKind
from portal.testing.factories import valid_credit_code


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def signup_data(**overrides) -> dict:
    data = {
        "name": "湖北江汉海外工程有限公司",
        "name_en": "Hubei Jianghan Overseas Engineering Co., Ltd.",
        "kind": OrganizationKind.ENTERPRISE,
        "credit_code": valid_credit_code(),
        "province": "湖北省",
        "city": "武汉市",
        "contact_email": "office@jianghan.example.cn",
        "username": "jianghan-admin",
        "display_name": "王经理",
        "email": "wang@jianghan.example.cn",
        "password1": "Jianghan-overseas-2026",
        "password2": "Jianghan-overseas-2026",
    }
    data.update(overrides)
    return data
