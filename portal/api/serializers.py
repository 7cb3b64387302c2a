"""Serializers for accounts, organisations, countries and notifications."""

from collections.abc import Mapping
from datetime import UTC

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import ISO_8601, serializers
from rest_framework.fields import SkipField
from rest_framework.settings import api_settings

from .. import services
from ..choices import SIGNUP_KINDS, MembershipRole, NotificationKind
from ..models import Country, ImportJob, Membership, Organization, User, localized_url
from ..services.accounts import webhook_secret_hint
from ..validators import validate_webhook_url
from .renderers import JSONRenderer


class CountrySerializer(serializers.ModelSerializer):
    class Meta:
        model = Country
        fields = ["code", "alpha3", "name_zh", "name_en", "region"]


class OrganizationSerializer(serializers.ModelSerializer):
    verified = serializers.SerializerMethodField()
    webhook_secret = serializers.SerializerMethodField(
        help_text="HMAC key for X-Portal-Signature. Given in full once, in the sign-up answer and in the answer of "
        "POST webhook-secret/ (which replaces it); null afterwards."
    )
    webhook_secret_hint = serializers.SerializerMethodField(
        help_text="The secret's last four characters, for the organisation's admins; null for everyone else."
    )

    class Meta:
        model = Organization
        fields = [
            "id",
            "name",
            "name_en",
            "kind",
            "credit_code",
            "province",
            "city",
            "contact_email",
            "webhook_url",
            "webhook_secret",
            "webhook_secret_hint",
            "verified",
            "created_at",
        ]
        read_only_fields = ["kind", "credit_code", "created_at"]
        extra_kwargs = {"webhook_url": {"validators": [validate_webhook_url]}}

    def get_verified(self, obj) -> bool:
        return obj.verified_at is not None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_webhook_secret(self, obj) -> str | None:
        # Only the answers that create or replace the secret put it in the context.
        return obj.webhook_secret if self.context.get("reveal_webhook_secret") else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_webhook_secret_hint(self, obj) -> str | None:
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_org_admin and user.organization.pk == obj.pk:
            return webhook_secret_hint(obj.webhook_secret)
        return None


class SignupOrganizationSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=SIGNUP_KINDS)

    class Meta:
        model = Organization
        fields = ["name", "name_en", "kind", "credit_code", "province", "city", "contact_email", "webhook_url"]
        extra_kwargs = {"webhook_url": {"validators": [validate_webhook_url]}}

    def to_internal_value(self, data):
        if isinstance(data, dict) and isinstance(data.get("credit_code"), str):
            data = {**data, "credit_code": data["credit_code"].strip().upper()}
        return super().to_internal_value(data)


def valid_values(serializer: serializers.Serializer, data, errors: dict) -> dict:
    """The values of `serializer`'s fields that passed their own checks (nested serializers in
    part), for a service's check to run on after the serializer refused the input."""
    values: dict = {}
    if not isinstance(data, Mapping):
        return values
    for field in serializer._writable_fields:
        if field.field_name in errors:
            if isinstance(field, serializers.Serializer) and isinstance(errors[field.field_name], dict):
                values[field.field_name] = valid_values(field, field.get_value(data), errors[field.field_name])
            continue
        try:
            value = field.run_validation(field.get_value(data))
            method = getattr(serializer, f"validate_{field.field_name}", None)
            values[field.field_name] = method(value) if method is not None else value
        except (serializers.ValidationError, DjangoValidationError, SkipField):
            continue
    return values


class ServiceCheckMixin:
    """A serializer that, when some fields fail their own checks, also runs the service's check
    (`service_check(values, errors)`) over the fields that passed, so that one 400 names every
    problem. A valid input goes on to the service, which checks the rules itself."""

    def to_internal_value(self, data):
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if not isinstance(exc.detail, dict) or not isinstance(data, Mapping):
                raise
            errors = dict(exc.detail)
        self.service_check(valid_values(self, data, errors), errors)
        raise serializers.ValidationError(errors)

    def service_check(self, values: dict, errors: dict) -> None:  # pragma: no cover - abstract
        raise NotImplementedError


def add_check_errors(errors: dict, error: DjangoValidationError) -> None:
    """A service's ValidationError added to a serializer's errors where it has none of its own."""
    for field, messages in error.message_dict.items():
        errors.setdefault(api_settings.NON_FIELD_ERRORS_KEY if field == "__all__" else field, messages)


class SignupSerializer(serializers.Serializer):
    """The shape of a sign-up; its rules (the username free, the password strong enough, the
    credit code unused) are services.organization_signup_check's, run on every submission
    together with the fields' own checks, so one answer lists every problem."""

    organization = SignupOrganizationSerializer()
    username = serializers.RegexField(r"^[\w.@+-]+\Z", max_length=150)
    email = serializers.EmailField()
    password = serializers.CharField(write_only=True, max_length=128, style={"input_type": "password"})
    display_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")

    def to_internal_value(self, data):
        try:
            values = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if not isinstance(exc.detail, dict) or not isinstance(data, Mapping):
                raise
            errors = dict(exc.detail)
            values = valid_values(self, data, errors)
        else:
            errors = {}
        self._check(values, errors)
        if errors:
            raise serializers.ValidationError(errors)
        return values

    def _check(self, values: dict, errors: dict) -> None:
        """The service's errors, added where the serializer found none of its own."""
        organization = values.get("organization")
        try:
            services.organization_signup_check(
                organization=organization if isinstance(organization, dict) else {},
                username=values.get("username"),
                email=values.get("email"),
                password=values.get("password"),
                display_name=values.get("display_name"),
            )
        except DjangoValidationError as exc:
            for field, messages in exc.message_dict.items():
                if field in SignupOrganizationSerializer.Meta.fields:
                    if errors.get("organization") is None:
                        errors["organization"] = {}
                    if isinstance(errors["organization"], dict):  # not "this field is required"
                        errors["organization"].setdefault(field, messages)
                else:
                    errors.setdefault(api_settings.NON_FIELD_ERRORS_KEY if field == "__all__" else field, messages)


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()
    expires_at = serializers.DateTimeField(allow_null=True, help_text="When the token stops working; null: never.")


class UserBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "display_name", "email"]


class MembershipSerializer(serializers.ModelSerializer):
    user = UserBriefSerializer(read_only=True)
    permissions = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "user", "role", "permissions", "created_at"]


class MemberAddSerializer(serializers.Serializer):
    username = serializers.RegexField(r"^[\w.@+-]+\Z", max_length=150)
    email = serializers.EmailField()
    display_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    role = serializers.ChoiceField(choices=MembershipRole.choices, default=MembershipRole.MEMBER)

    def validate_username(self, value):
        if User.objects.filter(username__iexact=value).exists():
            raise serializers.ValidationError(_("该用户名已被使用。"))
        return value


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    display_name = serializers.CharField()
    email = serializers.EmailField()
    organization = OrganizationSerializer(allow_null=True)
    role = serializers.CharField(allow_null=True)
    permissions = serializers.ListField(child=serializers.CharField())
    is_official = serializers.BooleanField()


_DATETIME = serializers.DateTimeField()  # formats times as every DRF field does


def datetime_text(value, tz) -> str | None:
    """What DRF's DateTimeField writes for `value`, with the current time zone `tz` looked up
    once per page rather than once per field: a third of a DateTimeField's time per value,
    which on a 50-row page of three datetimes was most of the serializer's."""
    if value is None:
        return None
    if value.utcoffset() is None or api_settings.DATETIME_FORMAT.lower() != ISO_8601:  # naive, or not ISO
        return _DATETIME.to_representation(value)
    text = value.astimezone(tz).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def datetime_for_orjson(value, tz):
    """The datetime in `tz` for the orjson renderer to write (portal/api/renderers.py), which
    writes what `datetime_text` would, or that text where orjson would differ:
    a naive value, a format other than ISO 8601, or an offset that is not whole minutes (local
    mean time before 1901, say), which orjson rounds."""
    if value is None:
        return None
    if value.tzinfo is UTC and api_settings.DATETIME_FORMAT == ISO_8601:
        # As the database hands a time over (aware, in UTC): the common case, checked cheaply.
        # The offset is whole minutes exactly when the second and microsecond survive the
        # conversion; `utcoffset()` twice cost as much as the conversion itself.
        local = value.astimezone(tz)
        if local.second == value.second and local.microsecond == value.microsecond:
            return local
        return datetime_text(value, tz)
    if value.utcoffset() is None or api_settings.DATETIME_FORMAT.lower() != ISO_8601:
        return datetime_text(value, tz)
    local = value.astimezone(tz)
    offset = local.utcoffset()
    if offset.seconds % 60 or offset.microseconds:
        return datetime_text(value, tz)
    return local


def rendered_by_orjson(request) -> bool:
    """Whether the response to `request` is written by the API's orjson renderer."""
    return type(getattr(request, "accepted_renderer", None)) is JSONRenderer


class NotificationListSerializer(serializers.ListSerializer):
    def to_representation(self, data):
        tz = timezone.get_current_timezone()
        language = translation.get_language() or ""
        write = datetime_for_orjson if rendered_by_orjson(self.context.get("request")) else datetime_text
        return [self.child.row(item, tz, language, write) for item in data]


class NotificationSerializer(serializers.Serializer):
    """A plain serializer: the inbox is the hottest list, and ModelSerializer costs more per row.

    `to_representation` builds the dict directly from a model or a `values()` row; the declared
    fields describe it for the schema, and the times are written as DRF's DateTimeField writes
    them (`datetime_text`).
    """

    FIELDS = (
        "id",
        "kind",
        "title",
        "body",
        "title_en",
        "body_en",
        "url",
        "requires_ack",
        "created_at",
        "read_at",
        "acknowledged_at",
    )

    id = serializers.IntegerField(read_only=True)
    kind = serializers.ChoiceField(choices=NotificationKind.choices, read_only=True)
    title = serializers.CharField(read_only=True)
    body = serializers.CharField(read_only=True)
    url = serializers.CharField(read_only=True)
    requires_ack = serializers.BooleanField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    read_at = serializers.DateTimeField(read_only=True, allow_null=True)
    acknowledged_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        list_serializer_class = NotificationListSerializer

    ENGLISH_FIELDS = ("title_en", "body_en")

    @classmethod
    def columns_for_request(cls) -> tuple[str, ...]:
        """The columns a list reads: the English texts only when the request is English."""
        if (translation.get_language() or "").startswith("en"):
            return cls.FIELDS
        return tuple(f for f in cls.FIELDS if f not in cls.ENGLISH_FIELDS)

    def to_representation(self, instance):
        return self.row(instance, timezone.get_current_timezone(), translation.get_language() or "")

    def row(self, instance, tz, language: str, write=datetime_text) -> dict:
        """The texts in the request's language (Accept-Language); the link to its pages. The
        times as `write` writes them: DRF's text, or datetimes left to the orjson renderer."""
        row = instance if isinstance(instance, dict) else {f: getattr(instance, f) for f in self.FIELDS}
        if language.startswith("en"):
            return self._row(row, tz, row["title_en"] or row["title"], row["body_en"] or row["body"], True, write)
        return self._row(row, tz, row["title"], row["body"], False, write)

    @staticmethod
    def _row(row, tz, title: str, body: str, english: bool, write) -> dict:
        return {
            "id": row["id"],
            "kind": row["kind"],
            "title": title,
            "body": body,
            "url": localized_url(row["url"], "en") if english else row["url"],
            "requires_ack": row["requires_ack"],
            "created_at": write(row["created_at"], tz),
            "read_at": write(row["read_at"], tz),
            "acknowledged_at": write(row["acknowledged_at"], tz),
        }


class UnreadCountSerializer(serializers.Serializer):
    unread = serializers.IntegerField()
    unacknowledged = serializers.IntegerField()


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField()


class PreferenceSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=NotificationKind.choices, read_only=True)
    label = serializers.CharField(read_only=True)
    email = serializers.BooleanField()
    webhook = serializers.BooleanField()
    mutable = serializers.BooleanField(read_only=True)


class ImportRowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text=_("Excel 行号（第 1 行为表头）"))
    field = serializers.CharField(allow_blank=True, help_text=_("列代码；空表示整行"))
    message = serializers.CharField()


class ImportJobSerializer(serializers.ModelSerializer):
    """An Excel import started on the pages (portal.ImportJob): its state and its result."""

    processed_rows = serializers.SerializerMethodField()
    errors = ImportRowErrorSerializer(many=True, read_only=True)
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "kind",
            "filename",
            "status",
            "created_by",
            "organization",
            "total_rows",
            "processed_rows",
            "created_count",
            "updated_count",
            "created_ids",
            "errors",
            "message",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_processed_rows(self, job) -> int:
        return services.import_job_progress(job)
