"""The API's JSON parser: DRF's, with limits on what a body may hold.

DRF's JSONParser reads the whole stream (Django's DATA_UPLOAD_MAX_MEMORY_SIZE guards only
`request.body` and forms, which DRF does not use for JSON) and hands any depth of nesting to
`json.load`, whose decoder recurses: about 950 levels of `[` ran out of stack, a RecursionError
and a 500. Here the body is read up to the same limit as a form's (larger is a 413), and
nesting deeper than `MAX_DEPTH` is a 400 before any serializer sees it. Messages are ours.
The FormParser keeps Django's size limit too (DRF reads the stream, not `request.POST`).
"""

from __future__ import annotations

import io
import json

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import parsers
from rest_framework.exceptions import APIException, ParseError
from rest_framework.utils import json as drf_json

# No resource of the API nests deeper than a few levels; 32 leaves room and stays far from the
# decoder's recursion limit (and from orjson's, 255, should a body be echoed back).
MAX_DEPTH = 32


class RequestTooLarge(APIException):
    status_code = 413
    default_detail = gettext_lazy("请求内容过大。")
    default_code = "request_too_large"


def too_large() -> RequestTooLarge:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return RequestTooLarge(_("请求内容过大：最多 %(limit)s 字节。") % {"limit": limit})


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        if stream is None:
            return None
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read() if limit is None else stream.read(limit + 1)
        if limit is not None and len(raw) > limit:
            raise too_large()
        encoding = parsers.get_encoding(parser_context or {})
        parse_constant = drf_json.strict_constant if self.strict else None
        try:
            data = json.loads(raw.decode(encoding), parse_constant=parse_constant)
        except json.JSONDecodeError as exc:
            where = {"line": exc.lineno, "column": exc.colno}
            raise ParseError(_("请求内容不是有效的 JSON（第 %(line)d 行第 %(column)d 列）。") % where) from None
        except (ValueError, RecursionError):  # undecodable bytes, NaN in strict mode, too deep
            raise ParseError(_("请求内容不是有效的 JSON。")) from None
        if depth_exceeds(data, MAX_DEPTH):
            raise ParseError(_("JSON 嵌套层数过多：最多 %(max)d 层。") % {"max": MAX_DEPTH})
        return data


class FormParser(parsers.FormParser):
    """DRF's, with the size limit Django applies to `request.POST` (DRF reads the stream)."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if stream is not None and limit is not None:
            raw = stream.read(limit + 1)
            if len(raw) > limit:
                raise too_large()
            stream = io.BytesIO(raw)
        return super().parse(stream, media_type, parser_context)


def depth_exceeds(data, limit: int) -> bool:
    """Whether arrays and objects nest deeper than `limit`, walked without recursion."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False
