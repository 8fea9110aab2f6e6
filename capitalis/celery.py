"""The Celery application.

With CELERY_BROKER_URL unset (the embedded default) tasks run in-process, eagerly; with a
broker (Redis or RabbitMQ) they run in separate worker processes.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "capitalis.settings")

app = Celery("capitalis")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
