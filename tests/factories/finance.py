"""Finance: fee schedules (ORM, as the fee data load writes them) and invoices, which go
through ``finance.services.invoice_create_for_application_fee`` (numbering, lines, instalments,
audit record): an application-fee invoice of an application, its programme's fee schedule for
the edition's school year made on the way unless there is one."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import factory
from factory.django import DjangoModelFactory

from capitalis.finance import services
from capitalis.finance.models import FeeSchedule, Invoice
from capitalis.programmes.models import Track
from tests.factories.admissions import ApplicationFactory
from tests.factories.programmes import ProgrammeFactory


class FeeScheduleFactory(DjangoModelFactory):
    class Meta:
        model = FeeSchedule
        django_get_or_create = ("programme", "academic_year", "track")

    programme = factory.SubFactory(ProgrammeFactory)
    academic_year = "2024-25"
    track = Track.INITIAL
    tuition = Decimal("9990.00")
    deposit = Decimal("1100.00")
    application_fee = Decimal("80.00")
    cvec = Decimal("103.00")


class InvoiceFactory(DjangoModelFactory):
    class Meta:
        model = Invoice
        exclude = ("schedule",)

    application = factory.SubFactory(ApplicationFactory, status="submitted")
    schedule = factory.SubFactory(
        FeeScheduleFactory,
        programme=factory.SelfAttribute("..application.edition.programme"),
        academic_year=factory.SelfAttribute("..application.edition.code"),
        track=factory.SelfAttribute("..application.track"),
    )
    actor = None
    issued_on = None

    @classmethod
    def _create(cls, model_class: type[Invoice], *args: Any, **kwargs: Any) -> Invoice:
        return services.invoice_create_for_application_fee(
            application=kwargs["application"],
            actor=kwargs["actor"],
            issued_on=kwargs["issued_on"],
        )
