"""REST API on enrolment (SPEC §4, §10), under /api/enrolment/: learners, enrolments,
contracts and internships, each scoped by role (``queries.*_list_for``: what the user may not
read answers 404), and the writes (enrol an admitted application, move an enrolment, re-enrol,
record or terminate a contract, record an internship) through the services; a domain error
answers with its translated message and code (capitalis.core.handlers: 400, 403 another campus,
409 already enrolled or a state that refuses it)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from capitalis.accounts.models import User
from capitalis.accounts.queries import request_user
from capitalis.core.api import ErrorSerializer, NotFoundSerializer
from capitalis.enrolment import queries, services
from capitalis.enrolment.models import Contract, Enrolment, Internship, Learner, PlacementMode
from capitalis.programmes.models import Edition

KIND_HELP = "apprenticeship or professionalisation."


class LearnerSerializer(serializers.ModelSerializer[Learner]):
    email = serializers.EmailField(source="user.email", read_only=True)
    full_name = serializers.CharField(source="user.full_name", read_only=True)

    class Meta:
        model = Learner
        fields = ("id", "email", "full_name", "national_student_number", "date_of_birth")


class LearnerUpdateSerializer(serializers.Serializer[Any]):
    """A learner's INE, date of birth and civil-status identity (what the holders'
    declaration to the national register needs); fields left out keep their value."""

    national_student_number = serializers.CharField(
        max_length=20, required=False, allow_blank=True, help_text="INE, optional."
    )
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    birth_name = serializers.CharField(max_length=60, required=False, allow_blank=True)
    usage_name = serializers.CharField(max_length=60, required=False, allow_blank=True)
    first_names = serializers.CharField(
        max_length=190,
        required=False,
        allow_blank=True,
        help_text="In civil-status order, separated by commas.",
    )
    sex = serializers.ChoiceField(choices=["", "F", "M"], required=False)
    birth_place_code = serializers.CharField(
        max_length=5, required=False, allow_blank=True, help_text="INSEE code, e.g. 69123."
    )
    birth_place_name = serializers.CharField(max_length=60, required=False, allow_blank=True)
    birth_country = serializers.CharField(max_length=60, required=False, allow_blank=True)


class EnrolmentSerializer(serializers.ModelSerializer[Enrolment]):
    learner_email = serializers.EmailField(source="learner.user.email", read_only=True)
    edition = serializers.CharField(source="edition.code", read_only=True)
    year = serializers.CharField(source="year.code", read_only=True)
    campus = serializers.CharField(source="campus.code", read_only=True)
    specialisation = serializers.CharField(
        source="specialisation.code", read_only=True, allow_null=True, default=None
    )
    track = serializers.CharField(read_only=True, help_text="initial or work_study.")
    status = serializers.CharField(
        read_only=True, help_text="enrolled, suspended, withdrawn or completed."
    )

    class Meta:
        model = Enrolment
        fields = (
            "id",
            "learner",
            "learner_email",
            "edition",
            "year",
            "campus",
            "track",
            "specialisation",
            "status",
            "application",
            "previous",
        )


class ContractSerializer(serializers.ModelSerializer[Contract]):
    kind = serializers.CharField(read_only=True, help_text=KIND_HELP)
    tutor_email = serializers.EmailField(
        source="tutor.email", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = Contract
        fields = (
            "id",
            "enrolment",
            "kind",
            "employer_name",
            "employer_siret",
            "tutor_email",
            "opco_name",
            "start_date",
            "end_date",
            "terminated_on",
            "termination_reason",
        )


class InternshipSerializer(serializers.ModelSerializer[Internship]):
    class Meta:
        model = Internship
        fields = (
            "id",
            "enrolment",
            "host_name",
            "host_siret",
            "tutor_name",
            "tutor_email",
            "start_date",
            "end_date",
            "mode",
            "placement_days",
            "agreement_signed_on",
        )


class ContractInputSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField(help_text=KIND_HELP)
    employer_name = serializers.CharField(max_length=200)
    employer_siret = serializers.CharField(max_length=20)
    opco_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    tutor_email = serializers.EmailField(
        required=False,
        allow_blank=True,
        help_text="The employer tutor's e-mail address: required (a contract without it "
        "answers 400, code contract_tutor_required); his account is created if needed.",
    )
    tutor_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    start_date = serializers.DateField()
    end_date = serializers.DateField()


class ContractCreateSerializer(ContractInputSerializer):
    enrolment = serializers.IntegerField()


class EnrolCreateSerializer(serializers.Serializer[Any]):
    application = serializers.IntegerField()
    note = serializers.CharField(required=False, allow_blank=True)
    contract = ContractInputSerializer(required=False)


class TransitionSerializer(serializers.Serializer[Any]):
    target = serializers.CharField(help_text="enrolled, suspended, withdrawn or completed.")
    note = serializers.CharField(required=False, allow_blank=True)


class ReenrolSerializer(serializers.Serializer[Any]):
    edition = serializers.CharField(help_text="The code of the next edition, e.g. 2026-27.")
    track = serializers.CharField(required=False, help_text="initial or work_study.")
    contract = ContractInputSerializer(required=False)


class TerminateSerializer(serializers.Serializer[Any]):
    terminated_on = serializers.DateField()
    reason = serializers.CharField()


class InternshipCreateSerializer(serializers.Serializer[Any]):
    enrolment = serializers.IntegerField()
    host_name = serializers.CharField(max_length=200)
    host_siret = serializers.CharField(max_length=20, required=False, allow_blank=True)
    tutor_name = serializers.CharField(max_length=200)
    tutor_email = serializers.EmailField(required=False, allow_blank=True)
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    agreement_signed_on = serializers.DateField(required=False, allow_null=True)
    mode = serializers.ChoiceField(
        choices=PlacementMode.choices,
        required=False,
        help_text="continuous (one internship of 4 to 6 months) or alternating (with school "
        "over the dates, following the campus calendar). Default: what the campus rhythm "
        "expects. A mode the rhythm does not expect answers 400, code placement_mode; fewer "
        "than 110 placement days, placement_days_short.",
    )


def _contract(data: dict[str, Any] | None) -> services.ContractInput | None:
    if not data:
        return None
    return services.ContractInput(
        kind=data["kind"],
        employer_name=data["employer_name"],
        employer_siret=data["employer_siret"],
        start_date=data["start_date"],
        end_date=data["end_date"],
        opco_name=data.get("opco_name") or "",
        tutor_email=data.get("tutor_email") or "",
        tutor_name=data.get("tutor_name") or "",
    )


def _managed(enrolment: Enrolment, user: User) -> Enrolment:
    if not services.can_manage(user=user, campus_id=enrolment.campus_id):
        raise NotFound()
    return enrolment


def _managed_enrolment(pk: int, user: User) -> Enrolment:
    """The enrolment ``pk`` a payload names, if the user may read it and manage its campus,
    else 404."""
    enrolment = queries.enrolment_get_for(user=user, pk=pk)
    if enrolment is None:
        raise NotFound()
    return _managed(enrolment, user)


WRITE_ERRORS = {400: ErrorSerializer, 404: NotFoundSerializer}
NOT_FOUND = {404: NotFoundSerializer}


@extend_schema_view(
    list=extend_schema(summary="List the learners you may read"),
    retrieve=extend_schema(summary="A learner", responses={200: LearnerSerializer, **NOT_FOUND}),
)
class LearnerViewSet(viewsets.ReadOnlyModelViewSet[Learner]):
    """Learners: a learner sees herself, a tutor his apprentices, campus staff their campus."""

    serializer_class = LearnerSerializer
    queryset = Learner.objects.none()  # the schema's id type; reads use get_queryset
    permission_classes = (IsAuthenticated,)

    def get_queryset(self) -> QuerySet[Learner]:
        return queries.learner_list_for(user=request_user(self.request))

    @extend_schema(
        summary="Record a learner's INE, date of birth and civil-status identity (her "
        "campus staff); fields left out keep their value",
        request=LearnerUpdateSerializer,
        responses={200: LearnerSerializer, **WRITE_ERRORS},
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        user = request_user(request)
        record = queries.learner_record_for(user=user, pk=int(pk or 0))
        if record is None or not record.can_manage:
            raise NotFound()
        payload = LearnerUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        given = payload.validated_data
        learner = record.learner
        current = {
            name: getattr(learner, name)
            for name in ("national_student_number", "date_of_birth", *services.IDENTITY_FIELDS)
        }
        merged = {**current, **given}
        services.learner_update(
            learner=learner,
            national_student_number=merged["national_student_number"],
            date_of_birth=merged["date_of_birth"],
            actor=user,
            identity=services.LearnerIdentity(
                **{name: merged[name] for name in services.IDENTITY_FIELDS}
            ),
        )
        return Response(LearnerSerializer(self.get_queryset().get(pk=learner.pk)).data)


@extend_schema_view(
    list=extend_schema(summary="List the enrolments you may read"),
    retrieve=extend_schema(
        summary="An enrolment", responses={200: EnrolmentSerializer, **NOT_FOUND}
    ),
)
class EnrolmentViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Enrolment]
):
    """Enrolments, scoped; enrol an admitted application, move, re-enrol."""

    serializer_class = EnrolmentSerializer
    queryset = Enrolment.objects.none()  # the schema's id type; reads use get_queryset
    permission_classes = (IsAuthenticated,)

    def get_queryset(self) -> QuerySet[Enrolment]:
        qs = queries.enrolment_list_for(user=request_user(self.request))
        params = self.request.query_params
        for name in ("edition", "campus", "year"):
            if params.get(name):
                qs = qs.filter(**{f"{name}__code": params[name]})
        for name in ("track", "status"):
            if params.get(name):
                qs = qs.filter(**{name: params[name]})
        return qs

    @extend_schema(
        summary="Enrol an admitted application",
        description="A work-study application needs its contract in the same request.",
        request=EnrolCreateSerializer,
        responses={201: EnrolmentSerializer, **WRITE_ERRORS},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = EnrolCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        user = request_user(request)
        application = (
            queries.admitted_applications_for(user=user)
            .filter(pk=payload.validated_data["application"])
            .first()
        )
        if application is None:
            raise NotFound()
        enrolment = services.enrolment_create_from_application(
            application=application,
            actor=user,
            contract=_contract(payload.validated_data.get("contract")),
            note=payload.validated_data.get("note", ""),
        )
        fresh = queries.enrolment_list_for(user=user).get(pk=enrolment.pk)
        return Response(EnrolmentSerializer(fresh).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Move an enrolment (suspend, resume, withdraw, complete)",
        request=TransitionSerializer,
        responses={200: EnrolmentSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk: str | None = None) -> Response:
        user = request_user(request)
        enrolment = _managed(self.get_object(), user)
        payload = TransitionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.enrolment_transition(
            enrolment=enrolment,
            target=payload.validated_data["target"],
            actor=user,
            note=payload.validated_data.get("note", ""),
        )
        return Response(EnrolmentSerializer(self.get_queryset().get(pk=enrolment.pk)).data)

    @extend_schema(
        summary="Re-enrol from MSc 1 into MSc 2 of a later edition",
        request=ReenrolSerializer,
        responses={201: EnrolmentSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def reenrol(self, request: Request, pk: str | None = None) -> Response:
        user = request_user(request)
        enrolment = _managed(self.get_object(), user)
        payload = ReenrolSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        edition = Edition.objects.filter(
            programme_id=enrolment.edition.programme_id, code=payload.validated_data["edition"]
        ).first()
        if edition is None:
            raise NotFound()
        new = services.enrolment_reenrol(
            enrolment=enrolment,
            edition=edition,
            actor=user,
            track=payload.validated_data.get("track"),
            contract=_contract(payload.validated_data.get("contract")),
        )
        return Response(
            EnrolmentSerializer(self.get_queryset().get(pk=new.pk)).data,
            status=status.HTTP_201_CREATED,
        )


@extend_schema_view(
    list=extend_schema(summary="List the work-study contracts you may read"),
    retrieve=extend_schema(
        summary="A work-study contract", responses={200: ContractSerializer, **NOT_FOUND}
    ),
)
class ContractViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Contract]
):
    """Work-study contracts; a tutor sees only the contracts he tutors."""

    serializer_class = ContractSerializer
    queryset = Contract.objects.none()  # the schema's id type; reads use get_queryset
    permission_classes = (IsAuthenticated,)

    def get_queryset(self) -> QuerySet[Contract]:
        return queries.contract_list_for(user=request_user(self.request))

    @extend_schema(
        summary="Record a work-study contract",
        description="SIRET checked; the length must fit the entry year (2 years entering "
        "MSc 1, 1 year entering MSc 2, within one month).",
        request=ContractCreateSerializer,
        responses={201: ContractSerializer, **WRITE_ERRORS},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = ContractCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        user = request_user(request)
        enrolment = _managed_enrolment(payload.validated_data["enrolment"], user)
        data = _contract(payload.validated_data)
        assert data is not None
        contract = services.contract_create(enrolment=enrolment, contract=data, actor=user)
        return Response(ContractSerializer(contract).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Terminate a contract early",
        request=TerminateSerializer,
        responses={200: ContractSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def terminate(self, request: Request, pk: str | None = None) -> Response:
        user = request_user(request)
        contract = self.get_object()
        _managed(contract.enrolment, user)
        payload = TerminateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.contract_terminate(
            contract=contract,
            terminated_on=payload.validated_data["terminated_on"],
            reason=payload.validated_data["reason"],
            actor=user,
        )
        return Response(ContractSerializer(contract).data)


@extend_schema_view(
    list=extend_schema(summary="List the internships you may read"),
    retrieve=extend_schema(
        summary="An internship", responses={200: InternshipSerializer, **NOT_FOUND}
    ),
)
class InternshipViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Internship]
):
    """Internships of initial-track learners."""

    serializer_class = InternshipSerializer
    queryset = Internship.objects.none()  # the schema's id type; reads use get_queryset
    permission_classes = (IsAuthenticated,)

    def get_queryset(self) -> QuerySet[Internship]:
        return queries.internship_list_for(user=request_user(self.request))

    @extend_schema(
        summary="Record an internship (continuous or alternating, after the campus rhythm)",
        request=InternshipCreateSerializer,
        responses={201: InternshipSerializer, **WRITE_ERRORS},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = InternshipCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        user = request_user(request)
        enrolment = _managed_enrolment(data["enrolment"], user)
        internship = services.internship_create(
            enrolment=enrolment,
            internship=services.InternshipInput(
                host_name=data["host_name"],
                host_siret=data.get("host_siret") or "",
                tutor_name=data["tutor_name"],
                tutor_email=data.get("tutor_email") or "",
                start_date=data["start_date"],
                end_date=data["end_date"],
                agreement_signed_on=data.get("agreement_signed_on"),
                mode=data.get("mode"),
            ),
            actor=user,
        )
        return Response(InternshipSerializer(internship).data, status=status.HTTP_201_CREATED)
