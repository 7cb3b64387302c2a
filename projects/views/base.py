"""What every page of the project library shares: its navigation, and the project's scope."""

from __future__ import annotations

from portal.generic import ObjectMixin, PortalView
from portal.permissions import has_agency_permission, is_enterprise, is_official

from ..models import Project
from ..workflow import FILING


class ProjectSection(PortalView):
    """A page of the section, with its navigation (what the user may open)."""

    def section_context(self) -> dict:
        user = self.request.user
        return {
            "section": {
                "enterprise": is_enterprise(user),
                "official": is_official(user),
                "reviewer": has_agency_permission(user, "review"),
            }
        }


class ProjectObject(ObjectMixin):
    """A project from the URL, with its figures' visibility, through the filing workflow."""

    workflow = FILING
    detail_url_name = "projects:detail"

    def get_queryset(self):
        return Project.objects.with_figures_for(self.request.user).select_related("organization", "country")


def render_section(request, template: str, context: dict):
    """Render a page of the section from a function view (the statistics, the map, ...)."""
    view = ProjectSection()
    view.request = request
    return view.render(context, template)
