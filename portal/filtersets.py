"""FilterSets for the portal's resources, shared by the API and the HTML lists."""

import django_filters
from django.utils.translation import gettext_lazy as _

from .choices import ImportJobStatus, NotificationKind
from .filters import BooleanFilter, FilterSet
from .models import Country, ImportJob, Notification, Organization


class CountryFilterSet(FilterSet):
    class Meta:
        model = Country
        fields = ["region"]


class OrganizationFilterSet(FilterSet):
    class Meta:
        model = Organization
        fields = ["kind", "province", "city"]


class NotificationFilterSet(FilterSet):
    kind = django_filters.ChoiceFilter(choices=NotificationKind.choices, label=_("类别"))
    unread = BooleanFilter(field_name="read_at", lookup_expr="isnull", label=_("未读"))
    requires_ack = BooleanFilter(label=_("需要确认"))
    unacknowledged = BooleanFilter(method="filter_unacknowledged", label=_("待确认"))

    class Meta:
        model = Notification
        fields = ["kind", "unread", "requires_ack", "unacknowledged"]

    def filter_unacknowledged(self, queryset, name, value):
        if value is None:
            return queryset
        if value:
            return queryset.filter(requires_ack=True, acknowledged_at__isnull=True)
        return queryset.exclude(requires_ack=True, acknowledged_at__isnull=True)


class ImportJobFilterSet(FilterSet):
    kind = django_filters.CharFilter(label=_("数据类型"))
    status = django_filters.ChoiceFilter(choices=ImportJobStatus.choices, label=_("状态"))

    class Meta:
        model = ImportJob
        fields = ["kind", "status"]
