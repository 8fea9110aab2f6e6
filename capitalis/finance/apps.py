from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    name = "capitalis.finance"
    label = "finance"
    verbose_name = _("Finance")

    def ready(self) -> None:
        """Follow the year's steps (``capitalis.core.events``): a submitted application is
        invoiced its application fee; a new enrolment its deposit and tuition; a withdrawn one
        gets its credit notes. See ``finance.tasks``."""
        from capitalis.core import events
        from capitalis.finance import tasks

        events.subscribe(events.APPLICATION_SUBMITTED, tasks.on_application_submitted)
        events.subscribe(events.ENROLMENT_CREATED, tasks.on_enrolment_changed)
        events.subscribe(events.ENROLMENT_WITHDRAWN, tasks.on_enrolment_changed)
