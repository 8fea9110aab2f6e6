"""One vocabulary: the jury models store exactly the statuses the rules compute."""

from __future__ import annotations

import pytest

from capitalis.jury import models, rules


@pytest.mark.parametrize(
    ("choices", "enum"),
    [
        (models.BlockStatus, rules.BlockStatus),
        (models.CertificationStatus, rules.CertificationStatus),
        (models.Route, rules.Route),
    ],
)
def test_model_choices_are_the_rules_statuses(choices, enum):
    assert sorted(choices.values) == sorted(member.value for member in enum)
    assert all(str(label) for label in choices.labels)


def test_reason_texts_are_written_once_and_said_in_both_languages():
    from django.utils import translation

    from capitalis.jury import queries

    reason = {"code": "grade_below", "params": {"mean": "9.50", "threshold": "10"}}
    assert rules.Reason("grade_below", reason["params"]).message == (
        "weighted grade 9.50/20 is below 10"
    )
    for language in ("en", "fr"):
        with translation.override(language):
            texts = queries._messages()
            assert set(texts) == set(rules.REASON_TEXTS)  # the queries add no text of their own
            said = queries.reason_text(reason)
            assert "9.50" in said
            assert "10" in said
    with translation.override("fr"):
        assert queries.reason_text(reason) != rules.Reason("grade_below", reason["params"]).message
