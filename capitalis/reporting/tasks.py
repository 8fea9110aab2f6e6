"""Celery tasks of the reporting app. A worker discovers ``<app>.tasks`` modules only
(``app.autodiscover_tasks()``), so each capability's task module is imported here; add yours
beside the surveys'."""

from capitalis.reporting import tasks_surveys  # noqa: F401  (registers the survey tasks)
