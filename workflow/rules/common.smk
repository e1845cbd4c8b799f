# Helpers shared by the rule files, and the config check. Nothing else lives here.
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(workflow.basedir) / "src"))
from mnist_fooling.config import validate_config  # noqa: E402
from mnist_fooling.errors import UserInputError  # noqa: E402

try:
    validate_config(
        config, schema=Path(workflow.basedir) / "workflow/schemas/config.schema.yaml"
    )
except UserInputError as exc:
    # One line naming the problem, not a traceback; nothing has been written yet.
    sys.exit(f"mnist-fooling: {exc}")
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
REPORT_HTML = f"{R}/report/report.html"
REPORT_PDF = f"{R}/report/report.pdf"
PCA_FIGURES = [
    f"{R}/figures/pca_{name}.png"
    for name in ("eigendigits", "variance", "reconstructions", "accuracy", "error")
]
EDGE_FIGURES = [
    f"{R}/figures/edge_{name}.png" for name in ("curves", "sizes", "border", "drawn")
]
FOOLING_FIGURES = [f"{R}/figures/fooling_{m}.png" for m in MODELS]
FOOLING_FIGURES += [f"{R}/figures/fooling_{m}_means.png" for m in MODELS]
FOOLING_FIGURES += [f"{R}/figures/fooling_{n}.png" for n in ("convergence", "twos")]
FIGURES = [f"{R}/figures/examples.png", f"{R}/figures/confidence.png"]
FIGURES += PCA_FIGURES + EDGE_FIGURES + FOOLING_FIGURES
TABLES = [
    "accuracy",
    "confidence",
    "claims",
    "benchmarks",
    "versions",
    "config",
    "reliability",
    "pca",
    "drawn",
    "edge",
    "fooling",
    "transfer",
    "search_speed",
    "fooling_digits",
    "budget",
    "likeness",
    "eleventh",
]


wildcard_constraints:
    model="|".join(["softmax", "mlp", "cnn"]),
    method="|".join(METHODS),


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
    """CLI flags of the 11th-class retraining from the config."""
    hp = ELEVENTH
    args = f"--epochs {hp['epochs']} --batch-size {hp['batch_size']}"
    args += f" --learning-rate {hp['learning_rate']} --seed {config['seed']}"
    if config["data"]["n_train"]:
        args += f" --n-train {config['data']['n_train']}"
    return args


def benchmark_files():
    """Benchmark TSVs of every job the report summarises."""
    jobs = [f"train_{m}" for m in MODELS] + ["evaluate", "confidence"]
    jobs += ["pca", "edge", "plot_examples", "plot_confidence", "plot_pca", "plot_edge"]
    jobs += [f"fooling_{m}_{method}" for m in MODELS for method in METHODS]
    jobs += ["retrain_eleventh", "fool_eleventh"]
    jobs += ["transfer", "likeness", "plot_fooling", "benchmark_search", "pca_fooling"]
    files = [f"{L}/benchmarks/{job}.tsv" for job in jobs]
    if not config["data"]["npz"]:
        files.append("logs/benchmarks/fetch_mnist.tsv")
    return files


def config_json():
    """The effective (merged) config, for the report's appendix."""
    return json.dumps(config, sort_keys=True)


def reliability_args():
    """``make reliability``'s CSVs for the appendix, when they exist (they are optional)."""
    files = {
        "reliability": "results/reliability/summary.csv",
        "bad-inputs": "results/reliability/bad_inputs.csv",
    }
    return " ".join(f"--{k} {v}" for k, v in files.items() if Path(v).is_file())
