"""Celery tasks of the reporting app. A worker discovers ``<app>.tasks`` modules only
(``app.autodiscover_tasks()``), so each subdomain's task module is imported here; add yours
beside the surveys'. Task names are explicit (``reporting.survey_…``), so they do not depend on
the module a task lives in."""

from capitalis.reporting.surveys import tasks as surveys  # noqa: F401  (registers the survey tasks)
