"""The posts' claims (DESIGN.md C1–C15, D1–D8, N1–N2) and their verdicts from pipeline outputs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .likeness import pooled
from .stats import wilson_interval

NOT_MEASURED = "not yet measured"


@dataclass(frozen=True)
class Claim:
    """A claim of a post: its id, source, wording and the value the source gives."""

    id: str
    source: str
    text: str
    seed_value: str


CLAIMS = [
    Claim("C1", "seed 000", "784-100-10 sigmoid network classifies MNIST test digits", "≈98%"),
    Claim(
        "C2",
        "seed 000",
        "first PCA eigenvectors rescaled to [0,1] look like ghostly digits",
        "visual",
    ),
    Claim("C3", "seed 000", "classifier on principal components", "≈70%"),
    Claim(
        "C4",
        "seed 000",
        "input gradient descent converges for 9 of 10 digits; '1' fails",
        "96–99.8%; '1' <12%",
    ),
    Claim("C5", "seed 000", "gradient images are not recognisable digits", "visual"),
    Claim("C6", "seed 000", "genetic-ish algorithm often reaches >99.99%", "often"),
    Claim("C7", "seed 000", "genetic images unrecognisable, very noisy backgrounds", "visual"),
    Claim("C8", "seed 000", "'2's converge faster than other digits", "fastest digit"),
    Claim("C9", "seed 000", "mean of 1000 genetic '2's is faintly a 2", "visual"),
    Claim("C10", "seed 000", "large '2' drawn to the edges is called a 5", ">99.9% '5'"),
    Claim("C11", "seed 000", "large '9' drawn to the edges is rejected", "top output ≈2% ('3')"),
    Claim("C12", "seed 000", "smaller '2' with a clear border is classified correctly", ">99.99%"),
    Claim("C13", "seed 000", "scrambled background pixels move the outputs", "46% '2', 22% '3'"),
    Claim(
        "C14",
        "seed 000",
        "with a natural-image prior, mean of 1000 genetic '2's looks like a 2",
        "visual",
    ),
    Claim(
        "C15",
        "seed 000",
        "Rcpp variogram uses lag 1 for every k (as published vs intended)",
        "code",
    ),
    Claim("D1", "seed 003", "softmax regression accuracy", "≈92%"),
    Claim("D2", "seed 003", "TF-tutorial CNN accuracy", "≈99%"),
    Claim(
        "D3",
        "seed 003",
        "on random images the CNN's maximal output rarely exceeds 0.6",
        "rarely >0.6",
    ),
    Claim(
        "D4",
        "seed 003",
        "on MNIST digits the CNN's maximal output is typically above 0.9",
        "typically >0.9",
    ),
    Claim("D5", "seed 003", "hill climbing usually reaches 0.99", "usually"),
    Claim("D6", "seed 003", "hill-climbed images show within-class likeness", "visual"),
    Claim("D7", "seed 003", "hill climbing sometimes sticks in local minima", "sometimes"),
    Claim("D8", "seed 003", "'9' reaches 0.99 in 30% of runs, '7' in 50%", "30% / 50%"),
    Claim(
        "N1",
        "Nguyen 2015",
        "MAP-Elites fools every digit at ≥99.99% within 50 generations",
        "every run",
    ),
    Claim(
        "N2",
        "Nguyen 2015",
        "an 11th 'fooling' class does not stop new fooling images",
        "not stopped",
    ),
]


def pct(x: float, digits: int = 1) -> str:
    """Format a fraction as a percentage string."""
    return f"{100 * x:.{digits}f}%"


def _interval(low: float, high: float) -> str:
    return f"[{pct(low)}, {pct(high)}]"


def _about(target: float, tol_yes: float, tol_partly: float):
    """Verdict for 'about target': within tol_yes → reproduced, within tol_partly → partly."""

    def verdict(value: float) -> str:
        gap = abs(value - target)
        return (
            "reproduced" if gap <= tol_yes else "partly" if gap <= tol_partly else "not reproduced"
        )

    return verdict, f"|acc − {pct(target, 0)}| ≤ {pct(tol_yes, 0)} (partly ≤ {pct(tol_partly, 0)})"


def _accuracy_row(acc: pd.DataFrame, model: str, target: float) -> dict | None:
    if acc.empty:
        return None
    row = acc[(acc.model == model) & (acc.split == "test")]
    if row.empty:
        return None
    r = row.iloc[0]
    verdict, criterion = _about(target, 0.01, 0.03)
    return dict(
        measured=f"{pct(r.accuracy, 2)} {_interval(r.ci_low, r.ci_high)} (n={r.n})",
        verdict=verdict(r.accuracy),
        criterion=criterion,
    )


def _fraction_row(
    conf: pd.DataFrame,
    *,
    source: str,
    column: str,
    at_most: float | None,
    at_least: float | None,
    partly: float,
) -> dict | None:
    if conf.empty:
        return None
    row = conf[(conf.model == "cnn") & (conf.source == source)]
    if row.empty:
        return None
    r = row.iloc[0]
    value = r[column]
    if at_most is not None:
        verdict = (
            "reproduced" if value <= at_most else "partly" if value <= partly else "not reproduced"
        )
        criterion = f"fraction ≤ {pct(at_most, 0)} (partly ≤ {pct(partly, 0)})"
    else:
        verdict = (
            "reproduced" if value >= at_least else "partly" if value >= partly else "not reproduced"
        )
        criterion = f"fraction ≥ {pct(at_least, 0)} (partly ≥ {pct(partly, 0)})"
    threshold = "0.6" if column == "above_06" else "0.9"
    measured = (
        f"{pct(value)} of {r.n} {'noise images' if source == 'noise' else 'test digits'} "
        f"above {threshold} {_interval(r[column + '_ci_low'], r[column + '_ci_high'])}"
    )
    return dict(measured=measured, verdict=verdict, criterion=criterion)


def _graded(value: float, yes: float, partly: float) -> str:
    """'reproduced' at or above ``yes``, 'partly' at or above ``partly``."""
    return "reproduced" if value >= yes else "partly" if value >= partly else "not reproduced"


def _eigen_row(eigen: pd.DataFrame | None) -> dict | None:
    if eigen is None or eigen.empty or "cnn" not in set(eigen.model):
        return None
    best = (
        eigen[eigen.model == "cnn"].sort_values("p1", ascending=False).groupby("component").head(1)
    )
    best = best.sort_values("component")
    hits = best[best.p1 >= 0.5]
    n = len(best)
    listing = ", ".join(f"PC{r.component}→'{r.top1}' {pct(r.p1, 0)}" for r in hits.itertuples())
    return dict(
        measured=f"{len(hits)} of the first {n} eigen-digits' ink called a digit by the "
        f"CNN at ≥50%" + (f" ({listing})" if listing else ""),
        criterion="≥ half recognised (partly ≥ 1); a proxy for a visual claim",
        verdict=_graded(len(hits) / n, 0.5, 1 / n),
    )


def pca_headline(pca_acc: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """The nearest-class-mean row with k nearest 10 (the "first few" PCs), and the best row."""
    ncm = pca_acc[pca_acc.rule == "nearest class mean"]
    return ncm.iloc[(ncm.k - 10).abs().argsort().iloc[0]], pca_acc.loc[pca_acc.accuracy.idxmax()]


def _pca_row(pca_acc: pd.DataFrame | None) -> dict | None:
    if pca_acc is None or pca_acc.empty:
        return None
    r, best = pca_headline(pca_acc)
    gap = abs(r.accuracy - 0.70)
    verdict = "reproduced" if gap <= 0.05 else "partly" if gap <= 0.15 else "not reproduced"
    return dict(
        measured=f"nearest class mean, k={r.k}: {pct(r.accuracy)} "
        f"{_interval(r.ci_low, r.ci_high)}; best: {best.rule}, k={best.k}: "
        f"{pct(best.accuracy)}",
        criterion="nearest class mean on ≈10 PCs within 5 points of 70% (partly 15)",
        verdict=verdict,
    )


def _drawn(drawn: pd.DataFrame | None, digit: int, size: str) -> pd.DataFrame | None:
    if drawn is None or drawn.empty or "mlp" not in set(drawn.model):
        return None
    rows = drawn[(drawn.model == "mlp") & (drawn.digit == digit) & (drawn["size"] == size)]
    return rows if len(rows) else None


def _outputs(rows: pd.DataFrame) -> str:
    return "; ".join(f"style {r.style}: '{r.top1}' {pct(r.p1, 2)}" for r in rows.itertuples())


def _c10(drawn) -> dict | None:
    rows = _drawn(drawn, 2, "large")
    if rows is None:
        return None
    wrong = rows[rows.top1 != 2]
    verdict = (
        "reproduced" if (wrong.p1 > 0.99).any() else "partly" if len(wrong) else "not reproduced"
    )
    return dict(
        measured=f"MLP on large drawn '2's: {_outputs(rows)}",
        verdict=verdict,
        criterion="some style called another digit at >99% (partly: at all)",
    )


def _c11(drawn) -> dict | None:
    rows = _drawn(drawn, 9, "large")
    if rows is None:
        return None
    verdict = (
        "reproduced"
        if (rows.p1 < 0.1).any()
        else "partly"
        if ((rows.top1 != 9) | (rows.p1 < 0.5)).any()
        else "not reproduced"
    )
    return dict(
        measured=f"MLP on large drawn '9's: {_outputs(rows)}",
        verdict=verdict,
        criterion="some style with every output <10% (partly: misread or <50%)",
    )


def _c12(drawn) -> dict | None:
    rows = _drawn(drawn, 2, "small")
    if rows is None:
        return None
    correct = rows.top1 == 2
    verdict = (
        "reproduced"
        if (correct & (rows.p1 > 0.9999)).all()
        else "partly"
        if correct.any()
        else "not reproduced"
    )
    return dict(
        measured=f"MLP on small drawn '2's: {_outputs(rows)}",
        verdict=verdict,
        criterion="every style '2' at >99.99% (partly: some style correct)",
    )


def _c13(border: pd.DataFrame | None) -> dict | None:
    if border is None or border.empty or "mlp" not in set(border.model):
        return None
    mlp = border[(border.model == "mlp") & (border.central_box < 28)]
    if mlp.empty:
        return None
    r = mlp.iloc[(mlp.central_box - 20).abs().argsort().iloc[0]]
    return dict(
        measured=f"MLP, noise outside the central {r.central_box}×{r.central_box}: top "
        f"class changes for {pct(r.top_changed)} of {r.n} test digits, mean "
        f"output change {r.mean_output_change:.2f}, accuracy {pct(r.accuracy)}",
        criterion="top class changes for ≥10% of digits (partly ≥2%)",
        verdict=_graded(r.top_changed, 0.10, 0.02),
    )


def runs_of(fooling: pd.DataFrame | None, model: str, method: str) -> pd.DataFrame | None:
    """The runs of one (model, method) in the fooling CSVs, or None."""
    if fooling is None or fooling.empty:
        return None
    rows = fooling[(fooling.model == model) & (fooling.method == method)]
    return rows if len(rows) else None


def _c4(fooling) -> dict | None:
    runs = runs_of(fooling, "mlp", "gradient")
    if runs is None:
        return None
    conf = runs.groupby("target").confidence.median()  # (10,) by digit
    high = int((conf >= 0.96).sum())
    lowest = int(conf.idxmin())
    if high >= 9 and lowest == 1 and conf[1] < 0.12:
        verdict = "reproduced"
    elif lowest == 1 or conf[1] < 0.96:
        verdict = "partly"
    else:
        verdict = "not reproduced"
    return dict(
        measured=f"MLP, plain gradient: {high}/10 digits at ≥96% (median of runs); "
        f"lowest '{lowest}' {pct(conf.min())}; '1': {pct(conf[1])}",
        criterion="9 digits ≥96% and '1' <12% (partly: '1' lowest or <96%)",
        verdict=verdict,
    )


def _success(runs: pd.DataFrame) -> tuple[int, int, str]:
    k, n = int(runs.converged.sum()), len(runs)
    low, high = wilson_interval(k, n)
    return k, n, f"{k}/{n} = {pct(k / n, 0)} {_interval(low, high)}"


def _c6(fooling) -> dict | None:
    runs = runs_of(fooling, "mlp", "genetic")
    if runs is None:
        return None
    k, n, text = _success(runs)
    return dict(
        measured=f"MLP, genetic: {text} runs reached the threshold",
        verdict=_graded(k / n, 0.5, 0.1),
        criterion="≥50% of runs reach 99.99% (partly ≥10%)",
    )


def _c8(fooling) -> dict | None:
    runs = runs_of(fooling, "mlp", "genetic")
    if runs is None:
        return None
    done = runs[runs.converged]
    if done.empty:
        return dict(
            measured="MLP, genetic: no run reached the threshold, so no digit is faster",
            criterion="'2' fastest (partly: among the 3 fastest)",
            verdict="not reproduced",
        )
    # Digits that never converged rank last (infinite evaluations).
    median = done.groupby("target").evaluations.median().reindex(range(10), fill_value=np.inf)
    median = median.sort_values(kind="stable")
    rank = list(median.index).index(2) + 1
    verdict = "reproduced" if rank == 1 else "partly" if rank <= 3 else "not reproduced"
    fastest = ", ".join(f"'{d}' {int(v):,}" for d, v in median.iloc[:3].items() if np.isfinite(v))
    return dict(
        measured=f"MLP, genetic: '2' ranks {rank} of 10 by median evaluations (fastest: {fastest})",
        criterion="'2' fastest (partly: among the 3 fastest)",
        verdict=verdict,
    )


def _c15(fooling) -> dict | None:
    pub, intended = (
        runs_of(fooling, "mlp", "genetic_prior"),
        runs_of(fooling, "mlp", "genetic_prior_intended"),
    )
    if pub is None or intended is None:
        return None
    return dict(
        measured=f"MLP, prior as published: {_success(pub)[2]}; as intended (lag k, "
        f"axes matched): {_success(intended)[2]} runs reached the threshold",
        criterion="both variants run side by side (the lag-1 use is in the code)",
        verdict="reproduced",
    )


def _hill(fooling):
    return runs_of(fooling, "cnn", "hillclimb")


def _d5(fooling) -> dict | None:
    runs = _hill(fooling)
    if runs is None:
        return None
    k, n, text = _success(runs)
    return dict(
        measured=f"CNN, hill climbing: {text} runs reached 0.99",
        criterion="≥50% of runs reach 0.99 (partly ≥25%)",
        verdict=_graded(k / n, 0.5, 0.25),
    )


def _d7(fooling) -> dict | None:
    runs = _hill(fooling)
    if runs is None:
        return None
    stuck = 1 - runs.converged.mean()
    verdict = "reproduced" if 0 < stuck <= 0.5 else "partly" if stuck > 0.5 else "not reproduced"
    return dict(
        measured=f"CNN, hill climbing: {pct(stuck, 0)} of runs ended below 0.99",
        criterion="some but at most half of the runs stall (partly: more than half)",
        verdict=verdict,
    )


def _d8(fooling) -> dict | None:
    runs = _hill(fooling)
    if runs is None:
        return None
    rate = runs.groupby("target").converged.mean().sort_values(kind="stable")
    hardest = list(rate.index[:3])
    inside = []
    for digit, seed in ((9, 0.3), (7, 0.5)):
        r = runs[runs.target == digit]
        low, high = wilson_interval(int(r.converged.sum()), len(r))
        # With few runs any rate fits a wide interval: demand at least 20 runs per digit.
        inside.append(len(r) >= 20 and low <= seed <= high)
    verdict = (
        "reproduced" if all(inside) else "partly" if {7, 9} & set(hardest) else "not reproduced"
    )
    return dict(
        measured=f"CNN, hill climbing: '9' {pct(rate[9], 0)}, '7' {pct(rate[7], 0)} of "
        f"runs reach 0.99; hardest: {', '.join(map(str, hardest))}",
        criterion="30% and 50% inside the Wilson intervals of ≥20 runs each (partly: 7 or 9 "
        "among the 3 hardest)",
        verdict=verdict,
    )


def _look(likeness: pd.DataFrame | None, model: str, method: str) -> pd.DataFrame | None:
    """Likeness rows (one per digit) of a (model, method), or None."""
    if likeness is None or likeness.empty:
        return None
    rows = likeness[(likeness.model == model) & (likeness.method == method)]
    return rows.set_index("digit") if len(rows) else None


def _reference(likeness: pd.DataFrame, name: str) -> pd.Series:
    return likeness[(likeness.model == "reference") & (likeness.method == name)].set_index("digit")


def _looks(rows: pd.DataFrame) -> float:
    """Share of all images that look like their target to the template reader."""
    return pooled(rows, "looks_like_target")


READER = (
    "look like their digit (best-matching mean training image, correlation at least that of "
    "95% of test digits)"
)


def _unrecognisable(likeness, model: str, method: str, label: str) -> dict | None:
    """C5-style: fooling images read as their digit about as rarely as noise."""
    rows = _look(likeness, model, method)
    if rows is None:
        return None
    share = _looks(rows)
    digits, noise = (
        _looks(_reference(likeness, "test digits")),
        _looks(_reference(likeness, "uniform noise")),
    )
    return dict(
        measured=f"{label}: {pct(share, 0)} of {int(rows.n.sum())} images {READER} "
        f"(test digits {pct(digits, 0)}, uniform noise {pct(noise, 0)})",
        criterion="≤10% look like their digit (partly ≤30%); a proxy for a visual claim",
        verdict="reproduced" if share <= 0.1 else "partly" if share <= 0.3 else "not reproduced",
    ), share


def _c5(likeness) -> dict | None:
    found = _unrecognisable(likeness, "mlp", "gradient", "MLP, gradient")
    return found and found[0]


def _c7(likeness) -> dict | None:
    found = _unrecognisable(likeness, "mlp", "genetic", "MLP, genetic")
    if not found:
        return None
    row, share = found
    rows = _look(likeness, "mlp", "genetic")
    bg = pooled(rows, "background")
    digits_bg = float(_reference(likeness, "test digits").background.mean())
    noisy = bg >= 0.2
    unrecognised = share <= 0.1
    verdict = (
        "reproduced"
        if noisy and unrecognised
        else "partly"
        if noisy or unrecognised
        else "not reproduced"
    )
    return dict(
        measured=f"{row['measured']}; mean background (4-pixel frame) {bg:.2f} vs "
        f"{digits_bg:.2f} for test digits",
        criterion="≤10% look like their digit and frame mean ≥0.2 (partly: one of the two); "
        "a proxy for a visual claim",
        verdict=verdict,
    )


def _mean_two(likeness, method: str) -> pd.Series | None:
    rows = _look(likeness, "mlp", method)
    return None if rows is None or 2 not in rows.index else rows.loc[2]


def _mean_text(r: pd.Series) -> str:
    return (
        f"mean of {int(r.n)} '2's: correlation {r.mean_image_corr:.2f} with the mean '2', "
        f"rank {int(r.mean_image_rank)} of 10 (reads as '{int(r.mean_image_read_as)}'), "
        f"background {r.background:.2f}"
    )


def _c9(likeness) -> dict | None:
    r = _mean_two(likeness, "genetic")
    if r is None:
        return None
    grey = 0.2 <= r.background <= 0.8
    verdict = (
        "reproduced"
        if r.mean_image_rank == 1 and grey
        else "partly"
        if r.mean_image_corr > 0 and r.mean_image_rank <= 3
        else "not reproduced"
    )
    return dict(
        measured=f"MLP, genetic: {_mean_text(r)}",
        criterion="the mean reads as '2' with a grey background (0.2–0.8) (partly: positive "
        "correlation, '2' among the top 3); a proxy for a visual claim",
        verdict=verdict,
    )


def _c14(likeness) -> dict | None:
    prior, plain = _mean_two(likeness, "genetic_prior"), _mean_two(likeness, "genetic")
    if prior is None:
        return None
    closer = plain is None or prior.mean_image_corr > plain.mean_image_corr
    verdict = (
        "reproduced"
        if prior.mean_image_rank == 1 and closer
        else "partly"
        if prior.mean_image_rank == 1 or (closer and prior.mean_image_corr > 0)
        else "not reproduced"
    )
    versus = "" if plain is None else f" (without the prior {plain.mean_image_corr:.2f})"
    return dict(
        measured=f"MLP, prior as published: {_mean_text(prior)}{versus}",
        criterion="the mean reads as '2' and is closer to it than without the prior (partly: "
        "one of the two); a proxy for a visual claim",
        verdict=verdict,
    )


def _d6(likeness) -> dict | None:
    rows = _look(likeness, "cnn", "hillclimb")
    if rows is None or not {0, 1, 6, 9} <= set(rows.index):
        return None
    seen = rows.mean_image_rank == 1
    listing = ", ".join(f"'{d}' rank {int(rows.mean_image_rank[d])}" for d in (0, 6, 1, 9))
    verdict = (
        "reproduced"
        if seen[0] and seen[6] and not (seen[1] and seen[9])
        else "partly"
        if seen[0] or seen[6]
        else "not reproduced"
    )
    return dict(
        measured=f"CNN, hill climbing: per-digit means read as their digit for "
        f"{int(seen.sum())}/10 digits; {listing} (rank of own digit among 10 templates)",
        criterion="'0' and '6' means read as themselves, not both '1' and '9' (partly: '0' or "
        "'6'); a proxy for a visual claim",
        verdict=verdict,
    )


def _n1(fooling) -> dict | None:
    runs = runs_of(fooling, "cnn", "map_elites")
    if runs is None:
        return None
    per = runs.groupby("replicate").agg(
        done=("converged", "all"), last=("steps", "max"), n=("target", "size")
    )
    per = per[per.n == 10]
    if per.empty:
        return None
    in_50 = int((per.done & (per["last"] < 50)).sum())
    # A digit not yet at the threshold by generation 200 is below it there, so the median
    # at generation 200 reaches 99.99% exactly when half the digit searches had converged.
    share_200 = float((runs.converged & (runs.steps <= 200)).mean())
    verdict = (
        "reproduced"
        if in_50 == len(per) and share_200 >= 0.5
        else "partly"
        if share_200 >= 0.5
        else "not reproduced"
    )
    median = "≥" if share_200 >= 0.5 else "<"
    return dict(
        measured=f"CNN, MAP-Elites: {in_50}/{len(per)} runs had all ten digits at ≥99.99% "
        f"within 50 generations; {pct(share_200, 0)} of digit searches by generation 200, "
        f"so the median there is {median} 99.99%",
        criterion="every run within 50 generations, median ≥99.99% by 200 (partly: the "
        "second only)",
        verdict=verdict,
    )


def _n2(fooling, eleventh) -> dict | None:
    if eleventh is None:
        return None
    summary, after = eleventh
    if after.empty:
        return None
    model, method = after.model.iloc[0], after.method.iloc[0]
    before = runs_of(fooling, model, method)
    fooled_before = 0 if before is None else before[before.converged].target.nunique()
    caught = summary.set_index("measure").value.get("fooling images called 'fooling'", np.nan)
    fooled = after[after.converged].target.nunique()
    if fooled == 10:
        verdict = "reproduced"
    elif fooled_before == 0:  # the search fooled nothing before either: no test of the defence
        verdict = NOT_MEASURED
    else:
        verdict = "partly" if fooled > 0 else "not reproduced"
    return dict(
        measured=f"{model} retrained with its fooling images as class 10 (catches "
        f"{pct(caught, 0)} of them); new {method} searches: {_success(after)[2]} reach the "
        f"threshold, {fooled}/10 digits fooled ({fooled_before}/10 before retraining)",
        criterion="every digit fooled again (partly: some digit; no verdict when the search "
        "fooled no digit before retraining either)",
        verdict=verdict,
    )


def claims_table(
    *,
    accuracy: pd.DataFrame,
    confidence: pd.DataFrame,
    pca_accuracy: pd.DataFrame | None = None,
    eigen: pd.DataFrame | None = None,
    drawn: pd.DataFrame | None = None,
    border: pd.DataFrame | None = None,
    fooling: pd.DataFrame | None = None,
    likeness: pd.DataFrame | None = None,
    eleventh: tuple[pd.DataFrame, pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """Every claim as a row: id, source, claim, seed value, measured, criterion, verdict."""
    measures: dict[str, Callable[[], dict | None]] = {
        "C1": lambda: _accuracy_row(accuracy, "mlp", 0.98),
        "C2": lambda: _eigen_row(eigen),
        "C3": lambda: _pca_row(pca_accuracy),
        "C4": lambda: _c4(fooling),
        "C5": lambda: _c5(likeness),
        "C6": lambda: _c6(fooling),
        "C7": lambda: _c7(likeness),
        "C9": lambda: _c9(likeness),
        "C14": lambda: _c14(likeness),
        "D6": lambda: _d6(likeness),
        "N1": lambda: _n1(fooling),
        "N2": lambda: _n2(fooling, eleventh),
        "C8": lambda: _c8(fooling),
        "C15": lambda: _c15(fooling),
        "D5": lambda: _d5(fooling),
        "D7": lambda: _d7(fooling),
        "D8": lambda: _d8(fooling),
        "C10": lambda: _c10(drawn),
        "C11": lambda: _c11(drawn),
        "C12": lambda: _c12(drawn),
        "C13": lambda: _c13(border),
        "D1": lambda: _accuracy_row(accuracy, "softmax", 0.92),
        "D2": lambda: _accuracy_row(accuracy, "cnn", 0.99),
        "D3": lambda: _fraction_row(
            confidence, source="noise", column="above_06", at_most=0.10, at_least=None, partly=0.25
        ),
        "D4": lambda: _fraction_row(
            confidence, source="test", column="above_09", at_most=None, at_least=0.75, partly=0.5
        ),
    }
    rows = []
    for claim in CLAIMS:
        found = measures[claim.id]() if claim.id in measures else None
        found = found or dict(measured="—", criterion="—", verdict=NOT_MEASURED)
        rows.append(
            dict(
                id=claim.id,
                source=claim.source,
                claim=claim.text,
                seed_value=claim.seed_value,
                **found,
            )
        )
    return pd.DataFrame(rows)
