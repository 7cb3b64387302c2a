"""API views for accounts, organisations, countries and the notification centre. Thin: they
validate input, call a service and serialise the result."""

from django.contrib.auth import authenticate
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import AuthenticationFailed, NotFound, PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import services
from ..choices import NotificationKind
from ..filtersets import CountryFilterSet, ImportJobFilterSet, NotificationFilterSet, OrganizationFilterSet
from ..models import Country, ImportJob, Membership, Notification, Organization
from .base import ScopedViewSetMixin
from .pagination import CursorPagePagination
from .serializers import (
    CountrySerializer,
    ImportJobSerializer,
    MarkedSerializer,
    MemberAddSerializer,
    MembershipSerializer,
    MeSerializer,
    NotificationSerializer,
    OrganizationSerializer,
    PreferenceSerializer,
    SignupSerializer,
    TokenRequestSerializer,
    TokenSerializer,
    UnreadCountSerializer,
)


class TokenView(APIView):
    """Exchange a username and password for an API token (`Authorization: Token <token>`);
    DELETE revokes the caller's token. A token expires `API_TOKEN_TTL_DAYS` after it was issued
    and is revoked when its owner's password changes."""

    def _issuing(self) -> bool:
        # The schema generator may ask before there is a request.
        return getattr(getattr(self, "request", None), "method", None) == "POST"

    def get_authenticators(self):
        # Issuing takes a password, not a token; revoking needs to know whose token it is.
        return [] if self._issuing() else super().get_authenticators()

    def get_permissions(self):
        # Only revoking needs a signed-in caller: any other method is a 405 for everyone, as
        # for a method the view does not have, not a 401 that suggests signing in would help.
        method = getattr(getattr(self, "request", None), "method", None)
        return [permissions.IsAuthenticated()] if method == "DELETE" else [permissions.AllowAny()]

    def get_authenticate_header(self, request):
        return "Token"  # a refused login is a 401 with WWW-Authenticate, as for a bad token

    @extend_schema(request=TokenRequestSerializer, responses={200: TokenSerializer}, tags=["auth"])
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(request=request, **serializer.validated_data)
        if getattr(request, "axes_locked_out", False):
            raise PermissionDenied(_("登录失败次数过多，账户已暂时锁定，请稍后再试。"))
        if user is None:
            raise AuthenticationFailed(_("用户名或密码不正确。"))
        token = services.token_issue(user=user)
        return Response(TokenSerializer({"token": token.key, "expires_at": services.token_expires_at(token)}).data)

    @extend_schema(request=None, responses={204: OpenApiResponse(description="The token is revoked.")}, tags=["auth"])
    def delete(self, request):
        services.tokens_revoke(user=request.user, actor=request.user, reason="revoked_by_owner")
        return Response(status=status.HTTP_204_NO_CONTENT)


class SignupView(APIView):
    """Register an enterprise or supplier organisation with its first admin."""

    authentication_classes = []
    permission_classes = [permissions.AllowAny]

    @extend_schema(request=SignupSerializer, responses={201: OrganizationSerializer}, tags=["auth"])
    def post(self, request):
        serializer = SignupSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        org, _user = services.organization_signup(
            organization=data["organization"],
            username=data["username"],
            email=data["email"],
            password=data["password"],
            display_name=data.get("display_name", ""),
        )
        # The one answer besides a rotation's that carries the webhook secret in full.
        data = OrganizationSerializer(org, context={"request": request, "reveal_webhook_secret": True}).data
        return Response(data, status=status.HTTP_201_CREATED)


class MeView(APIView):
    """The signed-in user, their organisation and permissions."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={200: MeSerializer}, tags=["auth"])
    def get(self, request):
        user = request.user
        membership = user.org_membership
        data = {
            "id": user.pk,
            "username": user.username,
            "display_name": user.display_name,
            "email": user.email,
            "organization": membership.organization if membership else None,
            "role": membership.role if membership else None,
            "permissions": membership.permissions if membership else [],
            "is_official": user.is_official,
        }
        return Response(MeSerializer(data, context={"request": request}).data)


class CountryViewSet(viewsets.ReadOnlyModelViewSet):
    """ISO 3166-1 countries with Chinese and English names and the portal's region."""

    queryset = Country.objects.all()
    serializer_class = CountrySerializer
    filterset_class = CountryFilterSet
    search_fields = ["name_zh", "name_en", "code", "alpha3"]
    ordering_fields = ["code", "name_en", "region"]
    permission_classes = [permissions.AllowAny]
    lookup_value_regex = "[A-Za-z]{2}"

    def get_object(self):
        self.kwargs[self.lookup_field] = self.kwargs[self.lookup_field].upper()
        return super().get_object()


class OrganizationViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Organisations: members see their own, officials all. Admins edit their own and its members."""

    queryset = Organization.objects.all()
    serializer_class = OrganizationSerializer
    filterset_class = OrganizationFilterSet
    search_fields = ["name", "name_en", "credit_code"]
    ordering_fields = ["id", "name", "created_at"]
    permission_classes = [permissions.IsAuthenticated]
    editable_actions = frozenset({"add_member", "remove_member", "rotate_webhook_secret"})

    def perform_update(self, serializer):
        serializer.instance = services.organization_update(
            actor=self.request.user, organization=serializer.instance, data=serializer.validated_data
        )

    @extend_schema(request=None, responses={200: OrganizationSerializer}, tags=["organizations"])
    @action(detail=True, methods=["post"], url_path="webhook-secret", url_name="webhook-secret")
    def rotate_webhook_secret(self, request, pk=None):
        """Replace the webhook signing secret; the answer carries the new one in full, the only
        time it is shown. Admins only; recorded in the audit trail."""
        org = self.get_object()
        services.webhook_secret_rotate(actor=request.user, organization=org)
        context = {**self.get_serializer_context(), "reveal_webhook_secret": True}
        return Response(OrganizationSerializer(org, context=context).data)

    @extend_schema(responses={200: MembershipSerializer(many=True)}, tags=["organizations"])
    @action(detail=True, methods=["get"], pagination_class=None)
    def members(self, request, pk=None):
        """The organisation's members (visible to its members and to officials)."""
        org = self.get_object()
        memberships = Membership.objects.filter(organization=org).select_related("user").order_by("id")
        return Response(MembershipSerializer(memberships, many=True).data)

    @extend_schema(request=MemberAddSerializer, responses={201: MembershipSerializer}, tags=["organizations"])
    @members.mapping.post
    def add_member(self, request, pk=None):
        """Add a colleague; they are e-mailed a link to set their password. Admins only."""
        org = self.get_object()
        serializer = MemberAddSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        membership = services.member_add(actor=request.user, organization=org, **serializer.validated_data)
        return Response(MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: OpenApiResponse(description="removed")}, tags=["organizations"])
    @action(detail=True, methods=["delete"], url_path=r"members/(?P<membership_id>\d+)")
    def remove_member(self, request, pk=None, membership_id=None):
        """Remove a member and deactivate their account. Admins only; the last admin stays."""
        org = self.get_object()
        membership = get_object_or_404(
            Membership.objects.select_related("user", "organization"), pk=membership_id, organization=org
        )
        services.member_remove(actor=request.user, membership=membership)
        return Response(status=status.HTTP_204_NO_CONTENT)


class NotificationViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """The signed-in user's inbox, newest first."""

    queryset = Notification.objects.all()
    serializer_class = NotificationSerializer
    filterset_class = NotificationFilterSet
    search_fields = ["title", "body"]
    ordering_fields = []
    pagination_class = CursorPagePagination
    permission_classes = [permissions.IsAuthenticated]

    def list(self, request, *args, **kwargs):
        # Rows as dicts (values()), not model instances: a third of the page's cost at 50 rows.
        # Only the reader's language: the English texts are read for English requests alone.
        # The page's SQL is compiled once per request shape (portal/api/statements.py).
        page = self.paginate_values(NotificationSerializer.columns_for_request())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def statement_scope(self, user):
        """An inbox is its recipient's alone (visible_to): the page's SQL depends on the user
        and nothing else of theirs, so the membership need not be read to key it."""
        return user.pk if user.is_authenticated else None

    @extend_schema(request=None, responses={200: NotificationSerializer})
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        """Mark the notification read."""
        notification = services.notification_mark_read(notification=self.get_object(), actor=request.user)
        return Response(NotificationSerializer(notification).data)

    @extend_schema(request=None, responses={200: NotificationSerializer})
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        """Acknowledge an alert that requires it (also marks it read)."""
        notification = services.notification_acknowledge(notification=self.get_object(), actor=request.user)
        return Response(NotificationSerializer(notification).data)

    @extend_schema(responses={200: UnreadCountSerializer})
    @action(detail=False, methods=["get"], url_path="unread-count", filterset_class=None, pagination_class=None)
    def unread_count(self, request):
        """How many notifications are unread, and how many alerts await acknowledgement."""
        counts = Notification.objects.visible_to(request.user).aggregate(
            unread=Count("id", filter=Q(read_at__isnull=True)),
            unacknowledged=Count("id", filter=Q(requires_ack=True, acknowledged_at__isnull=True)),
        )
        return Response(counts)

    @extend_schema(request=None, responses={200: MarkedSerializer})
    @action(detail=False, methods=["post"], url_path="read-all", filterset_class=None, pagination_class=None)
    def read_all(self, request):
        """Mark every notification read."""
        return Response({"marked": services.notifications_mark_all_read(actor=request.user)})


class NotificationPreferenceViewSet(viewsets.ViewSet):
    """The signed-in user's channels per kind of notification. Risk alerts cannot be muted."""

    permission_classes = [permissions.IsAuthenticated]
    lookup_field = "kind"
    lookup_value_regex = "[a-z_]+"

    @extend_schema(responses={200: PreferenceSerializer(many=True)})
    def list(self, request):
        return Response(PreferenceSerializer(services.preferences_for(request.user), many=True).data)

    @extend_schema(request=PreferenceSerializer, responses={200: PreferenceSerializer})
    def update(self, request, kind=None):
        if kind not in NotificationKind.values:
            raise NotFound
        serializer = PreferenceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.preference_set(user=request.user, kind=kind, **serializer.validated_data)
        row = next(p for p in services.preferences_for(request.user) if p["kind"] == kind)
        return Response(PreferenceSerializer(row).data)


class ImportJobViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Excel imports started on the pages, the caller's organisation's only (another
    organisation's is a 404). `processed_rows` moves while the job runs; a finished job lists
    its row errors, or the ids it created. The API's own imports (e.g. `POST projects/import/`)
    answer at once and leave no job."""

    queryset = ImportJob.objects.select_related("created_by").defer("file", "task_id", "language")
    serializer_class = ImportJobSerializer
    pagination_class = CursorPagePagination
    permission_classes = [permissions.IsAuthenticated]
    filterset_class = ImportJobFilterSet
