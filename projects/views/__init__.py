"""Pages of the project library (namespace `projects`), configured on the base views of
portal/generic.py:

- `library`: the list with its four libraries, a project's page, the forms and the filing
  workflow's actions, the half-yearly reports;
- `reports`: correcting a filed report, with its history;
- `workspace`: the enterprise's workspace and the annual survey of intended projects, the
  officials' review queue;
- `statistics`: the statistics with their CSV export, and the overseas map (海外图谱).

A page reads through `Project.objects.visible_to(user)` and the API's FilterSet, shows the
actions `selectors.allowed_actions` opens, and writes through a service. Contract values and
staff numbers follow `figures_scope` (projects/models.py), as in the API.
"""

from .library import (
    project_create,
    project_delete,
    project_detail,
    project_edit,
    project_export,
    project_list,
    project_progress,
    project_review,
    project_submit,
    project_withdraw,
    report_create,
)
from .reports import report_correct
from .statistics import project_map, statistics, statistics_export
from .workspace import review_queue, survey_detail, survey_list, survey_respond, workspace

__all__ = [
    "project_create",
    "project_delete",
    "project_detail",
    "project_edit",
    "project_export",
    "project_list",
    "project_map",
    "project_progress",
    "project_review",
    "project_submit",
    "project_withdraw",
    "report_correct",
    "report_create",
    "review_queue",
    "statistics",
    "statistics_export",
    "survey_detail",
    "survey_list",
    "survey_respond",
    "workspace",
]
