"""Scoping for the HTML views (portal/viewmixins.py): a record outside the user's scope is a 404,
one the user may see but not change a 403."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import RequestFactory
from django.views.generic import DetailView

from portal.models import Notification, Organization
from portal.testing.factories import NotificationFactory
from portal.viewmixins import ScopedQuerysetMixin, get_editable_or_403, get_scoped_or_404

# --- Scoping helpers ------------------------------------------------------------------------


class OrganizationEditView(ScopedQuerysetMixin, DetailView):
    model = Organization
    write = True


def scoped_object(view_class, user, pk):
    request = RequestFactory().get("/")
    request.user = user
    view = view_class()
    view.setup(request, pk=pk)
    return view.get_object()


def test_scoped_write_view_gets_a_record_its_user_may_change(cast):
    assert scoped_object(OrganizationEditView, cast.owner, cast.enterprise.pk) == cast.enterprise


def test_scoped_write_view_refuses_a_record_its_user_may_only_see(cast):
    with pytest.raises(PermissionDenied):
        scoped_object(OrganizationEditView, cast.colleague, cast.enterprise.pk)


def test_scoped_view_does_not_find_a_record_outside_its_users_scope(cast):
    with pytest.raises(Http404):
        scoped_object(OrganizationEditView, cast.outsider, cast.enterprise.pk)


def test_scoped_lookups_find_only_what_the_user_may_see_or_change(cast):
    notification = NotificationFactory(recipient=cast.owner)
    assert get_scoped_or_404(Notification.objects.all(), cast.owner, pk=notification.pk) == notification
    with pytest.raises(Http404):
        get_scoped_or_404(Notification.objects.all(), cast.colleague, pk=notification.pk)
    assert get_editable_or_403(Organization.objects.all(), cast.owner, pk=cast.enterprise.pk) == cast.enterprise
    with pytest.raises(PermissionDenied):
        get_editable_or_403(Organization.objects.all(), cast.official, pk=cast.enterprise.pk)
