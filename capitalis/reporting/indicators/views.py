"""Staff indicator dashboard (/reporting/) and its CSV exports (SPEC §9): every chart has the
numbers table beside it, every table exports as CSV. Campus staff see their campuses only; a
user with no reporting scope gets 404 (anonymous: the login page)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import formats
from django.utils.translation import gettext as _

from capitalis.accounts import permissions
from capitalis.accounts.models import User
from capitalis.core import clock
from capitalis.core.params import parse_id
from capitalis.core.spreadsheets import CSV_CONTENT_TYPE, csv_bytes
from capitalis.programmes.models import Programme
from capitalis.reporting.indicators import queries, rules
from capitalis.reporting.indicators.charts import Chart, bar_chart
from capitalis.reporting.models import SurveyKind
from capitalis.reporting.surveys import queries as queries_surveys

# --- formatting -------------------------------------------------------------------------------


def indicator_label(code: str) -> str:
    labels = {
        "certification_rate": _("Certification rate"),
        "partial_certification_rate": _("Partial certification rate"),
        "block_pass_rate": _("Block pass rate"),
        "satisfaction_teaching": _("Satisfaction with teaching"),
        "satisfaction_work_study": _("Satisfaction with work-study"),
        "employment_6m": _("Employment at 6 months"),
        "employment_2y": _("Employment at 2 years"),
        "apprentices": _("Apprentices"),
        "apprentices_msc1": _("Apprentices in year 1"),
        "apprentices_msc2": _("Apprentices in year 2"),
    }
    return str(labels.get(code, code))


def figure_text(f: rules.Figure) -> str:
    """A figure as a reader sees it: "92 %", "14 days", or why there is no value."""
    if f.reason is rules.Reason.NO_DATA:
        return _("no data")
    if f.value is None:
        return _("not significant (base %(n)s, below %(min)s)") % {
            "n": f.denominator,
            "min": f.min_base,
        }
    if f.unit is rules.Unit.PERCENT:
        return _("%(value)s %%") % {"value": f.rounded}
    if f.unit is rules.Unit.DAYS:
        return _("%(value)s days") % {"value": formats.number_format(f.value)}
    return str(f.rounded)


def date_text(day: dt.date | None) -> str:
    return formats.date_format(day, "DATE_FORMAT") if day else "—"


def csv_value(f: rules.Figure) -> str:
    return "" if f.value is None else str(f.value)


def yes_no(flag: bool) -> str:
    return _("yes") if flag else _("no")


# --- tables ----------------------------------------------------------------------------------


@dataclass
class Table:
    """A numbers table: what the page shows beside a chart, and what its CSV holds."""

    slug: str
    title: str
    header: list[str]
    rows: list[list[str]] = field(default_factory=list)
    csv_rows: list[list[str]] = field(default_factory=list)
    csv_header: list[str] = field(default_factory=list)
    chart: Chart | None = None
    note: str = ""


def _rate_columns(f: rules.Figure) -> tuple[list[str], list[str]]:
    """(page cells, CSV cells) of a rate: its text, and value / significant / date."""
    return (
        [figure_text(f), date_text(f.as_of)],
        [csv_value(f), "1" if f.significant else "0", f.as_of.isoformat() if f.as_of else ""],
    )


RATE_CSV = ["rate_percent", "significant", "as_of"]


def certification_table(d: queries.Dashboard) -> Table:
    t = Table(
        slug="certification",
        title=_("Certification rate per cohort"),
        header=[
            _("Edition"),
            _("Campus"),
            _("Cohort"),
            _("Certified"),
            _("Partially certified"),
            _("Not certified"),
            _("Undecided"),
            _("Certification rate"),
            _("Partial certification rate"),
            _("Date"),
        ],
        csv_header=[
            "edition",
            "campus",
            "cohort",
            "certified",
            "partially_certified",
            "not_certified",
            "undecided",
            *RATE_CSV,
            "partial_rate_percent",
        ],
        note=_(
            "Cohort: the final-year enrolments of the edition (withdrawn learners excepted). "
            "Only decisions of closed jury sessions count; the jury's override, else the "
            "computed status."
        ),
    )
    for r in [*d.certification, *d.certification_by_campus]:
        campus = r.campus.name if r.campus else _("All campuses")
        counts = [str(r.cohort), str(r.certified), str(r.partial), str(r.not_certified)]
        page, raw = _rate_columns(r.rate)
        t.rows.append(
            [
                r.edition.label,
                campus,
                *counts,
                str(r.undecided),
                page[0],
                figure_text(r.partial_rate),
                page[1],
            ]
        )
        t.csv_rows.append(
            [
                r.edition.code,
                r.campus.code if r.campus else "",
                *counts,
                str(r.undecided),
                *raw,
                csv_value(r.partial_rate),
            ]
        )
    t.chart = bar_chart(
        slug="certification",
        title=_("Certification rate per edition, all campuses"),
        description=_("Certified learners as a share of the cohort, per edition."),
        items=[(r.edition.label, r.rate.value, figure_text(r.rate)) for r in d.certification],
        maximum=Decimal(100),
    )
    return t


def certification_campus_chart(d: queries.Dashboard) -> Chart | None:
    latest = d.certification[-1].edition if d.certification else None
    rows = [r for r in d.certification_by_campus if r.edition == latest]
    if latest is None:
        return None
    return bar_chart(
        slug="certification-campus",
        title=_("Certification rate per campus, %(edition)s") % {"edition": latest.label},
        description=_("Certified learners as a share of the cohort, per campus."),
        items=[
            (r.campus.name if r.campus else "", r.rate.value, figure_text(r.rate)) for r in rows
        ],
        maximum=Decimal(100),
    )


def block_table(d: queries.Dashboard) -> Table:
    t = Table(
        slug="blocks",
        title=_("Pass rate per block"),
        header=[
            _("Edition"),
            _("Block"),
            _("Validated"),
            _("Not validated"),
            _("Incomplete"),
            _("Pass rate"),
            _("Date"),
        ],
        csv_header=[
            "edition",
            "block",
            "validated",
            "not_validated",
            "incomplete",
            *RATE_CSV,
        ],
        note=_(
            "Pass rate: validated / decided (validated or not validated), latest decision of a "
            "closed jury session per learner and block; incomplete blocks are shown apart."
        ),
    )
    for b in d.blocks:
        counts = [str(b.validated), str(b.not_validated), str(b.incomplete)]
        page, raw = _rate_columns(b.rate)
        t.rows.append([b.edition.label, b.block_label, *counts, *page])
        t.csv_rows.append([b.edition.code, b.block.code, *counts, *raw])
    latest = d.blocks[-1].edition if d.blocks else None
    if latest is not None:
        t.chart = bar_chart(
            slug="blocks",
            title=_("Pass rate per block, %(edition)s") % {"edition": latest.label},
            description=_("Validated blocks as a share of decided blocks, per block."),
            items=[
                (b.block.code, b.rate.value, figure_text(b.rate))
                for b in d.blocks
                if b.edition == latest
            ],
            maximum=Decimal(100),
        )
    return t


def admission_table(d: queries.Dashboard) -> Table:
    labels = queries.funnel_labels()
    t = Table(
        slug="admissions",
        title=_("Admissions funnel and decision delay"),
        header=[_("Edition"), *labels, _("Total"), _("Median decision delay"), _("Late decisions")],
        csv_header=[
            "edition",
            *[s.value for s in queries.FUNNEL],
            "total",
            "median_delay_days",
            "delay_base",
            "late_decisions",
        ],
        note=_(
            "Applications per current status (drafts excepted). Delay: days from presentation "
            "to the admission jury to the decision; a decision is due within %(days)s days."
        )
        % {"days": queries.DECISION_DUE_DAYS},
    )
    for r in d.admissions:
        cells = [str(n) for n in r.cells]
        t.rows.append([r.edition.label, *cells, str(r.total), figure_text(r.delay), str(r.late)])
        t.csv_rows.append(
            [
                r.edition.code,
                *cells,
                str(r.total),
                csv_value(r.delay),
                str(r.delay.denominator or 0),
                str(r.late),
            ]
        )
    if d.admissions:
        latest = d.admissions[-1]
        t.chart = bar_chart(
            slug="admissions",
            title=_("Applications per status, %(edition)s") % {"edition": latest.edition.label},
            description=_("Number of applications at each status."),
            items=[
                (label, Decimal(n), str(n)) for label, n in zip(labels, latest.cells, strict=True)
            ],
        )
    return t


def apprentice_table(d: queries.Dashboard) -> Table:
    years = d.years
    t = Table(
        slug="apprentices",
        title=_("Apprentices per year and campus"),
        header=[_("Edition"), _("Campus"), *[y.title for y in years], _("Total"), _("Date")],
        csv_header=["edition", "campus", *[y.code for y in years], "total", "as_of"],
        note=_(
            "Work-study learners holding an apprenticeship contract running during the edition "
            "(professionalisation contracts excepted)."
        ),
    )
    for r in d.apprentices:
        cells = [str(r.by_year.get(y.position, 0)) for y in years]
        t.rows.append([r.edition.label, r.campus.name, *cells, str(r.total), date_text(r.as_of)])
        t.csv_rows.append(
            [r.edition.code, r.campus.code, *cells, str(r.total), r.as_of.isoformat()]
        )
    latest = d.apprentices[-1].edition if d.apprentices else None
    if latest is not None:
        t.chart = bar_chart(
            slug="apprentices",
            title=_("Apprentices per campus, %(edition)s") % {"edition": latest.label},
            description=_("Number of apprentices per campus, all years."),
            items=[
                (r.campus.name, Decimal(r.total), str(r.total))
                for r in d.apprentices
                if r.edition == latest
            ],
        )
    return t


def survey_table(d: queries.Dashboard) -> Table:
    t = Table(
        slug="surveys",
        title=_("Satisfaction and employment (surveys)"),
        header=[
            _("Indicator"),
            _("Edition"),
            _("Campus"),
            _("Answers"),
            _("Positive"),
            _("Rate"),
            _("Date"),
        ],
        csv_header=["indicator", "edition", "campus", "answered", "positive", *RATE_CSV],
        note=_(
            "Satisfaction: answers 4 or 5 on a 1–5 scale. Employment: alumni in employment "
            "among those who answered."
        ),
    )
    for s in [*d.surveys, *d.surveys_by_campus]:
        campus = s.campus.name if s.campus else _("All campuses")
        page, raw = _rate_columns(s.rate)
        counts = [str(s.answered), str(s.positive)]
        t.rows.append([indicator_label(s.kind), s.edition.label, campus, *counts, *page])
        t.csv_rows.append(
            [s.kind, s.edition.code, s.campus.code if s.campus else "", *counts, *raw]
        )
    latest: dict[str, queries.SurveyRow] = {}
    for s in d.surveys:
        latest[s.kind] = s
    if latest:
        t.chart = bar_chart(
            slug="surveys",
            title=_("Latest survey results, all campuses"),
            description=_("Satisfaction and employment rates of the latest survey of each kind."),
            items=[
                (
                    f"{indicator_label(k.value)} {latest[k].edition.label}",
                    latest[k].rate.value,
                    figure_text(latest[k].rate),
                )
                for k in SurveyKind
                if k.value in latest
            ],
            maximum=Decimal(100),
        )
    return t


def declared_table(rows: list[queries.DeclaredRow]) -> Table:
    t = Table(
        slug="declared",
        title=_("Declared history"),
        header=[_("Indicator"), _("Period"), _("Campus"), _("Value"), _("Date"), _("Source")],
        csv_header=["indicator", "period", "campus", "value", "unit", "as_of", "source"],
        note=_(
            "Figures published before Capitalis kept the records, entered as declared history: "
            "not computed from records here."
        ),
    )
    for r in rows:
        f = r.figure
        t.rows.append(
            [
                indicator_label(r.indicator),
                r.period,
                r.campus.name if r.campus else _("All campuses"),
                figure_text(f),
                date_text(f.as_of),
                f.source,
            ]
        )
        t.csv_rows.append(
            [
                r.indicator,
                r.period,
                r.campus.code if r.campus else "",
                str(f.value),
                "%" if f.unit is rules.Unit.PERCENT else "count",
                f.as_of.isoformat() if f.as_of else "",
                f.source,
            ]
        )
    return t


TABLES: dict[str, Callable[[queries.Dashboard], Table]] = {
    "certification": certification_table,
    "blocks": block_table,
    "admissions": admission_table,
    "apprentices": apprentice_table,
    "surveys": survey_table,
    "declared": lambda d: declared_table(d.declared),
}


# --- views -----------------------------------------------------------------------------------


def _context(request: HttpRequest) -> tuple[queries.Scope, Programme, list[Programme]]:
    user = request.user
    assert isinstance(user, User)
    scope = queries.scope_for(user=user)
    if scope is None:
        raise Http404(_("Page not found."))
    programmes = list(queries.programme_list())
    if not programmes:
        raise Http404(_("Page not found."))
    code = request.GET.get("programme") or programmes[0].code
    programme = next((p for p in programmes if p.code == code), None)
    if programme is None:
        raise Http404(_("Page not found."))
    campus = request.GET.get("campus", "")
    if campus:
        campus_id = parse_id(campus)
        if campus_id is None or not scope.allows(campus_id):
            raise Http404(_("Page not found."))
        scope = queries.Scope(frozenset({campus_id}))
    return scope, programme, programmes


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    scope, programme, programmes = _context(request)
    user = request.user
    assert isinstance(user, User)
    full_scope = queries.scope_for(user=user)
    assert full_scope is not None
    d = queries.dashboard(programme=programme, scope=scope, today=clock.today())
    tables = [build(d) for build in TABLES.values()]
    return render(
        request,
        "reporting/indicators/dashboard.html",
        {
            "programme": programme,
            "programmes": programmes,
            "campuses": queries.campus_list_for(scope=full_scope),
            "campus_selected": request.GET.get("campus", ""),
            "scope_all": full_scope.everything,
            "tables": tables,
            "campus_chart": certification_campus_chart(d),
            "min_base": d.base,
            "query": request.GET.urlencode(),
            # the related pages this person may open (surveys feed the satisfaction and
            # employment figures; the declaration reports the same holders)
            "show_surveys": queries_surveys.campus_scope(user) != [],
            "show_declarations": permissions.can(user, "manage", "award_declaration").ok,
        },
    )


@login_required
def table_csv(request: HttpRequest, table: str) -> HttpResponse:
    if table not in TABLES:
        raise Http404(_("Page not found."))
    scope, programme, _programmes = _context(request)
    d = queries.dashboard(programme=programme, scope=scope, today=clock.today())
    t = TABLES[table](d)
    response = HttpResponse(
        csv_bytes(t.csv_rows, header=t.csv_header), content_type=CSV_CONTENT_TYPE
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{programme.code.lower()}-{t.slug}.csv"'
    )
    return response
