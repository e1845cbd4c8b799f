"""ROC summaries and their bootstrap intervals."""

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from mnist_fooling.stages.detectors.roc import bootstrap_roc, roc_summary


def test_roc_summary_is_sklearns_and_perfect_separation_has_no_false_positives():
    rng = np.random.default_rng(6)
    neg, pos = rng.normal(size=300), rng.normal(1.0, size=40)
    auroc, _ = roc_summary(neg, pos)
    labels = np.r_[np.zeros(300), np.ones(40)]
    assert auroc == pytest.approx(roc_auc_score(labels, np.r_[neg, pos]))
    assert roc_summary(neg, pos + 100) == (1.0, 0.0)
    assert roc_summary(neg, neg.min() - 1 - rng.random(40)) == (0.0, 1.0)
    with pytest.raises(ValueError, match="at least one"):
        roc_summary(neg, pos[:0])


def test_bootstrap_interval_contains_the_estimate_and_narrows_with_n():
    rng = np.random.default_rng(7)
    widths = []
    for n in (30, 600):
        neg, pos = rng.normal(size=n), rng.normal(1.0, size=n)
        found = bootstrap_roc(neg, pos, resamples=100, rng=np.random.default_rng(0))
        assert found["auroc_low"] <= found["auroc"] <= found["auroc_high"]
        assert found["fpr95_low"] <= found["fpr95"] <= found["fpr95_high"]
        widths.append(found["auroc_high"] - found["auroc_low"])
    assert widths[1] < widths[0] / 2
