"""Enrolment rules, no database: status table, SIRET, INE, contract and internship lengths,
re-enrolment."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from capitalis.enrolment import rules
from capitalis.enrolment.rules import EnrolmentStatus as S
from capitalis.programmes.rules import RhythmRules
from tests.enrolment.builders import siret


def test_status_table() -> None:
    assert rules.can_move_enrolment(S.ENROLLED, S.SUSPENDED).ok
    assert rules.can_move_enrolment(S.SUSPENDED, S.ENROLLED).ok
    assert rules.can_move_enrolment(S.ENROLLED, S.COMPLETED).ok
    refused = rules.can_move_enrolment(S.WITHDRAWN, S.ENROLLED)
    assert not refused.ok and refused.code == "not_in_table"
    assert not rules.can_move_enrolment(S.COMPLETED, S.SUSPENDED).ok
    assert rules.next_enrolment_statuses(S.WITHDRAWN) == ()
    assert rules.next_enrolment_statuses(S.SUSPENDED) == (S.ENROLLED, S.WITHDRAWN)


def test_siret_luhn() -> None:
    good = siret("7328293200007")
    assert rules.siret_valid(good).ok
    assert rules.siret_valid(f"{good[:3]} {good[3:6]} {good[6:9]} {good[9:]}").ok
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    check = rules.siret_valid(bad)
    assert not check.ok and check.code == "siret_checksum"
    short = rules.siret_valid("1234")
    assert not short.ok and short.code == "siret_format" and short.params["length"] == 4
    assert rules.siret_valid("1234567890123A").code == "siret_format"


def test_siret_la_poste_exception() -> None:
    # La Poste establishments: digit sum multiple of 5, Luhn not required.
    ok = "35600000012345"  # digit sum 3+5+6+1+2+3+4+5 = 29 → not multiple of 5
    assert not rules.siret_valid(ok).ok
    fives = "35600000012346"  # sum 30
    assert rules.siret_valid(fives).ok
    assert not rules.luhn_ok(fives)


@given(st.text(alphabet="0123456789", min_size=13, max_size=13))
def test_every_luhn_completed_siret_is_valid(prefix: str) -> None:
    value = siret(prefix)
    if value.startswith(rules.LA_POSTE_SIREN):
        return
    assert rules.siret_valid(value).ok
    # changing one digit always breaks Luhn
    wrong = value[:5] + str((int(value[5]) + 1) % 10) + value[6:]
    assert not rules.siret_valid(wrong).ok


def test_ine() -> None:
    assert rules.ine_valid("0123456789A").ok
    assert not rules.ine_valid("0123456789").ok
    assert not rules.ine_valid("0123456789-A").ok


def test_contract_fits_entry_year() -> None:
    start = dt.date(2026, 9, 1)
    two_years = dt.date(2028, 8, 31)
    one_year = dt.date(2027, 8, 31)
    assert rules.contract_fits(1, start, two_years).ok
    assert rules.contract_fits(2, start, one_year).ok
    short = rules.contract_fits(1, start, one_year)
    assert not short.ok and short.code == "contract_too_short"
    assert short.params["years"] == 2 and short.params["minimum"] == 23
    long = rules.contract_fits(2, start, two_years)
    assert not long.ok and long.code == "contract_too_long"
    # tolerance: one month either side
    assert rules.contract_fits(1, dt.date(2026, 10, 1), two_years).ok  # 23 months
    assert not rules.contract_fits(1, dt.date(2026, 10, 2), two_years).ok  # 22 m 30 d
    assert rules.contract_fits(2, start, dt.date(2027, 9, 30)).ok  # 13 months
    assert not rules.contract_fits(2, start, dt.date(2027, 10, 1)).ok
    assert rules.contract_fits(1, start, start).code == "contract_dates"


def test_internship_fits_between_four_and_six_months() -> None:
    start = dt.date(2027, 3, 1)
    assert rules.internship_fits(start, dt.date(2027, 6, 30)).ok  # 4 months
    assert rules.internship_fits(start, dt.date(2027, 8, 31)).ok  # 6 months
    short = rules.internship_fits(start, dt.date(2027, 6, 29))
    assert not short.ok and short.code == "internship_too_short"
    long = rules.internship_fits(start, dt.date(2027, 9, 1))
    assert not long.ok and long.code == "internship_too_long"
    # the numbers come from the programme's RhythmRules
    assert rules.internship_fits(
        start, dt.date(2027, 9, 30), RhythmRules(internship_max_months=7)
    ).ok


def test_termination_and_reenrolment() -> None:
    start, end = dt.date(2026, 9, 1), dt.date(2028, 8, 31)
    assert rules.termination_fits(start, end, dt.date(2027, 1, 15)).ok
    assert rules.termination_fits(start, end, dt.date(2026, 8, 1)).code == (
        "termination_before_start"
    )
    assert rules.termination_fits(start, end, end).code == "termination_after_end"
    ok = rules.reenrolment_check(
        current_position=1,
        target_position=2,
        current_status=S.ENROLLED,
        current_start=start,
        target_start=dt.date(2027, 9, 1),
    )
    assert ok.ok
    assert (
        rules.reenrolment_check(
            current_position=2,
            target_position=3,
            current_status=S.ENROLLED,
            current_start=start,
            target_start=dt.date(2027, 9, 1),
        ).code
        == "reenrol_year"
    )
    assert (
        rules.reenrolment_check(
            current_position=1,
            target_position=2,
            current_status=S.WITHDRAWN,
            current_start=start,
            target_start=dt.date(2027, 9, 1),
        ).code
        == "reenrol_status"
    )
