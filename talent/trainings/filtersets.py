"""FilterSets of the trainings, shared by the API and the calendar page."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.filters import BooleanFilter, FilterBar, FilterSet, IntegerFilter

from .choices import EnrollmentStatus, Half, SessionStatus, TrainingTopic
from .models import Enrollment, TrainingSession


class TrainingSessionFilterSet(FilterSet):
    year = IntegerFilter(field_name="year", min_value=2000, max_value=2100, label=_("年度"))
    half = django_filters.ChoiceFilter(field_name="half", choices=Half.choices, label=_("半年"), empty_label=_("全年"))
    topic = django_filters.ChoiceFilter(
        method="filter_topic", choices=TrainingTopic.choices, label=_("专题"), empty_label=_("全部专题")
    )
    status = django_filters.ChoiceFilter(
        field_name="status", choices=SessionStatus.choices, label=_("状态"), empty_label=_("全部状态")
    )
    search = django_filters.CharFilter(method="filter_search", label=_("搜索"))

    class Meta:
        model = TrainingSession
        fields = ["year", "half", "topic", "status", "search"]

    def filter_topic(self, queryset, name, value):
        return queryset.filter(topics__contains=[value]) if value else queryset

    def filter_search(self, queryset, name, value):
        for term in value.split()[:5]:
            queryset = queryset.filter(Q(title__icontains=term) | Q(venue__icontains=term))
        return queryset


class TrainingCalendarFilterSet(FilterBar, TrainingSessionFilterSet):
    pass


class EnrollmentFilterSet(FilterSet):
    status = django_filters.ChoiceFilter(field_name="status", choices=EnrollmentStatus.choices, label=_("状态"))
    attended = BooleanFilter(field_name="attended", label=_("已出勤"))

    class Meta:
        model = Enrollment
        fields = ["status", "attended"]
