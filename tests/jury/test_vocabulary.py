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
