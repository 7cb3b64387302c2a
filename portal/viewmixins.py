"""Scoping for the HTML views, so that what a user may see and change is decided in one place.

Every model holding organisation data has a queryset with `visible_to(user)` and
`editable_by(user)` (portal/models.py). The pages read through the first and write through the
second, like the API's `ScopedViewSetMixin` (portal/api/base.py): a record outside the user's
scope is a 404, never a 403 that confirms it exists; a record the user may see but not change
is a 403.

    class ProjectDetailView(LoginRequiredMixin, ScopedQuerysetMixin, DetailView):
        model = Project

    class ProjectEditView(LoginRequiredMixin, ScopedQuerysetMixin, UpdateView):
        model = Project
        write = True  # get_object() also requires editable_by(user)

    project = get_scoped_or_404(Project.objects.all(), request.user, pk=pk)
    project = get_editable_or_403(Project.objects.all(), request.user, pk=pk)
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.shortcuts import get_object_or_404


def get_scoped_or_404(queryset: QuerySet, user, **lookup) -> Model:
    """The record matching `lookup` among those `user` may see, or Http404."""
    return get_object_or_404(queryset.visible_to(user), **lookup)


def get_editable_or_403(queryset: QuerySet, user, *, reason: str = "", **lookup) -> Model:
    """The record matching `lookup` if `user` may change it.

    Http404 when the user may not even see it; PermissionDenied (403) when they may see it but
    not change it, with `reason` for the 403 page.
    """
    obj = get_scoped_or_404(queryset, user, **lookup)
    if not queryset.editable_by(user).filter(pk=obj.pk).exists():
        raise PermissionDenied(reason)
    return obj


class ScopedQuerysetMixin:
    """For class-based views over a scoped model (ListView, DetailView, UpdateView, ...).

    `get_queryset()` keeps what the user may see. A view that changes its object sets
    `write = True`: `get_object()` then also requires the object to be editable by the user.
    """

    #: Whether the view changes its object (then it must be in `editable_by(user)`).
    write: bool = False

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().visible_to(self.request.user)

    def get_editable_queryset(self) -> QuerySet:
        """What the user may change, for write views that work on several records."""
        return super().get_queryset().editable_by(self.request.user)

    def get_object(self, queryset: QuerySet | None = None) -> Model:
        obj = super().get_object(queryset)
        if self.write and not self.get_editable_queryset().filter(pk=obj.pk).exists():
            raise PermissionDenied
        return obj
