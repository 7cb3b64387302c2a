"""Writes locale/zh_Hans/LC_MESSAGES/django.po: the portal's wording for the messages of Django
and Django REST framework that users meet, replacing the literal translations that ship with
them ("具有 统一社会信用代码 的 组织 已存在。", "确保该变量包含不超过 5000 字符").

The portal's own strings are Chinese already and need no catalogue; this one holds only
overrides. Django reads LOCALE_PATHS before the catalogues of Django and its apps, so an entry
here wins. Run `make messages` after editing (it runs this script, then compilemessages).
"""

from pathlib import Path

import polib

SINGULAR = {
    # Django: model and form validation.
    "%(model_name)s with this %(field_label)s already exists.": "已有%(model_name)s使用此%(field_label)s。",
    "%(model_name)s with this %(field_labels)s already exists.": "已有%(model_name)s使用此%(field_labels)s。",
    "This field cannot be blank.": "此项不能为空。",
    "This field cannot be null.": "此项不能为空。",
    "This field is required.": "此项为必填项。",
    "Enter a valid email address.": "请填写有效的电子邮箱地址。",
    "Enter a valid URL.": "请填写有效的网址。",
    "Enter a valid date.": "请填写有效的日期。",
    "Enter a valid date/time.": "请填写有效的日期和时间。",
    "Enter a whole number.": "请填写整数。",
    "Enter a number.": "请填写数字。",
    "Select a valid choice. %(value)s is not one of the available choices.": "请从列表中选择：%(value)s 不是可选项。",
    "Select a valid choice. That choice is not one of the available choices.": "请从列表中选择：所选的不是可选项。",
    "Value %(value)r is not a valid choice.": "%(value)r 不是可选项。",
    "Ensure this value is less than or equal to %(limit_value)s.": "不能大于 %(limit_value)s。",
    "Ensure this value is greater than or equal to %(limit_value)s.": "不能小于 %(limit_value)s。",
    # Django REST framework: serializer fields.
    "This field may not be blank.": "此项不能为空。",
    "This field may not be null.": "此项不能为空。",
    "Ensure this field has no more than {max_length} characters.": "最多 {max_length} 个字符。",
    "Ensure this field has at least {min_length} characters.": "至少 {min_length} 个字符。",
    "Ensure this value is less than or equal to {max_value}.": "不能大于 {max_value}。",
    "Ensure this value is greater than or equal to {min_value}.": "不能小于 {min_value}。",
    "Ensure that there are no more than {max_digits} digits in total.": "最多 {max_digits} 位数字。",
    "Ensure that there are no more than {max_decimal_places} decimal places.": "最多 {max_decimal_places} 位小数。",
    "Ensure that there are no more than {max_whole_digits} digits before the decimal point.": (
        "整数部分最多 {max_whole_digits} 位。"
    ),
    "A valid integer is required.": "请填写整数。",
    "A valid number is required.": "请填写数字。",
    '"{input}" is not a valid choice.': "“{input}”不是可选项。",
    "Date has wrong format. Use one of these formats instead: {format}.": "日期格式不正确，请按 {format} 填写。",
    "Datetime has wrong format. Use one of these formats instead: {format}.": "时间格式不正确，请按 {format} 填写。",
    'Invalid pk "{pk_value}" - object does not exist.': "编号 {pk_value} 不存在。",
    "Incorrect type. Expected pk value, received {data_type}.": "类型不正确：应填编号，收到的是 {data_type}。",
    "Not a valid string.": "请填写文字。",
    "Must be a valid boolean.": "请填写 true 或 false。",
    "This field must be unique.": "此项已被使用。",
    "The fields {field_names} must make a unique set.": "{field_names} 的组合已存在。",
    'Expected a list of items but got type "{input_type}".': "应为列表，收到的是 {input_type}。",
    "Invalid data. Expected a dictionary, but got {datatype}.": "数据无效：应为对象，收到的是 {datatype}。",
    "Authentication credentials were not provided.": "未提供身份认证信息，请先登录或携带 API 令牌。",
    "Incorrect authentication credentials.": "身份认证信息不正确。",
    "Invalid token.": "API 令牌无效。",
    "Invalid token header. No credentials provided.": "Authorization 头缺少令牌。",
    "Invalid token header. Token string should not contain spaces.": "Authorization 头的令牌不能包含空格。",
    "You do not have permission to perform this action.": "您没有执行该操作的权限。",
    'Method "{method}" not allowed.': "不支持 {method} 请求。",
    'Unsupported media type "{media_type}" in request.': "不支持的请求内容类型：{media_type}。",
    "Request was throttled.": "请求过于频繁。",
    "Not found.": "未找到。",
    "Expected available in {wait} second.": "请 {wait} 秒后再试。",
    "Expected available in {wait} seconds.": "请 {wait} 秒后再试。",
}
PLURAL = {
    (
        "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
    ): "最多 %(limit_value)d 个字符（现有 %(show_value)d 个）。",
    (
        "Ensure this value has at least %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at least %(limit_value)d characters (it has %(show_value)d).",
    ): "至少 %(limit_value)d 个字符（现有 %(show_value)d 个）。",
    (
        "Ensure that there are no more than %(max)s digit in total.",
        "Ensure that there are no more than %(max)s digits in total.",
    ): "最多 %(max)s 位数字。",
    (
        "Ensure that there are no more than %(max)s decimal place.",
        "Ensure that there are no more than %(max)s decimal places.",
    ): "最多 %(max)s 位小数。",
}


def main():
    po = polib.POFile(wrapwidth=100)
    po.metadata = {
        "Project-Id-Version": "overseas-portal",
        "MIME-Version": "1.0",
        "Content-Transfer-Encoding": "8bit",
        "Content-Type": "text/plain; charset=UTF-8",
        "Language": "zh_Hans",
        "Plural-Forms": "nplurals=1; plural=0;",
    }
    for msgid, msgstr in SINGULAR.items():
        flags = ["python-format"] if "%(" in msgid else []
        po.append(polib.POEntry(msgid=msgid, msgstr=msgstr, flags=flags))
    for (one, many), msgstr in PLURAL.items():
        flags = ["python-format"] if "%(" in one else []
        po.append(polib.POEntry(msgid=one, msgid_plural=many, msgstr_plural={0: msgstr}, flags=flags))
    path = Path(__file__).resolve().parent.parent / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    po.save(str(path))


if __name__ == "__main__":
    main()
