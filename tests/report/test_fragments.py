"""Report fragments: building and gathering them, and every stage's fragment on small synthetic
CSVs, checked against what its section of the report includes and quotes."""

import json
import re
import shutil
import sys
import types
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from mnist_fooling.core.errors import UserInputError
from mnist_fooling.report.fragments import build_fragment, gather, read_fragments, write_fragment
from mnist_fooling.report.gather import write_report_inputs
from mnist_fooling.report.render import expand_shortcodes, lookup
from tests.claims.builders import calibration, look, references, runs, variogram
from tests.conftest import ROOT

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")
SHORTCODE = re.compile(r"\{\{<\s*(include|var)\s+([^\s>]+)\s*>\}\}")
NOT_RUN = "Not configured in this profile.\n"


def config() -> dict:
    return yaml.safe_load((ROOT / "config" / "config.yaml").read_text())


def write(path: Path, frame: pd.DataFrame | list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(frame).to_csv(path, index=False)
    return path


def table_rows(markdown: str) -> list[list[str]]:
    """The body rows of a pipe table, cell by cell."""
    lines = markdown.strip().splitlines()[2:]
    return [[c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]] for line in lines]


def check_section(stage: str, fragment: dict) -> int:
    """Every include and var of ``report/sections/<stage>.qmd`` exists in the fragment."""
    codes = SHORTCODE.findall((ROOT / "report" / "sections" / f"{stage}.qmd").read_text())
    assert codes, stage
    for kind, ref in codes:
        if kind == "include":
            assert ref.startswith(f"tables/{stage}/") and ref.endswith(".md"), ref
            assert Path(ref).stem in fragment["tables"], ref
        else:
            head, _, key = ref.partition(".")
            assert head == stage, ref
            lookup(fragment["variables"], key)  # raises when the fragment lacks it
    return len(codes)


# --- build_fragment, write/read, gather --------------------------------------------------------


@pytest.fixture
def fake_stage(monkeypatch):
    """A stage's report part ``mnist_fooling.stages.fakestage.fragment`` whose fragment()
    returns ``fake_stage.found``."""
    module = types.ModuleType("mnist_fooling.stages.fakestage.fragment")
    module.found = {}
    module.seen = []

    def fragment(inputs, config):
        module.seen.append((dict(inputs), config))
        for key in module.needs:
            inputs[key]
        return module.found

    module.fragment, module.needs = fragment, []
    monkeypatch.setitem(sys.modules, "mnist_fooling.stages.fakestage.fragment", module)
    monkeypatch.setitem(
        sys.modules, "mnist_fooling.stages.nofragment.fragment", types.ModuleType("x")
    )
    return module


@pytest.mark.parametrize(
    ("stage", "inputs", "message"),
    [
        ("nosuchstage", {}, "fragment: no stage module mnist_fooling.stages.nosuchstage.fragment"),
        ("nofragment", {}, "fragment: mnist_fooling.stages.nofragment.fragment has no fragment"),
        ("fakestage", {"csv": "missing.csv"}, "fragment fakestage: input csv=missing.csv not"),
    ],
)
def test_build_fragment_bad_stage_or_input_is_one_line(fake_stage, stage, inputs, message):
    with pytest.raises(UserInputError, match=message) as info:
        build_fragment(stage, {k: Path(v) for k, v in inputs.items()}, {})
    assert "\n" not in str(info.value) and not fake_stage.seen


def test_build_fragment_an_input_the_stage_needs_but_was_not_given(fake_stage, tmp_path):
    fake_stage.needs = ["accuracy", "confidence"]
    given = write(tmp_path / "acc.csv", [dict(a=1)])
    with pytest.raises(UserInputError, match="fragment fakestage: no input confidence") as info:
        build_fragment("fakestage", {"accuracy": given}, {})
    assert "\n" not in str(info.value)
    with pytest.raises(UserInputError, match="no input accuracy"):
        build_fragment("evaluate", {"confidence": given}, {})


def test_build_fragment_fills_missing_parts_and_rejects_unknown_ones(fake_stage, tmp_path):
    fake_stage.found = dict(tables={"t": "| a |\n|---|\n"})
    got = build_fragment("fakestage", {}, {"seed": 1})
    assert got == dict(stage="fakestage", variables={}, tables={"t": "| a |\n|---|\n"}, claims=[])
    assert fake_stage.seen == [({}, {"seed": 1})]
    fake_stage.found = dict(variables={}, figures=[])
    with pytest.raises(ValueError, match="unknown keys \\['figures'\\]"):
        build_fragment("fakestage", {}, {})


def test_write_fragment_is_sorted_json_and_reads_back(tmp_path):
    frag = dict(stage="s", variables=dict(b="ü", a=1), tables={}, claims=[dict(id="X1")])
    write_fragment(tmp_path / "a.json", frag)
    write_fragment(tmp_path / "b.json", dict(reversed(frag.items())))
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()
    text = (tmp_path / "a.json").read_text()
    assert "ü" in text and text.index('"a"') < text.index('"b"')
    assert read_fragments([tmp_path / "b.json", tmp_path / "a.json"]) == [frag, frag]


def fragment(stage: str, variables=None, tables=None, claims=None) -> dict:
    return dict(stage=stage, variables=variables or {}, tables=tables or {}, claims=claims or [])


def test_gather_writes_variables_tables_and_sections_in_fragment_order(tmp_path):
    sections = tmp_path / "sections"
    sections.mkdir()
    for stage in ("beta", "alpha"):
        (sections / f"{stage}.qmd").write_text(f"## {stage}\n")
    frags = [
        fragment("beta", dict(x=dict(y="1")), dict(main="| b |\n")),
        fragment("gamma", dict(z=2), dict(t1="| g1 |\n", t2="| g2 |\n")),  # no section file
        fragment("alpha", dict(w=[1, 2])),
    ]
    out = tmp_path / "out"
    gather(frags, out_dir=out, base_variables=dict(profile="p", seed=3), sections=sections)
    variables = yaml.safe_load((out / "_variables.yml").read_text())
    assert variables == dict(profile="p", seed=3, beta=dict(x=dict(y="1")), gamma=dict(z=2),
                             alpha=dict(w=[1, 2]))  # fmt: skip
    assert (out / "tables" / "beta" / "main.md").read_text() == "| b |\n"
    assert (out / "tables" / "gamma" / "t2.md").read_text() == "| g2 |\n"
    assert sorted(p.name for p in (out / "tables").iterdir()) == ["beta", "gamma"]
    assert (out / "_sections.qmd").read_text() == (
        "{{< include sections/beta.qmd >}}\n\n{{< include sections/alpha.qmd >}}\n"
    )


@pytest.mark.parametrize("stage", ["profile", "claims"])
def test_gather_rejects_a_stage_named_like_a_report_variable(tmp_path, stage):
    with pytest.raises(ValueError, match=f"fragment '{stage}' clashes with a report variable"):
        gather(
            [fragment(stage)],
            out_dir=tmp_path,
            base_variables=dict(profile="p", claims={}),
            sections=tmp_path,
        )
    assert not (tmp_path / "_variables.yml").exists()


# --- synthetic stage outputs -------------------------------------------------------------------

MODELS = {"softmax": 0.921, "mlp": 0.979, "cnn": 0.9912}


def evaluate_inputs(d: Path) -> dict[str, Path]:
    acc = [
        dict(model=m, split=s, n=10000, correct=round(a * 10000), accuracy=a, ci_low=a - 0.003,
             ci_high=a + 0.003)
        for m, a in MODELS.items()
        for s in ("val", "test")
    ]  # fmt: skip
    conf = [
        dict(model=m, source=s, n=1000, median=0.9 if s == "test" else 0.3,
             above_06=0.99 if s == "test" else 0.05, above_09=0.95 if s == "test" else 0.01)
        for m in MODELS
        for s in ("test", "noise")
    ]  # fmt: skip
    return dict(accuracy=write(d / "accuracy.csv", acc), confidence=write(d / "conf.csv", conf))


def pca_inputs(d: Path) -> dict[str, Path]:
    acc = [
        dict(rule=r, k=k, n=10000, correct=int(a * 10000), accuracy=a, ci_low=a - 0.01,
             ci_high=a + 0.01)
        for r, base in (("nearest class mean", 0.6), ("1-nearest neighbour", 0.8))
        for k, a in ((2, base - 0.2), (10, base + 0.1), (50, base + 0.15))
    ]  # fmt: skip
    ev = 0.5 ** np.arange(1, 785)  # component k explains 2^-k of the variance
    eigen = [
        dict(component=c, sign=1 if c % 2 else -1, digit=c, corr=0.6 - 0.1 * c, floor=0.35,
             looks_like_digit=0.6 - 0.1 * c >= 0.35)
        for c in range(1, 5)
    ]  # fmt: skip
    return dict(
        accuracy=write(d / "pca_accuracy.csv", acc),
        explained_variance=write(
            d / "explained_variance.csv",
            pd.DataFrame(dict(k=np.arange(1, 785), eigenvalue=ev, cumulative=np.cumsum(ev))),
        ),
        eigen_likeness=write(d / "eigen_likeness.csv", eigen),
    )


def edge_inputs(d: Path) -> dict[str, Path]:
    def acc(model, a=0.9, **keys):
        return dict(model=model, **keys, n=300, correct=int(a * 300), accuracy=a, ci_low=a - 0.05,
                    ci_high=a + 0.05, mean_true_output=a, mean_max_output=0.95)  # fmt: skip

    scale = [acc(m, 0.9 - (s - 20) / 100, size=s) for m in MODELS for s in (16, 20, 28)]
    shift = [
        acc(m, 0.9 - abs(s) / 100, axis=a, shift=s)
        for m in MODELS
        for a in "xy"
        for s in (-4, 0, 4)
    ]
    border = [
        acc(m, 0.9 if b == 28 else 0.7, central_box=b)
        | dict(mean_output_change=0.2, top_changed=0.3 if b < 28 else 0.0)
        for m in MODELS
        for b in (28, 20)
    ]
    drawn = [
        dict(model=m, digit=dg, style=st, size=sz, top1=5 if (dg, sz) == (2, "large") else dg,
             p1=0.9995, top2=3, p2=0.0004, p_true=0.9)
        for m in MODELS
        for dg in range(10)
        for st in range(3)
        for sz in ("large", "small")
    ]  # fmt: skip
    return dict(
        scale=write(d / "scale.csv", scale),
        shift=write(d / "shift.csv", shift),
        border=write(d / "border.csv", border),
        drawn=write(d / "drawn.csv", drawn),
        outputs=edge_outputs(d / "outputs.npz"),
    )


def edge_outputs(path: Path) -> Path:
    """``outputs.npz``: 100 digits, ten of each, read clean as themselves at 99.95%; every
    model calls the frame-filling '2's '5' at 99.95%, the '9's '3' at 60%, the bordered '2's '2'
    at 90%, and scrambling lowers every true-class output from 99% to 30%."""
    labels = np.arange(100) % 10
    m = len(MODELS)

    def tile(values):
        return np.tile(np.asarray(values), (m, 1))

    frame_top = np.where(labels == 2, 5, np.where(labels == 9, 3, labels))
    frame_p1 = np.where(labels == 2, 0.9995, np.where(labels == 9, 0.6, 0.9))
    ones = np.ones(100)
    np.savez(
        path,
        models=np.array(list(MODELS)),
        labels=labels,
        frame_size=np.array(28),
        bordered_size=np.array(20),
        scramble_box=np.array(20),
        clean_top=tile(labels), clean_p1=tile(0.9995 * ones), clean_true=tile(0.99 * ones),
        frame_top=tile(frame_top), frame_p1=tile(frame_p1), frame_true=tile(0.1 * ones),
        bordered_top=tile(labels), bordered_p1=tile(0.9 * ones), bordered_true=tile(0.9 * ones),
        scrambled_top=tile(labels), scrambled_p1=tile(0.3 * ones),
        scrambled_true=tile(0.3 * ones),
    )  # fmt: skip
    return path


def eleventh_inputs(d: Path) -> dict[str, Path]:
    from mnist_fooling.stages.eleventh.rounds import rounds_table

    retrain = pd.DataFrame(
        [dict(fooling_images=300, weight=6.7, test_accuracy=0.985, n_test=10000, caught=0.97,
              noise_caught=1.0, n_noise=2000)]
    )  # fmt: skip
    before = runs("cnn", "map_elites", np.repeat(np.arange(10), 2), converged=True)
    after = runs("cnn", "map_elites", np.repeat(np.arange(10), 2), converged=np.arange(20) < 4)
    continued = after.assign(converged=np.arange(20) < 12, start_fooling=np.arange(20) < 1)
    table = rounds_table(
        before=before.assign(evaluations=800),
        retrains=[retrain, retrain.assign(fooling_images=310)],
        searches=[after.assign(evaluations=1200), after.assign(evaluations=1500)],
        continued=continued.assign(evaluations=2000, generations=250),
        generations=250,
    )
    return dict(rounds=write(d / "rounds.csv", table))


def benchmark_inputs(d: Path) -> dict[str, Path]:
    rows = [
        dict(model="cnn", measure="raw forward pass (images/s)", per_second=5012.3, ratio=1.0,
             ratio_min=1.0, ratio_max=1.0, rounds=3, target="", met=""),
        dict(model="cnn", measure="genetic search (evaluations/s)", per_second=4500.0,
             ratio=0.8978, ratio_min=0.861, ratio_max=0.9012, rounds=3,
             target="≥ 0.8 × forward", met="yes"),
        dict(model="cnn", measure="one-at-a-time genetic (evaluations/s)", per_second=40.0,
             ratio=112.5, ratio_min=112.5, ratio_max=112.5, rounds=3,
             target="batched ≥ 10 × this", met="yes"),
    ]  # fmt: skip
    return dict(speed=write(d / "search.csv", rows))


def lab_inputs(d: Path) -> dict[str, Path]:
    """A lab benchmark CSV as `mnist-fooling lab-speed` writes it (stages/lab/speed.py)."""
    from mnist_fooling.stages.lab.speed import FIELDS

    fool = dict(kind="fool", model="cnn", budget_s=30.0)
    rows = [
        dict(kind="forward", model="cnn", path="relaxed", page_per_s=847.2, worker_per_s=830.0,
             workers_per_s=1590.4, workers=2, used="workers", keras_per_s=9990.0, ratio=0.1592,
             target=0.1, met="yes", status="measured", images=200, page_bytes=17979180),
        dict(kind="kernel", model="cnn", path="relaxed", macs_per_s=11.5e9, peak_per_s=30.2e9,
             ratio=0.3808, status="measured", images=200),
        # hill climbing: three digits, two fooled (20 s, 25 s), one out of time: median 25 s
        fool | dict(method="hillclimb", digit=0, seconds=20.0, status="converged", target=30.0),
        fool | dict(method="hillclimb", digit=1, seconds=30.01, status="not within budget",
                    target=30.0),
        fool | dict(method="hillclimb", digit=2, seconds=25.0, status="converged", target=30.0),
        # signed gradient: all fooled; genetic: two of three stuck, so the median is never
        *(fool | dict(method="gradient_sign", digit=d, seconds=0.4 + d / 10,
                      status="converged") for d in range(3)),
        fool | dict(method="genetic", digit=0, seconds=2.5, status="stuck", target=30.0),
        fool | dict(method="genetic", digit=1, seconds=3.5, status="stuck", target=30.0),
        fool | dict(method="genetic", digit=2, seconds=1.5, status="converged", target=30.0),
    ]  # fmt: skip
    d.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows, columns=FIELDS).to_csv(d / "lab.csv", index=False)
    return dict(speed=d / "lab.csv")


TWO_REPS = np.repeat(np.arange(10), 2)


def fooling_inputs(d: Path) -> dict:
    """The fooling fragment's inputs from a fooling folder, as the workflow declares them."""
    return dict(
        runs=sorted(d.glob("*/*.csv")),
        likeness=d / "likeness.csv",
        calibration=d / "likeness_calibration.csv",
        similarity=d / "likeness_similarity.csv",
        transfer=d / "transfer.csv",
        variogram=sorted(d.glob("variogram.csv")),
        sweeps=sorted(d.glob("sweep_*.csv")),
        mlp_genetic=sorted(d.glob("mlp/genetic.npz")),
        hill_curves=sorted(d.glob("cnn/hillclimb.npz")),
    )


def fooling_dir(d: Path, *, extras: bool = True) -> Path:
    """A fooling stage's folder: per model and method a CSV (and the MLP genetic .npz), the
    likeness and transfer tables."""
    fast = np.where(TWO_REPS == 2, 5, 50)
    genetic = runs("mlp", "genetic", TWO_REPS, converged=True, confidence=0.99995, steps=fast)
    if extras:  # the driver's extra '2's: never converged, never counted
        twos = runs(
            "mlp", "genetic", np.full(3, 2), extra=True, converged=False, confidence=0.1, attempts=4
        )
        genetic = pd.concat([genetic, twos], ignore_index=True)
    frames = {
        ("mlp", "genetic"): genetic,
        ("mlp", "gradient"): runs(
            "mlp",
            "gradient",
            TWO_REPS,
            confidence=np.where(TWO_REPS == 1, 0.05, 0.99),
            top_output=np.where(TWO_REPS == 1, 0.08, 0.99),
            converged=TWO_REPS != 1,
        ),
        ("mlp", "genetic_prior"): runs("mlp", "genetic_prior", TWO_REPS, converged=True),
        ("cnn", "hillclimb"): runs(
            "cnn",
            "hillclimb",
            TWO_REPS,
            converged=TWO_REPS < 8,
            confidence=np.where(TWO_REPS < 8, 0.995, 0.5),
            # '9' stopped by the search's patience, '8' ran out of iterations (its curve flat)
            outcome=np.where(TWO_REPS < 8, "converged", np.where(TWO_REPS == 8, "budget", "stuck")),
        ),
        ("cnn", "map_elites"): runs(
            "cnn",
            "map_elites",
            TWO_REPS,
            converged=True,
            confidence=0.99995,
            steps=40,
            evaluations=np.where(TWO_REPS == 9, 8000, 4000),
            shared_evaluations=True,
        ),
    }
    for (model, method), frame in frames.items():
        write(d / model / f"{method}.csv", frame)
    n = len(genetic)
    outputs = np.full((n, 10), 1e-4, np.float32)
    outputs[np.arange(n), genetic.target] = 0.999
    outputs[0, :] = 5e-5  # the smallest sum of the nine other outputs: 4.5e-4
    outputs[0, genetic.target[0]] = 0.999
    np.savez(d / "mlp" / "genetic.npz", outputs=outputs, target=genetic.target.to_numpy())
    hill_curves(d / "cnn" / "hillclimb.npz", stalled=TWO_REPS == 8)
    rows = references()
    for model, method in frames:
        rows += [look(model, method, digit) for digit in range(10)]
    write(d / "likeness.csv", rows)
    calibration().assign(low=0.0, high=1.0, knn_floor=0.6, template_floor=0.4).to_csv(
        d / "likeness_calibration.csv", index=False
    )
    sim = [
        dict(model="cnn", method="hillclimb", n=20, within=0.3, between=0.1, gap=0.2, p=0.01,
             gap_low=0.1, gap_high=0.3),
        dict(model="reference", method="test digits", n=500, within=0.46, between=0.28,
             gap=0.18, p=np.nan, gap_low=0.17, gap_high=0.19),
        dict(model="reference", method="blends s=0.3", n=500, within=0.08, between=0.05,
             gap=0.03, p=np.nan, gap_low=0.027, gap_high=0.033),
    ]  # fmt: skip
    write(d / "likeness_similarity.csv", sim)
    transfer = [
        dict(method=method, source=model, scorer=scorer, n=20, mean_target_output=0.5,
             above_half=0.4, called_target=0.3)
        for model, method in frames
        for scorer in ("softmax", "mlp", "cnn")
    ]  # fmt: skip
    write(d / "transfer.csv", transfer)
    return d


def hill_curves(path: Path, stalled: np.ndarray) -> None:
    """A hillclimb.npz's convergence curves: 200 steps of 500 evaluations; the ``stalled`` runs
    flat at 0.5 from step 100 on, the others rising to the end."""
    from mnist_fooling.search.engine import CURVE_EVALUATIONS

    n = len(stalled)
    evaluations = np.full(n, 1 + 200 * 500)
    step = np.clip((CURVE_EVALUATIONS - 1) / 500, 0, 200)  # steps done at each grid point
    rising = np.minimum(step / 200, 1.0) * 0.9
    flat = np.minimum(step / 100, 1.0) * 0.5
    curve = np.where(stalled[:, None], flat[None], rising[None]).astype(np.float32)
    np.savez(path, curve=curve, curve_evaluations=CURVE_EVALUATIONS,
             evaluations=evaluations, steps=np.full(n, 200))  # fmt: skip


def add_extras(d: Path) -> None:
    """The optional inputs: the C15 variogram and both sweeps."""
    variogram((0.01, 0.01), (0.1, 0.1), 0.001).to_csv(d / "variogram.csv", index=False)
    sweep = []
    for density in (0.01, 0.05):
        for amplitude in (0.5, 1.0):
            conv = np.less(TWO_REPS, 9 if density == 0.05 else 2)
            sweep.append(
                runs("cnn", "hillclimb", TWO_REPS, converged=conv).assign(
                    density=density, amplitude=amplitude, own_corr=0.1, looks=False,
                    late_gain=np.where(TWO_REPS == 5, 0.0, 0.2), late_window=50,
                )
            )  # fmt: skip
    keep = ["model", "method", "density", "amplitude", "target", "confidence", "outcome"]
    keep += ["converged", "steps", "evaluations", "late_gain", "late_window", "own_corr", "looks"]
    write(d / "sweep_hillclimb.csv", pd.concat(sweep)[keep])
    grad = [
        runs("cnn", "gradient_prior", TWO_REPS, converged=l2 < 0.3).assign(
            l2=l2, own_corr=l2, looks=l2 > 0.2, late_gain=0.1, late_window=50
        )
        for l2 in (0.0, 0.2, 0.5)
    ]
    keep[2:4] = ["l2"]
    write(d / "sweep_gradient_prior.csv", pd.concat(grad)[keep])


# --- each stage's fragment ---------------------------------------------------------------------


def test_evaluate_fragment(tmp_path):
    frag = build_fragment("evaluate", evaluate_inputs(tmp_path), config())
    assert check_section("evaluate", frag) >= 10
    acc = frag["variables"]["accuracy"]
    assert acc["mlp"] == dict(test="97.90%", test_ci="[97.60%, 98.20%]", test_n="10,000",
                              val="97.90%", val_ci="[97.60%, 98.20%]", val_n="10,000")  # fmt: skip
    assert frag["variables"]["confidence"]["cnn"]["noise"] == dict(
        above_06="5.0%", above_09="1.0%", median="0.300", n="1,000"
    )
    rows = table_rows(frag["tables"]["accuracy"])
    assert len(rows) == 6 and rows[1] == ["softmax", "test", "10,000", "92.10%",
                                          "[91.80%, 92.40%]"]  # fmt: skip
    assert len(table_rows(frag["tables"]["confidence"])) == 6
    verdicts = {c["id"]: c["verdict"] for c in frag["claims"]}
    assert verdicts == dict(C1="reproduced", D1="reproduced", D2="reproduced", D3="reproduced",
                            D4="reproduced")  # fmt: skip
    assert all(c["section"] in ("sec-models", "sec-confidence") for c in frag["claims"])


def test_pca_fragment(tmp_path):
    frag = build_fragment("pca", pca_inputs(tmp_path), config())
    assert check_section("pca", frag) >= 10
    v = frag["variables"]
    assert (v["k50"], v["k90"], v["k95"], v["k99"]) == (1, 4, 5, 7)  # 1 - 2^-k
    assert (v["ncm_k"], v["ncm_acc"], v["best_rule"], v["best_k"]) == (
        10,
        "70.0%",
        "1-nearest neighbour",
        50,
    )
    assert (v["eigen_looks"], v["eigen_n"]) == (2, 4)
    assert table_rows(frag["tables"]["eigen"])[1] == ["2", "−v", "2", "0.40", "yes"]
    assert len(table_rows(frag["tables"]["accuracy"])) == 6
    assert {c["id"]: c["verdict"] for c in frag["claims"]} == dict(C2="reproduced", C3="reproduced")


def test_edge_fragment(tmp_path):
    cfg = config()
    cfg["edge"]["n_images"] = 1234
    frag = build_fragment("edge", edge_inputs(tmp_path), cfg)
    assert check_section("edge", frag) >= 3
    v = frag["variables"]
    assert v["n_images"] == "1,234" and (v["size_min"], v["shift_max"], v["border_min"]) == (
        16,
        4,
        20,
    )
    assert v["mlp"] == dict(size_small="94.0%", size_20="90.0%", size_28="82.0%",
                            shift_0="90.0%", shift_max="86.0%", border_min="70.0%")  # fmt: skip
    assert table_rows(frag["tables"]["sweeps"])[1] == ["mlp", "94.0%", "90.0%", "82.0%", "90.0%",
                                                       "86.0%", "70.0%"]  # fmt: skip
    sweeps = table_rows(frag["tables"]["sweeps"])
    assert [r[0] for r in sweeps] == ["softmax", "mlp", "cnn"]
    drawn = table_rows(frag["tables"]["drawn"])
    assert len(drawn) == 2 * 2 * 3  # '2' and '9', two sizes, three styles
    assert drawn[0][3:] == ["'5' 99.95%, '3' 0.04%"] * 3  # a large '2' on each model
    real = table_rows(frag["tables"]["real"])
    assert [r[0] for r in real] == ["softmax", "mlp", "cnn"]
    assert real[1][1:] == ["100.0% (10/10)", "100.0% (10/10)", "0.0% (0/10)", "0.0% (0/10)",
                           "100.0% (100/100)", "69.0"]  # fmt: skip
    twos = table_rows(frag["tables"]["twos"])  # the '2's clean, bordered, filling the frame
    assert [r[1] for r in twos[:3]] == ["clean", "20 px", "28 px (edges)"]
    assert [r[3] for r in twos[:3]] == ["100.0% [72.2%, 100.0%]", "100.0% [72.2%, 100.0%]",
                                        "0.0% [0.0%, 27.8%]"]  # fmt: skip
    verdicts = {c["id"]: c["verdict"] for c in frag["claims"]}
    # C12: the border keeps the clean rates (called '2' at all: 10/10 both; >99.99%: 0/10 both).
    # C11: 0 of 10 '9's, [0%, 27.8%] straddles 10%.
    assert verdicts == dict(C10="reproduced", C11="undecided", C12="reproduced",
                            C13="reproduced")  # fmt: skip


def test_eleventh_fragment(tmp_path):
    frag = build_fragment("eleventh", eleventh_inputs(tmp_path), config())
    assert check_section("eleventh", frag) >= 3
    digits = "the first 15,000 training digits"  # config.yaml's eleventh.n_train
    assert frag["variables"] == dict(
        model="cnn", method="map_elites", digits=digits, rounds="2", runs_per_digit="2",
        generations="250", continue_steps="250", epochs="1",
    )  # fmt: skip
    rows = table_rows(frag["tables"]["rounds"])
    header = frag["tables"]["rounds"].splitlines()[0]
    assert "| fooling images in the class |" in header and "| generations |" in header
    assert rows[0][:3] == ["0 (before retraining)", "–", "–"]
    assert rows[0][5:7] == ["uniform noise", "250"]
    assert rows[0][7].startswith("20/20") and rows[0][8:] == ["10/10", "800"]
    assert rows[2][:7] == ["2", "310", "98.5%", "97.0%", "100.0%", "uniform noise", "250"]
    assert rows[2][7].startswith("4/20") and rows[2][8:] == ["2/10", "1,500"]
    # Ours: the last round's searches continued, from their own images.
    assert rows[3][:2] == ["2, continued (ours)", "310"]
    assert rows[3][5:7] == ["round 2's images (5% called 'fooling')", "250 more"]
    assert rows[3][7].startswith("12/20") and rows[3][8:] == ["6/10", "2,000"]
    # 4/20 [8%, 42%] against 20/20 before: not reproduced or partly; the continued searches'
    # 12/20 [39%, 78%] lift it to partly.
    [n2] = frag["claims"]
    assert (n2["id"], n2["verdict"], n2["value"]) == ("N2", "partly", "60% [39%, 78%] continued")


def test_eleventh_fragment_without_the_continued_search(tmp_path):
    rounds = pd.read_csv(eleventh_inputs(tmp_path)["rounds"])
    path = write(tmp_path / "fresh.csv", rounds[rounds.search == "fresh"])
    cfg = config()
    cfg["eleventh"]["continue_steps"] = 0
    frag = build_fragment("eleventh", dict(rounds=path), cfg)
    assert frag["variables"]["continue_steps"].startswith("0 (not run")
    assert len(table_rows(frag["tables"]["rounds"])) == 3
    [n2] = frag["claims"]
    assert (n2["verdict"], n2["between"]) == ("undecided", "not reproduced or partly")
    assert n2["value"] == "20% [8%, 42%]"


def test_benchmark_fragment(tmp_path):
    frag = build_fragment("benchmark", benchmark_inputs(tmp_path), config())
    assert frag["variables"] == {"rounds": 3} and frag["claims"] == []
    assert table_rows(frag["tables"]["speed"]) == [
        ["cnn", "raw forward pass (images/s)", "5,012", "1.00", "", ""],
        ["cnn", "genetic search (evaluations/s)", "4,500", "0.90 (0.86–0.90)", "≥ 0.8 × forward",
         "yes"],
        ["cnn", "one-at-a-time genetic (evaluations/s)", "40", "112", "batched ≥ 10 × this", "yes"],
    ]  # fmt: skip


def test_lab_fragment(tmp_path):
    frag = build_fragment("lab", lab_inputs(tmp_path), config())
    assert frag["variables"] == {
        "note": "Measured in this run.",
        "images": 200,
        "digits": "digits 0, 1, 2",
        "workers": 2,
    }
    assert table_rows(frag["tables"]["speed"]) == [
        ["cnn", "847", "830", "1,590", "9,990", "workers", "0.159", "≥ 0.1", "yes"]
    ]
    assert table_rows(frag["tables"]["kernel"]) == [
        ["WebAssembly relaxed SIMD", "11.5 G", "30.2 G", "38%"]
    ]
    assert table_rows(frag["tables"]["fool"]) == [
        [
            "cnn",
            "25 s (2/3); ≤ 30 s: yes",
            "0.5 s (3/3)",
            "not fooled (1/3) within 30 s; ≤ 30 s: no",
        ]
    ]


def test_fooling_fragment_without_the_optional_inputs(tmp_path):
    frag = build_fragment("fooling", fooling_inputs(fooling_dir(tmp_path)), config())
    assert check_section("fooling", frag) >= 15
    v = frag["variables"]
    assert v["total_runs"] == "103" and v["extra_twos"] == {"mlp_genetic": 3}
    assert v["twos_attempts"] == "mlp genetic: 0/3 converged in 12 calls"
    assert v["runs"] == {
        "cnn": {"hillclimb": 2, "map_elites": 2},
        "mlp": {"genetic": 2, "genetic_prior": 2, "gradient": 2},
    }
    assert v["other_outputs"] == "4.5e-04" and v["genetic_tol"] == "0.001"
    # MAP-Elites fools all ten digits in both replicates; a replicate costs its longest run.
    assert (v["best_method"], v["best_kind"], v["best_median"], v["best_share"]) == (
        "map_elites",
        "black-box",
        "8,000",
        "2/2",
    )
    assert (v["best_black"], v["best_black_share"]) == ("map_elites", "2/2")
    for name in ("variogram", "hill_sensitivity", "tradeoff"):
        assert frag["tables"][name] == NOT_RUN
    ids = {c["id"]: c["verdict"] for c in frag["claims"]}
    assert set(ids) == {"C4", "C5", "C6", "C7", "C8", "C9", "C14", "D5", "D6", "D7", "D8", "N1"}
    # C4 on two runs a digit: 2/2 is [34%, 100%], which straddles "most runs".
    assert ids["C4"] == "undecided" and ids["C6"] == "reproduced" and ids["N1"] == "reproduced"
    # '9' stopped by the search's patience, '8' flat over its last 100 steps: 4 of 20 stuck.
    assert ids["D7"] == "reproduced"
    d7 = next(c for c in frag["claims"] if c["id"] == "D7")
    assert d7["value"] == "20% [8%, 42%]" and "2 of them stopped by the search's" in d7["measured"]
    no_curves = dict(fooling_inputs(tmp_path), hill_curves=[])
    assert "D7" not in {c["id"] for c in build_fragment("fooling", no_curves, config())["claims"]}
    d6 = next(c for c in frag["claims"] if c["id"] == "D6")
    assert d6["value"] == "gap +0.200 [+0.100, +0.300], min 0.030"
    reader = v["reader"]
    assert (reader["real_gap"], reader["min_gap"], reader["min_strength"]) == (
        "0.180",
        "0.030",
        "0.3",
    )
    assert v["stall"] == {"window": "50", "gain": "0.01"}


def test_fooling_tables_count_replicates_not_extra_twos(tmp_path):
    frag = build_fragment("fooling", fooling_inputs(fooling_dir(tmp_path)), config())
    methods = {(r[0], r[1]): r for r in table_rows(frag["tables"]["methods"])}
    assert methods[("mlp", "genetic")][2].startswith("20/20")  # the 3 failed extra '2's left out
    assert methods[("mlp", "gradient")][6] == "1"  # digits never stopped
    assert methods[("cnn", "hillclimb")][6] == "8, 9"
    digits = {(r[0], r[1]): r[2:] for r in table_rows(frag["tables"]["digits"])}
    assert digits[("mlp", "genetic")][2] == "2/2 [34–100]"
    times = table_rows(frag["tables"]["times"])
    assert times[2][:3] == ["2", "2/2", "5"] and times[0][:3] == ["0", "2/2", "50"]
    # Evaluations for all ten digits: a replicate's sum (genetic: 9 × 5,000 + 500 for its
    # fast '2') or, where runs share evaluations (MAP-Elites), its longest run.
    budget, references = frag["tables"]["budget"].split("\n\n")
    budget = {r[1]: r for r in table_rows(budget)}
    assert budget["genetic"][3] == "45,500 (45,500–45,500); 2/2 = 100% [34%, 100%]"
    assert budget["genetic"][4] == "not run"  # mlp and cnn columns
    assert budget["map_elites"][3:] == ["not run", "8,000 (8,000–8,000); 2/2 = 100% [34%, 100%]"]
    assert budget["hillclimb"][4].startswith("—; 0/2")  # stops at 0.99: never all at 99.99%
    assert budget["gradient"][0] == "white-box" and len(budget) == 5
    assert "900,000 evaluations" in references
    likeness = {(r[0], r[1]): r for r in table_rows(frag["tables"]["likeness"])}
    assert likeness[("reference", "test digits")][2].startswith("90/100")
    transfer = table_rows(frag["tables"]["transfer"])
    assert len(transfer) == 5 and transfer[0][2:] == ["50.0% (40%)"] * 3


def test_fooling_fragment_with_variogram_and_sweeps(tmp_path):
    d = fooling_dir(tmp_path, extras=False)
    add_extras(d)
    frag = build_fragment("fooling", fooling_inputs(d), config())
    assert check_section("fooling", frag) >= 15
    assert frag["variables"]["extra_twos"] == {}
    assert {c["id"]: c["verdict"] for c in frag["claims"]}["C15"] == "reproduced"
    vario = table_rows(frag["tables"]["variogram"])
    assert [(r[0], r[1]) for r in vario[:6]] == [("across", str(k)) for k in (1, 2, 4, 7, 10, 14)]
    assert len(vario) == 12 and len(vario[0]) == 6  # four measures per lag and direction
    hill = table_rows(frag["tables"]["hill_sensitivity"])
    assert [(r[0], r[1], r[2]) for r in hill] == [
        ("0.02", "0.5", "20 (main runs)"),  # the configured setting, from the main runs
        ("0.01", "0.5", "20"),
        ("0.01", "1.0", "20"),
        ("0.05", "0.5", "20"),
        ("0.05", "1.0", "20"),
    ]
    assert hill[1][3] == (
        "20% [8%, 42%] [undecided: not reproduced or partly]{.verdict .v-undecided}"
    )  # 4 of 20: D5
    assert hill[3][3].startswith("90% [70%, 97%] [reproduced]")
    # D7 per setting: the two runs of '5' rose by nothing over their last 50 iterations.
    assert hill[1][4].startswith("10% [3%, 30%] [undecided: not reproduced or reproduced]")
    assert hill[1][5].startswith("'9' 0% [0%, 66%], '7' 0% [0%, 66%] [not reproduced]")
    d7 = next(c for c in frag["claims"] if c["id"] == "D7")
    assert "mask settings" in d7["criterion"]
    trade = table_rows(frag["tables"]["tradeoff"])
    assert [r[0] for r in trade] == ["0.0", "0.2", "0.5"]
    assert trade[2][1].startswith("0/20") and trade[2][2].startswith("20/20")


def test_fooling_fragment_needs_runs(tmp_path):
    with pytest.raises(ValueError, match="no fooling runs given"):
        build_fragment("fooling", {**fooling_inputs(fooling_dir(tmp_path)), "runs": []}, config())


# --- all fragments into the report -------------------------------------------------------------

STAGES = {
    "evaluate": evaluate_inputs,
    "pca": pca_inputs,
    "edge": edge_inputs,
    "fooling": None,
    "eleventh": eleventh_inputs,
    "benchmark": benchmark_inputs,
    "lab": lab_inputs,
}


def test_every_shortcode_of_the_report_resolves_from_the_fragments(tmp_path):
    """The report's index and every section it includes expand without a missing variable or
    table, from the stages' fragments alone (detectors excepted: not gathered here)."""
    paths = []
    for stage, make in STAGES.items():
        d = tmp_path / "in" / stage
        if make is None:
            d = fooling_dir(d)
            add_extras(d)
            inputs = fooling_inputs(d)
        else:
            inputs = make(d)
        paths.append(tmp_path / "fragments" / f"{stage}.json")
        write_fragment(paths[-1], build_fragment(stage, inputs, config()))
    project = tmp_path / "report"
    shutil.copytree(ROOT / "report", project)
    claims = write_report_inputs(
        out_dir=project,
        config=config(),
        fragments=paths,
        benchmarks=[],
        repo=tmp_path,
        sections=project / "sections",
        lock=ROOT / "requirements" / "report.lock",
    )
    variables = yaml.safe_load((project / "_variables.yml").read_text())
    out = expand_shortcodes((project / "index.qmd").read_text(), root=project, variables=variables)
    assert "{{<" not in out
    for section in ("models", "pca", "edge", "fooling", "eleventh", "glance", "claims"):
        assert f"{{#sec-{section}}}" in out
    assert "{#sec-detectors}" not in out  # no detectors fragment, no detectors section
    assert len(claims) == 25 and "not yet measured" not in set(claims.verdict)
    assert sum(variables["claims"].values()) == variables["n_claims"] == 24  # C15 apart
    assert sum(variables["others"].values()) == variables["n_others"] == 1
    for claim in claims.itertuples():  # the glance table links each claim to its evidence
        assert f"| [{claim.id}](#{claim.section}) |" in out
    assert json.loads(paths[0].read_text())["stage"] == "evaluate"
