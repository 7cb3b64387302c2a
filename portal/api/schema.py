"""The OpenAPI schema's error responses, documented once for every operation.

drf-spectacular documents what a view returns when it succeeds. Every operation of this API
may also answer 400 (bad input: `{"detail": ...}` or the fields' messages), 401 (a bad or
missing token), 403, 404 (outside your scope, a bad cursor or page) and 429 (the anonymous
throttle); one that takes a body also 413 (too large) and 415 (a media type it does not
parse). `document_errors`, a postprocessing hook, adds them with their bodies, so a client
(and schemathesis, which checks that each status code is documented) knows them all.
"""

from __future__ import annotations

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
    return result
