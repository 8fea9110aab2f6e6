"""API routes on enrolment, under /api/enrolment/."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

from capitalis.core.routers import DefaultRouter
from capitalis.enrolment.api import (
    ContractViewSet,
    EnrolmentViewSet,
    InternshipViewSet,
    LearnerViewSet,
)

app_name = "enrolment-api"

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("learners", LearnerViewSet, basename="learner")
router.register("enrolments", EnrolmentViewSet, basename="enrolment")
router.register("contracts", ContractViewSet, basename="contract")
router.register("internships", InternshipViewSet, basename="internship")

urlpatterns: list[URLPattern | URLResolver] = [*router.urls]
