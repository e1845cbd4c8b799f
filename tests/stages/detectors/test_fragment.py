"""The report part of the detectors stage: claim X1, variables and tables."""

import numpy as np
import pandas as pd
import pytest

from mnist_fooling.core.errors import UserInputError
from mnist_fooling.stages.detectors import fragment as det_fragment
from mnist_fooling.stages.detectors.config import ADAPTIVE_SET, AUROC_COLUMNS, NOISE_SET, PLAIN_SET
from mnist_fooling.stages.detectors.verdict import claim_verdict
from tests.stages.detectors.synthetic import detector_params


def auroc_frame(lows: dict[tuple[str, str, str], float]) -> pd.DataFrame:
    """AUROC rows with the given lower bounds (auroc = low + 0.01, high = low + 0.02)."""
    rows = []
    for (model, detector, set_), low in lows.items():
        rows.append(
            dict(
                model=model,
                detector=detector,
                set=set_,
                n=0 if np.isnan(low) else 20,
                n_converged=20,
                n_negatives=100,
                auroc=low + 0.01,
                auroc_low=low,
                auroc_high=low + 0.02,
                fpr95=0.5,
                fpr95_low=0.4,
                fpr95_high=0.6,
            )
        )
    return pd.DataFrame(rows)


def grid(values: dict[str, dict[str, float]]) -> pd.DataFrame:
    """``{model: {detector: low}}`` on two methods and noise, adaptive given separately."""
    lows = {}
    for model, per in values.items():
        for detector, (plain, attack) in per.items():
            for set_ in ("genetic", "hillclimb", NOISE_SET):
                lows[(model, detector, set_)] = plain
            lows[(model, detector, PLAIN_SET)] = plain
            lows[(model, detector, ADAPTIVE_SET)] = attack
    return auroc_frame(lows)


@pytest.mark.parametrize(
    ("values", "verdict"),
    [
        ({"cnn": {"energy": (0.97, 0.96)}, "mlp": {"energy": (0.99, np.nan)}}, "reproduced"),
        ({"cnn": {"energy": (0.97, 0.40), "mahalanobis": (0.60, 0.3)}}, "partly"),
        ({"cnn": {"energy": (0.97, 0.96)}, "mlp": {"energy": (0.90, 0.99)}}, "not reproduced"),
    ],
)
def test_claim_verdict_reaches_each_outcome(values, verdict):
    assert claim_verdict(grid(values))[0] == verdict


def test_claim_without_rows_is_not_yet_measured():
    assert claim_verdict(auroc_frame({}).reindex(columns=AUROC_COLUMNS))[0] == ("not yet measured")


def adaptive_frame(models=("softmax", "cnn"), detectors=("energy", "mahalanobis")) -> pd.DataFrame:
    rows = [
        dict(
            model=m,
            detector=d,
            limit=0.1,
            runs=10,
            plain_reached=10,
            plain_passes=1,
            plain_evaluations=200,
            adaptive_reached=9,
            adaptive_success=8 if d == "energy" else 0,
            adaptive_evaluations=640,
        )
        for m in models
        for d in detectors
    ]
    return pd.DataFrame(rows)


def test_fragment_has_tables_variables_and_a_claim(tmp_path):
    auroc = grid(
        {
            "softmax": {"energy": (0.3, 0.2), "mahalanobis": (0.97, 0.96)},
            "cnn": {"energy": (0.96, 0.3), "mahalanobis": (0.97, np.nan)},
        }
    )
    auroc.to_csv(tmp_path / "auroc.csv", index=False)
    adaptive_frame().to_csv(tmp_path / "adaptive.csv", index=False)
    config = {"detectors": detector_params(bootstrap=50)}
    frag = det_fragment.fragment(
        {"auroc": tmp_path / "auroc.csv", "adaptive": tmp_path / "adaptive.csv"}, config
    )
    assert set(frag) == {"variables", "tables", "claims"}
    (claim,) = frag["claims"]
    assert claim["id"] == "X1" and claim["verdict"] == "reproduced"
    v = frag["variables"]
    assert all(isinstance(x, str) for x in v.values())
    assert v["bootstrap"] == "50" and v["roc_model"] == "CNN" and v["roc_best"] == "Mahalanobis"
    assert (
        v["holding"]
        == "Mahalanobis on the softmax regression, energy on the CNN and Mahalanobis on the CNN"
    )
    assert v["collapsed"] == "energy on the CNN"  # held without the attack, not with it
    assert v["inverted"] == "energy on the softmax regression"
    assert v["price"].startswith("4.0 times")  # (640 / 8) / (200 / 10)
    table = frag["tables"]["auroc"].splitlines()
    assert table[0].startswith("| model | detector | genetic | hill climbing | uniform noise |")
    assert len(table) == 2 + 4 and "0.980 [0.970, 0.990]" in table[3]
    assert "8/10" in frag["tables"]["adaptive"] and "×4.0" in frag["tables"]["adaptive"]
    with pytest.raises(UserInputError, match="adaptive"):
        det_fragment.fragment({"auroc": tmp_path / "auroc.csv"}, config)


def test_every_variable_of_the_section_is_in_the_fragment(tmp_path):
    import re

    from tests.conftest import ROOT

    text = (ROOT / "report" / "sections" / "detectors.qmd").read_text()
    wanted = set(re.findall(r"\{\{< var detectors\.([a-z_]+) >\}\}", text))
    included = set(re.findall(r"\{\{< include tables/detectors/([a-z0-9_]+)\.md >\}\}", text))
    assert len(wanted) > 20 and included == {"auroc", "sizes", "fpr95", "adaptive"}
    empty = auroc_frame({}).reindex(columns=AUROC_COLUMNS)
    for auroc in (grid({"cnn": {"energy": (0.97, 0.5)}}), empty):
        auroc.to_csv(tmp_path / "auroc.csv", index=False)
        adaptive_frame(("cnn",), ("energy",)).iloc[: len(auroc)].to_csv(
            tmp_path / "adaptive.csv", index=False
        )
        frag = det_fragment.fragment(
            {"auroc": tmp_path / "auroc.csv", "adaptive": tmp_path / "adaptive.csv"},
            {"detectors": detector_params()},
        )
        assert wanted <= set(frag["variables"]) and included <= set(frag["tables"])
    assert frag["claims"][0]["verdict"] == "not yet measured"
