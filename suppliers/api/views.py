"""API of the supplier library: thin ViewSets whose workflow steps call services."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotAuthenticated, PermissionDenied, ValidationError
from rest_framework.response import Response

from portal.api.base import ScopedReadOnlyViewSet, ScopedViewSetMixin
from portal.api.filters import RequestedFiltersBackend
from portal.api.pagination import CursorPagePagination, PagePagination
from portal.files import PrivateFileDownloadMixin
from portal.permissions import is_enterprise
from projects.models import Project

from .. import selectors, services
from ..filtersets import ApplicationFilterSet, SupplierFilterSet
from ..models import (
    Category,
    CategoryRequirement,
    Certificate,
    CertificateKind,
    PerformanceReview,
    Supplier,
    SupplyChainLink,
)
from ..workflow import APPLICATION
from .serializers import (
    ApplicationDetailSerializer,
    ApplicationSerializer,
    CategorySerializer,
    CertificateKindSerializer,
    CertificateSerializer,
    CommentSerializer,
    DirectoryRowSerializer,
    HistorySerializer,
    PerformanceReviewSerializer,
    RatingResultSerializer,
    RatingSerializer,
    SanctionSerializer,
    SupplyChainLinkSerializer,
)

SUPPLIER_ROWS = Supplier.objects.select_related("organization").prefetch_related("categories", "countries_served")


class CertificateKindViewSet(ScopedReadOnlyViewSet):
    """The kinds of certificate, each with the categories that require it."""

    queryset = CertificateKind.objects.prefetch_related(
        Prefetch("requirements", queryset=CategoryRequirement.objects.select_related("category"))
    )
    serializer_class = CertificateKindSerializer
    pagination_class = PagePagination
    filter_backends = []


class CategoryViewSet(ScopedReadOnlyViewSet):
    """The supplier categories, each with the certificates it requires."""

    queryset = Category.objects.prefetch_related(
        Prefetch("requirements", queryset=CategoryRequirement.objects.prefetch_related("kinds"))
    )
    serializer_class = CategorySerializer
    pagination_class = PagePagination
    filter_backends = []


class SupplierViewSet(ScopedReadOnlyViewSet):
    """The directory of approved suppliers (public), with stars, the average review and the
    performance standing. Suspended and revoked ones are not listed."""

    queryset = Supplier.objects.select_related("organization")
    serializer_class = DirectoryRowSerializer
    filterset_class = SupplierFilterSet
    filter_backends = [RequestedFiltersBackend]
    pagination_class = CursorPagePagination

    def get_queryset(self):
        return super().get_queryset().listed()

    # The page's codes and review averages are read for the page alone (selectors.attach_*).
    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return selectors.attach_scorecard(selectors.attach_codes(page)) if page is not None else None

    def get_object(self):
        (supplier,) = selectors.attach_scorecard(selectors.attach_codes([super().get_object()]))
        return supplier

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "scorecard": selectors.Scorecard.load()}

    @extend_schema(request=RatingSerializer, responses={201: RatingResultSerializer})
    @action(detail=True, methods=["post"], filterset_class=None, pagination_class=None)
    def rating(self, request, pk=None):
        """Set the star rating (officials with `review`): `stars`, per-criterion `scores`, `comment`."""
        supplier = self.get_object()
        APPLICATION.authorise("rate", obj=supplier, actor=request.user)
        serializer = RatingSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rating = services.supplier_rate(actor=request.user, supplier=supplier, **serializer.validated_data)
        return Response(RatingResultSerializer(rating).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: PerformanceReviewSerializer(many=True)})
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=PagePagination)
    def reviews(self, request, pk=None):
        """Enterprises' performance reviews of the supplier, each naming its project (signed-in users)."""
        if not request.user.is_authenticated:
            raise NotAuthenticated
        supplier = self.get_object()
        queryset = (
            PerformanceReview.objects.visible_to(request.user)
            .filter(supplier=supplier)
            .select_related("project", "organization")
            .order_by("-created_at", "-id")
        )
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(PerformanceReviewSerializer(page, many=True).data)

    @extend_schema(request=PerformanceReviewSerializer, responses={201: PerformanceReviewSerializer})
    @reviews.mapping.post
    def reviews_create(self, request, pk=None):
        """Review the supplier for one of your projects on which it is recorded (one per project)."""
        if not request.user.is_authenticated:
            raise NotAuthenticated
        supplier = self.get_object()
        if not is_enterprise(request.user):
            raise PermissionDenied(_("只有企业可以评价供应商履约。"))
        serializer = PerformanceReviewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        project = data.pop("project")
        if not Project.objects.visible_to(request.user).filter(pk=project.pk).exists():
            raise ValidationError({"project": [_("项目不存在。")]})
        review = services.review_create(actor=request.user, supplier=supplier, project=project, data=data)
        return Response(PerformanceReviewSerializer(review).data, status=status.HTTP_201_CREATED)


@extend_schema(parameters=[OpenApiParameter("project_pk", OpenApiTypes.INT, OpenApiParameter.PATH)])
class ProjectSupplyChainViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """A project's supply chain: the preferred suppliers its enterprise recorded on it, with
    category, scope, contract value and dates. `/api/v1/projects/{id}/suppliers/`."""

    queryset = SupplyChainLink.objects.select_related("supplier__organization", "category")
    serializer_class = SupplyChainLinkSerializer
    pagination_class = PagePagination
    permission_classes = [permissions.IsAuthenticated]
    filter_backends = []

    def project(self):
        if not hasattr(self, "_project"):
            self._project = get_object_or_404(
                Project.objects.visible_to(self.request.user), pk=self.kwargs["project_pk"]
            )
        return self._project

    def get_queryset(self):
        return super().get_queryset().filter(project=self.project()).order_by("id")

    def perform_create(self, serializer):
        serializer.instance = services.supply_link_add(
            actor=self.request.user, project=self.project(), data=serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.supply_link_remove(actor=self.request.user, link=instance)


class ApplicationViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Supplier applications: the applicant's own, every one for officials; their workflow steps."""

    queryset = SUPPLIER_ROWS
    serializer_class = ApplicationSerializer
    filterset_class = ApplicationFilterSet
    filter_backends = [RequestedFiltersBackend]
    pagination_class = PagePagination
    permission_classes = [permissions.IsAuthenticated]
    http_method_names = ["get", "post", "patch", "head", "options"]
    editable_actions = frozenset({"submit", "certificates_create"})

    def get_queryset(self):
        return super().get_queryset().applications_for(self.request.user).order_by("-id")

    @extend_schema(responses={200: ApplicationDetailSerializer})
    def retrieve(self, request, *args, **kwargs):
        """An application with the actions you may take now and the certificates it still lacks."""
        return Response(self._detail(self.get_object()))

    def _detail(self, supplier):
        supplier = self.get_queryset().get(pk=supplier.pk)
        data = ApplicationSerializer(supplier, context=self.get_serializer_context()).data
        data["allowed_actions"] = sorted(selectors.allowed_actions(obj=supplier, user=self.request.user))
        data["missing_certificates"] = selectors.missing_certificates(supplier)
        return data

    def perform_create(self, serializer):
        serializer.instance = services.application_create(actor=self.request.user, data=serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.application_update(
            actor=self.request.user, supplier=serializer.instance, data=serializer.validated_data
        )

    def _step(self, request, name, service, serializer_class=CommentSerializer):
        supplier = self.get_object()  # outside the scope: 404 before anything else
        APPLICATION.authorise(name, obj=supplier, actor=request.user)  # and a 403 before any 400
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        service(actor=request.user, supplier=supplier, **serializer.validated_data)
        return Response(self._detail(supplier))

    @extend_schema(request=None, responses={200: ApplicationDetailSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Submit (or resubmit); refused, naming them, while a required certificate is missing."""
        supplier = self.get_object()
        services.application_submit(actor=request.user, supplier=supplier)
        return Response(self._detail(supplier))

    @extend_schema(request=CommentSerializer, responses={200: ApplicationDetailSerializer})
    @action(detail=True, methods=["post"], url_path="start-review", url_name="start-review")
    def start_review(self, request, pk=None):
        """Take up a submitted application (officials with `review`): the form locks."""
        return self._step(request, "review", services.application_start_review)

    @extend_schema(request=CommentSerializer, responses={200: ApplicationDetailSerializer})
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        """Return with questions (`comment` required); the form unlocks."""
        return self._step(request, "return", services.application_return)

    @extend_schema(request=CommentSerializer, responses={200: ApplicationDetailSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._step(request, "approve", services.application_approve)

    @extend_schema(request=CommentSerializer, responses={200: ApplicationDetailSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """Reject with a reason (`comment` required)."""
        return self._step(request, "reject", services.application_reject)

    @extend_schema(request=SanctionSerializer, responses={200: ApplicationDetailSerializer})
    @action(detail=True, methods=["post"])
    def suspend(self, request, pk=None):
        """Suspend an approved supplier: grounds (`comment`) and a period (`period_from`, `period_until`)."""
        return self._step(request, "suspend", services.supplier_suspend, SanctionSerializer)

    @extend_schema(request=CommentSerializer, responses={200: ApplicationDetailSerializer})
    @action(detail=True, methods=["post"])
    def reinstate(self, request, pk=None):
        """Reinstate a suspended supplier whose required certificates are all valid."""
        return self._step(request, "reinstate", services.supplier_reinstate)

    @extend_schema(request=SanctionSerializer, responses={200: ApplicationDetailSerializer})
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        """Revoke a supplier: grounds (`comment`) and a debarment period."""
        return self._step(request, "revoke", services.supplier_revoke, SanctionSerializer)

    @extend_schema(responses={200: HistorySerializer(many=True)})
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None)
    def history(self, request, pk=None):
        """Every step of the application, with the officials' comments."""
        supplier = self.get_object()
        return Response(HistorySerializer(supplier.history.select_related("actor"), many=True).data)

    @extend_schema(responses={200: CertificateSerializer(many=True)})
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=PagePagination)
    def certificates(self, request, pk=None):
        """The application's certificates."""
        supplier = self.get_object()
        queryset = Certificate.objects.filter(supplier=supplier).select_related("kind").order_by("valid_until", "id")
        page = self.paginate_queryset(queryset)
        context = self.get_serializer_context()
        return self.get_paginated_response(CertificateSerializer(page, many=True, context=context).data)

    @extend_schema(request={"multipart/form-data": CertificateSerializer}, responses={201: CertificateSerializer})
    @certificates.mapping.post
    def certificates_create(self, request, pk=None):
        """Upload a certificate (multipart: `kind`, `number`, `issuer`, `valid_from`, `valid_until`, `file`)."""
        supplier = self.get_object()
        APPLICATION.authorise("certify", obj=supplier, actor=request.user)
        serializer = CertificateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        certificate = services.certificate_add(actor=request.user, supplier=supplier, data=serializer.validated_data)
        return Response(
            CertificateSerializer(certificate, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )


class CertificateViewSet(
    PrivateFileDownloadMixin,
    ScopedViewSetMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """One certificate (the supplier's and the officials'), its scan, and its removal while the
    application is not under review."""

    queryset = Certificate.objects.select_related("kind", "supplier__organization")
    serializer_class = CertificateSerializer
    download_filename_field = "title"
    filter_backends = []
    permission_classes = [permissions.IsAuthenticated]

    def perform_destroy(self, instance):
        services.certificate_remove(actor=self.request.user, certificate=instance)
