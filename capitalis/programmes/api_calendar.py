"""REST API on calendars (SPEC §4; issue 3 point 7): the list of calendars, one calendar as
JSON (days, periods, counts, the 110-day check with reasons, dated events) and as iCalendar.

Routes (under /api/programmes/):
    calendars/                                   list
    calendars/<edition>/<campus>/<track>/        JSON
    calendars/<edition>/<campus>/<track>/ics/    text/calendar (``?lang=`` or Accept-Language)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import HttpResponse
from django.urls import reverse
from django.utils import translation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from capitalis.core.exceptions import DomainError
from capitalis.programmes import calendars, ical
from capitalis.programmes.calendars import CalendarView
from capitalis.programmes.models import Calendar


class CalendarSummarySerializer(serializers.ModelSerializer[Calendar]):
    edition = serializers.CharField(source="edition.code", read_only=True)
    campus = serializers.CharField(source="campus.code", read_only=True)
    page_url = serializers.SerializerMethodField()
    ics_url = serializers.SerializerMethodField()

    class Meta:
        model = Calendar
        fields = ("edition", "campus", "track", "token", "page_url", "ics_url")

    def _absolute(self, path: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

    def get_page_url(self, calendar: Calendar) -> str:
        return self._absolute(
            reverse(
                "programmes:calendar",
                kwargs={
                    "edition": calendar.edition.code,
                    "campus": calendar.campus.code,
                    "track": calendar.track,
                },
            )
        )

    def get_ics_url(self, calendar: Calendar) -> str:
        return self._absolute(reverse("programmes:calendar-feed", kwargs={"token": calendar.token}))


class ReasonSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    passed = serializers.BooleanField()
    message = serializers.CharField(help_text="In the request's language.")
    params = serializers.DictField()


class CheckSerializer(serializers.Serializer[Any]):
    ok = serializers.BooleanField()
    reasons = ReasonSerializer(many=True)


class PeriodSerializer(serializers.Serializer[Any]):
    uid = serializers.CharField(help_text="The iCalendar UID of the period (stable).")
    kind = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField(help_text="Last day, inclusive.")
    days = serializers.IntegerField(help_text="Days of this kind in the period.")
    label = serializers.CharField(allow_blank=True)  # type: ignore[assignment]
    summary = serializers.CharField()


class DaySerializer(serializers.Serializer[Any]):
    date = serializers.DateField()
    kind = serializers.CharField()
    label = serializers.CharField(allow_blank=True)  # type: ignore[assignment]


class EventSerializer(serializers.Serializer[Any]):
    uid = serializers.CharField()
    kind = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    title = serializers.CharField()


class CalendarDetailSerializer(CalendarSummarySerializer):
    """Shape documentation for the detail endpoint (built by ``calendar_payload``)."""

    rhythm = serializers.DictField()
    start = serializers.DateField()
    end = serializers.DateField()
    counts = serializers.DictField(child=serializers.IntegerField())
    check = CheckSerializer()
    periods = PeriodSerializer(many=True)
    days = DaySerializer(many=True)
    events = EventSerializer(many=True)

    class Meta(CalendarSummarySerializer.Meta):
        fields = (  # type: ignore[assignment]
            *CalendarSummarySerializer.Meta.fields,
            "rhythm",
            "start",
            "end",
            "counts",
            "check",
            "periods",
            "days",
            "events",
        )


def _jsonable(value: object) -> object:
    return value.isoformat() if hasattr(value, "isoformat") else value


def calendar_payload(view: CalendarView, request: Request) -> dict[str, Any]:
    """The JSON of one calendar."""
    summary = CalendarSummarySerializer(view.calendar, context={"request": request}).data
    return {
        **summary,
        "rhythm": {"kind": view.rhythm.kind, "params": view.rhythm.params},
        "start": view.year.start,
        "end": view.year.end,
        "counts": {str(kind): count for kind, count in view.year.counts.items()},
        "check": {
            "ok": view.check.ok,
            "reasons": [
                {
                    "code": r.code,
                    "passed": r.passed,
                    "message": calendars.reason_message(r),
                    "params": {k: _jsonable(v) for k, v in r.params.items()},
                }
                for r in view.check.reasons
            ],
        },
        "periods": [
            {
                "uid": ical.span_uid(view, span),
                "kind": str(span.kind),
                "start": span.start,
                "end": span.end,
                "days": span.days,
                "label": span.label,
                "summary": ical.span_summary(span),
            }
            for span in view.spans
        ],
        "days": [{"date": d.day, "kind": str(d.kind), "label": d.label} for d in view.year.days],
        "events": [
            {
                "uid": e.uid,
                "kind": e.kind,
                "start": e.start_date,
                "end": e.end_date,
                "title": e.title,
            }
            for e in view.events
        ],
    }


class CalendarList(generics.ListAPIView[Calendar]):
    """Every calendar (edition, campus, track) with its page and its iCalendar feed."""

    permission_classes = [AllowAny]
    serializer_class = CalendarSummarySerializer
    queryset = Calendar.objects.select_related("edition", "campus").order_by(
        "edition__start_date", "campus__position", "track"
    )


def _view_for(edition: str, campus: str, track: str) -> CalendarView:
    try:
        return calendars.build(
            calendars.calendar_for(edition=edition, campus=campus, track=track),
            with_events=True,
        )
    except DomainError as error:
        raise NotFound(error.message) from error


class CalendarDetail(APIView):
    """One calendar of a campus, track and edition: its days, periods, counts, the 110-day
    check with its reasons, and its dated events."""

    permission_classes = [AllowAny]

    @extend_schema(
        responses={200: CalendarDetailSerializer, 404: OpenApiResponse(description="No offering")}
    )
    def get(self, request: Request, edition: str, campus: str, track: str) -> Response:
        return Response(calendar_payload(_view_for(edition, campus, track), request))


class ICalendarRenderer(BaseRenderer):
    """Lets a client ask for ``Accept: text/calendar``; the view returns the document."""

    media_type = "text/calendar"
    format = "ics"
    charset = "utf-8"

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        if isinstance(data, bytes):
            return data
        return str(data.get("detail", data) if isinstance(data, dict) else data).encode()


class CalendarIcs(APIView):
    """One calendar as iCalendar (RFC 5545), the same document as its public feed."""

    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer, ICalendarRenderer]

    @extend_schema(
        parameters=[
            OpenApiParameter("lang", str, description="fr or en (else Accept-Language)"),
        ],
        responses={
            (200, "text/calendar"): OpenApiTypes.BINARY,
            404: OpenApiResponse(description="No offering"),
        },
    )
    def get(self, request: Request, edition: str, campus: str, track: str) -> HttpResponse:
        language = ical.feed_language(request)
        with translation.override(language):
            view = _view_for(edition, campus, track)
        return ical.ics_response(view, language=language)
