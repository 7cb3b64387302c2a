"""The OpenAPI schema's error responses, documented once for every operation; JSON bodies.

Request bodies are documented as JSON: the API's resources nest objects and send nulls and
numbers, which a form cannot carry (a nested `organization` in a multipart sign-up is refused).
The form parsers stay for clients that send a flat form; an endpoint that takes a file (a
serializer with a FileField) or names its own parsers is documented as it parses.

drf-spectacular documents what a view returns when it succeeds. Every operation of this API
may also answer 400 (bad input: `{"detail": ...}` or the fields' messages), 401 (a bad or
missing token), 403, 404 (outside your scope, a bad cursor or page) and 429 (the anonymous
throttle); one that takes a body also 413 (too large) and 415 (a media type it does not
parse). `document_errors`, a postprocessing hook, adds them with their bodies, so a client
(and schemathesis, which checks that each status code is documented) knows them all.
"""

from __future__ import annotations

from drf_spectacular import openapi
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.plumbing import force_instance
from rest_framework import serializers
from rest_framework.settings import api_settings

ERROR = "Error"
VALIDATION_ERROR = "ValidationError"
SCHEMAS = {
    ERROR: {
        "type": "object",
        "description": "An error with one message, in the request's language (Chinese by default).",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    },
    VALIDATION_ERROR: {
        "type": "object",
        "description": (
            'Bad input: `{"detail": "..."}`, or each field\'s messages (`{"name": ["..."]}`, nested '
            "for nested objects; `non_field_errors` for the whole), or, for an import, `detail` and "
            "`errors` with each row's."
        ),
        "additionalProperties": {},
    },
}
RESPONSES = {
    "400": ("Bad input.", VALIDATION_ERROR),
    "401": ("No valid credentials (the token is missing, unknown or for an inactive user).", ERROR),
    "403": ("Not permitted for this user.", ERROR),
    "404": ("Not found, or outside the user's scope; also a cursor or page that does not exist.", ERROR),
    "429": ("Too many requests (anonymous clients are throttled).", ERROR),
}
BODY_RESPONSES = {
    "413": ("The request body is larger than the server accepts.", ERROR),
    "415": ("A media type the operation does not accept.", ERROR),
}
EMPTY = {"type": "string", "maxLength": 0}  # an empty query value: no filter
METHODS = {"get", "put", "post", "patch", "delete", "head", "options", "trace"}


def _response(description: str, component: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{component}"}}},
    }


def document_errors(result, generator, request, public):
    """drf-spectacular postprocessing hook: every operation's error responses."""
    result.setdefault("components", {}).setdefault("schemas", {}).update(SCHEMAS)
    for item in result.get("paths", {}).values():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            responses = operation.setdefault("responses", {})
            extra = {**RESPONSES, **(BODY_RESPONSES if "requestBody" in operation else {})}
            for status, (description, component) in extra.items():
                responses.setdefault(status, _response(description, component))
            for parameter in operation.get("parameters", []):
                if (
                    parameter.get("in") == "query"
                    and parameter.get("name") == "format"
                    and "enum" in parameter["schema"]
                ):
                    # DRF's format override: an empty one is none (content negotiation decides).
                    parameter["schema"] = {"anyOf": [parameter["schema"], EMPTY]}
    return result


class AutoSchema(openapi.AutoSchema):
    def map_parsers(self):
        parsers = super().map_parsers()
        if self.view.parser_classes != api_settings.DEFAULT_PARSER_CLASSES or self._takes_a_file():
            return parsers
        return [media for media in parsers if media == "application/json"] or parsers

    def _takes_a_file(self) -> bool:
        serializer = force_instance(self.get_request_serializer())
        fields = getattr(serializer, "fields", None)
        return bool(fields) and any(isinstance(field, serializers.FileField) for field in fields.values())


class FilterExtension(DjangoFilterExtension):
    """django-filter's parameters, with what the FilterSets accept: an empty value of a single
    filter (`?year=`, as a filter bar submits a field left blank) is no filter at all."""

    priority = 1

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        parameters = super().resolve_filter_field(auto_schema, model, filterset_class, field_name, filter_field)
        for parameter in parameters:
            schema = parameter.get("schema", {})
            if schema.get("type") == "array" or schema == {"type": "string"}:
                continue
            parameter["schema"] = {"anyOf": [schema, EMPTY]}
        return parameters
