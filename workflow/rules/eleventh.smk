# N2: retrain with the model's fooling images as an 11th class, then search it again.


rule retrain_eleventh:
    input:
        model=f"{R}/models/{ELEVENTH['model']}.keras",
        data=mnist_npz(),
        fooling=expand(
            f"{R}/fooling/{ELEVENTH['model']}/{{method}}.npz", method=METHODS
        ),
    output:
        model=f"{R}/eleventh/{ELEVENTH['model']}.keras",
        summary=f"{R}/eleventh/retrain.csv",
    log:
        f"{L}/retrain_eleventh.log",
    benchmark:
        f"{L}/benchmarks/retrain_eleventh.tsv"
    # The 11th-class chain and the detectors are what is left once the searches end.
    priority: 5
    conda:
        "../../environment.yml"
    # One slot: with two it waited for the sweeps to end, though TensorFlow takes both cores.
    threads: 1
    resources:
        gpu=1,
    params:
        hp=eleventh_args,
    shell:
        "python -m mnist_fooling retrain-eleventh --model-file {input.model} --fooling {input.fooling}"
        " --data {input.data} {params.hp} --out {output.model} --summary {output.summary} > {log} 2>&1"


rule fool_eleventh:
    input:
        model=f"{R}/eleventh/{ELEVENTH['model']}.keras",
        data=mnist_npz(),
    output:
        npz=f"{R}/eleventh/{ELEVENTH['method']}.npz",
        csv=f"{R}/eleventh/{ELEVENTH['method']}.csv",
    log:
        f"{L}/fool_eleventh.log",
    benchmark:
        f"{L}/benchmarks/fool_eleventh.tsv"
    conda:
        "../../environment.yml"
    threads: 1
    resources:
        gpu=1,
    params:
        search=json.dumps(
            config["fooling"]["methods"][ELEVENTH["method"]], sort_keys=True
        ),
        runs=ELEVENTH["runs_per_digit"],
        seed=config["seed"],
        model=ELEVENTH["model"],
        method=ELEVENTH["method"],
    shell:
        "python -m mnist_fooling fool --model {params.model} --model-file {input.model}"
        " --method {params.method} --params-json {params.search:q}"
        " --runs-per-digit {params.runs} --seed {params.seed} --data {input.data}"
        " --out-npz {output.npz} --out-csv {output.csv} > {log} 2>&1"


# The report's part of this stage (report.smk's `fragment` rule): its inputs, and the config
# sections fragment() reads.
FRAGMENTS["eleventh"] = dict(
    inputs=dict(
        summary=f"{R}/eleventh/retrain.csv",
        after=f"{R}/eleventh/{ELEVENTH['method']}.csv",
        before=f"{R}/fooling/{ELEVENTH['model']}/{ELEVENTH['method']}.csv",
    ),
    config=["data", "eleventh"],
)
