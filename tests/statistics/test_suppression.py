"""statistics/suppression.py: small numbers a coordinator's page keeps back."""

import pytest

from wellness.statistics.suppression import THRESHOLD, suppress_value


@pytest.mark.parametrize(
    ("n", "shown"),
    [(0, False), (1, False), (THRESHOLD - 1, False), (THRESHOLD, True), (50, True)],
)
def test_a_figure_over_few_people_is_hidden(n, shown):
    assert (suppress_value(n, 0.4) == 0.4) is shown
    assert (suppress_value(n, 0.4) is None) is not shown


def test_the_threshold_can_be_raised():
    assert suppress_value(7, 1.0, threshold=8) is None
    assert suppress_value(8, 1.0, threshold=8) == 1.0
