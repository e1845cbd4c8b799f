"""When an automated reader may judge a visual claim (claims/panel.py)."""

import pytest

from mnist_fooling.claims.panel import fit_readers
from tests.stages.fooling.test_reader import curve


@pytest.mark.parametrize(
    ("at_03", "at_0", "fit"),
    [(0.9, 0.15, True), (0.95, 0.0, True), (0.89, 0.0, False), (0.99, 0.16, False)],
)
def test_a_reader_is_fit_at_90_percent_of_s03_blends_and_15_percent_of_noise(at_03, at_0, fit):
    assert fit_readers(curve({0.0: at_0, 0.2: 0.5, 0.3: at_03, 1.0: 1.0})) == {"k-NN": fit}


def test_fitness_needs_the_two_strengths():
    with pytest.raises(ValueError, match="lacks s = 0 or s = 0.3"):
        fit_readers(curve({0.0: 0.0, 1.0: 1.0}))
