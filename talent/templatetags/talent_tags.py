"""Template tags the other parts use to show the talent pool beside their records."""

from django import template

from .. import openings

register = template.Library()


@register.inclusion_tag("talent/openings/suggested.html", takes_context=True)
def suggested_candidates(context, project, limit: int = 3):
    """The pool's best matches for `project`'s country, with their score and reasons, for those
    who may search the pool (the project's enterprise and officials); nothing for others."""
    return {
        "project": project,
        "suggestions": openings.suggested_for_project(project, user=context["request"].user, limit=limit),
    }
