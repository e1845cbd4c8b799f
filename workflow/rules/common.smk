# Helpers shared by the rule files, and the config check. Nothing else lives here.
import json
import os
import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(workflow.basedir) / "src"))
from mnist_fooling.config import (
    fine_tuning_limit,
    in_base_order,
    validate_config,
)  # noqa: E402
from mnist_fooling.stages.fooling.plan import plan_for  # noqa: E402
from mnist_fooling.search.registry import lab_methods, spec as method_spec  # noqa: E402
from mnist_fooling.core.errors import UserInputError  # noqa: E402

try:
    validate_config(
        config, schema=Path(workflow.basedir) / "workflow/schemas/config.schema.yaml"
    )
except UserInputError as exc:
    # One line naming the problem, not a traceback; nothing has been written yet.
    sys.exit(f"mnist-fooling: {exc}")
# config/config.yaml's key order, whichever keys a profile overrides (in place: `config` is
# Snakemake's object).
_ORDERED = in_base_order(
    config, yaml.safe_load((Path(workflow.basedir) / "config/config.yaml").read_text())
)
config.clear()
config.update(_ORDERED)
if config["data"]["npz"] and not Path(config["data"]["npz"]).is_file():
    sys.exit(
        f"mnist-fooling: config error: data.npz: {config['data']['npz']} does not exist"
    )

# Jobs run `python -m mnist_fooling` from this checkout, whichever environment (venv, conda,
# a cluster node) they are in: they inherit this PYTHONPATH.
SRC = str(Path(workflow.basedir) / "src")
# (Set, not read: a PYTHONPATH of the caller is not wanted inside the jobs.)
os.environ.update({"PYTHONPATH": SRC})
PROFILE = config["profile"]
R = f"results/{PROFILE}"
L = f"logs/{PROFILE}"
MODELS = config["models"]
METHODS = list(config["fooling"]["methods"])
ELEVENTH = config["eleventh"]
ELEVENTH_DIR = f"{R}/eleventh"
ELEVENTH_ROUNDS = range(1, ELEVENTH["rounds"] + 1)
REPORT_HTML = f"{R}/report/report.html"
REPORT_PDF = f"{R}/report/report.pdf"
# Each stage's rule file appends its figures and registers its report fragment (stage -> its
# inputs and the config sections it reads); report.smk's generic `fragment` rule writes them.
FIGURES = []
FRAGMENTS = {}
SWEEPS = config["fooling"].get("sweeps", {})
# The CPU priority (nice level) of long searches off the longest chain (the CNN's training and
# searches, then the 11th class and the detectors): that chain takes every core it can use and
# these jobs the rest. Snakemake's slots cannot do this: jobs in slots get equal shares.
BACKGROUND_NICE = 10


wildcard_constraints:
    model="|".join(["softmax", "mlp", "cnn"]),
    method="|".join(METHODS),
    sweep="|".join(SWEEPS) or "none",
    round=r"[1-9]\d*",


def mnist_npz():
    """The MNIST file every step reads: the user's own .npz, or the fetched one."""
    return config["data"]["npz"] or "resources/mnist.npz"


def model_files(wildcards):
    """Trained model of every configured model, by name."""
    return {m: f"{R}/models/{m}.keras" for m in MODELS}


def models_arg(wildcards, input):
    """``name=path`` pairs for the CLI's --models option."""
    return " ".join(f"{m}={input[m]}" for m in MODELS)


def train_args(wildcards):
    """CLI flags with the model's hyperparameters from the config."""
    hp = config["train"][wildcards.model]
    args = [
        f"--epochs {hp['epochs']}",
        f"--batch-size {hp['batch_size']}",
        f"--learning-rate {hp['learning_rate']}",
        f"--optimizer {hp['optimizer']}",
        f"--seed {config['seed']}",
    ]
    args += [f"--{k} {hp[k]}" for k in ("l2", "dropout") if k in hp]
    if config["data"]["n_train"]:
        args.append(f"--n-train {config['data']['n_train']}")
    return " ".join(args)


def eleventh_args(wildcards):
    """CLI flags of one round's 11th-class retraining from the config (a seed per round)."""
    hp = ELEVENTH
    seed = config["seed"] + int(wildcards.round)
    args = f"--epochs {hp['epochs']} --batch-size {hp['batch_size']}"
    args += f" --learning-rate {hp['learning_rate']} --seed {seed}"
    limit = fine_tuning_limit(config)
    if limit:
        args += f" --n-train {limit}"
    return args


def eleventh_model_in(wildcards):
    """The model a round fine-tunes: the trained one (round 1) or the previous round's."""
    r = int(wildcards.round)
    if r == 1:
        return f"{R}/models/{ELEVENTH['model']}.keras"
    return f"{ELEVENTH_DIR}/round{r - 1}/{ELEVENTH['model']}.keras"


def eleventh_searched(wildcards):
    """The model a round's searches run against: the trained one (round 0), else the round's."""
    if int(wildcards.round) == 0:
        return f"{R}/models/{ELEVENTH['model']}.keras"
    return f"{ELEVENTH_DIR}/round{wildcards.round}/{ELEVENTH['model']}.keras"


def eleventh_class(wildcards):
    """A round's fooling class: the model's fooling images of every method, and the images
    evolved against each earlier round's model (kept: the class grows each round)."""
    first = expand(f"{R}/fooling/{ELEVENTH['model']}/{{method}}.npz", method=METHODS)
    later = [
        f"{ELEVENTH_DIR}/round{i}/{ELEVENTH['method']}.npz"
        for i in range(1, int(wildcards.round))
    ]
    return first + later


def eleventh_search():
    """The search's parameters: fooling.methods' own, with eleventh.params over them."""
    params = dict(config["fooling"]["methods"][ELEVENTH["method"]])
    return json.dumps(params | ELEVENTH["params"], sort_keys=True)


def benchmark_files():
    """Where the jobs' benchmark TSVs are (the report reads those present when it runs)."""
    files = [f"{L}/benchmarks"]
    if not config["data"]["npz"]:
        files.append("logs/benchmarks/fetch_mnist.tsv")
    return files


def benchmark_patterns():
    """Every rule's benchmark path as a regular expression, its wildcards constrained as this
    config constrains them (methods, sweeps, stages), as JSON."""
    return json.dumps(
        sorted(r.benchmark.regex().pattern for r in workflow.rules if r.benchmark)
    )


def named_inputs(wildcards, input):
    """``key=path`` pairs of a rule's named inputs (the ``fragment`` and ``plot`` CLIs'
    --input); a list of files gives one pair per file."""
    pairs = []
    for key, value in input.items():
        paths = [value] if isinstance(value, str) else list(value)
        pairs += [f"{key}={path}" for path in paths]
    return " ".join(pairs)


def config_json():
    """The effective (merged) config, for the report's appendix."""
    return json.dumps(config, sort_keys=True)


def sections_json(sections):
    """Only the named config sections, as JSON: a job given these reruns only when they
    change (none: an empty object)."""
    return json.dumps({k: config[k] for k in sections}, sort_keys=True)


def reliability_args():
    """``make reliability``'s CSVs for the appendix, when they exist (they are optional)."""
    files = {
        "reliability": "results/reliability/summary.csv",
        "bad-inputs": "results/reliability/bad_inputs.csv",
    }
    return " ".join(f"--{k} {v}" for k, v in files.items() if Path(v).is_file())


def detector_inputs(wildcards):
    """Models, MNIST, every fooling set, pca.npz and, when its model is run, the 11th-class model
    (N2's first round: the one retrained with these fooling sets)."""
    inputs = dict(model_files(wildcards), data=mnist_npz(), pca=f"{R}/pca/pca.npz")
    inputs["runs"] = expand(
        f"{R}/fooling/{{model}}/{{method}}.npz", model=MODELS, method=METHODS
    )
    if ELEVENTH["model"] in MODELS:
        inputs["eleventh"] = f"{R}/eleventh/round1/{ELEVENTH['model']}.keras"
    return inputs


def eleventh_arg(wildcards, input):
    """``--eleventh NAME=PATH`` when the retrained model is an input."""
    if "eleventh" not in input.keys():
        return ""
    return f"--eleventh {ELEVENTH['model']}={input.eleventh}"


def fooling_plan(model, methods):
    """The JSON plan of one fooling job: its methods' parameters and counts for ``model``."""
    return json.dumps(plan_for(config["fooling"], model, methods), sort_keys=True)


def methods_of(names):
    """A wildcard constraint for the methods ``names`` (none: a name no method has)."""
    return "|".join(names) or "none"


def search_nice(wildcards):
    """CPU priority of a model's searches: the 11th-class model's (the CNN's) are on the longest
    chain (its searches, the retraining, the detectors); the other models' fill in around it.
    """
    return 0 if wildcards.model == ELEVENTH["model"] else BACKGROUND_NICE
