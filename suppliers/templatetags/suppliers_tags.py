"""Template tags the other parts use to show the supplier library beside their records."""

from django import template

from .. import selectors

register = template.Library()


@register.inclusion_tag("suppliers/includes/suggested.html", takes_context=True)
def suggested_suppliers(context, project, limit: int = 3):
    """The suppliers suggested for `project` (selectors.suggested_suppliers), with their reasons
    and a link to the project's supply chain. For the project's own enterprise and officials."""
    return {
        "project": project,
        "suggestions": selectors.suggested_suppliers(project, limit=limit),
        "LANGUAGE_CODE": context.get("LANGUAGE_CODE"),
    }
