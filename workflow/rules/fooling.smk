# Fooling: each method against each model, all digits at once; the checks that read the images
# (likeness, transfer, the C15 variogram), parameter sweeps, figures and the report fragment.

FOOLING_FIGURES = [f"{R}/figures/fooling_{m}.png" for m in MODELS]
FOOLING_FIGURES += [f"{R}/figures/fooling_{m}_means.png" for m in MODELS]
FOOLING_FIGURES += [f"{R}/figures/fooling_{n}.png" for n in ("convergence", "twos")]
LIKENESS_FIGURES = [
    f"{R}/figures/likeness_{n}.png" for n in ("calibration", "blends", "negatives")
]
FIGURES += LIKENESS_FIGURES
FIGURES += FOOLING_FIGURES
PRIOR_VARIANTS = {"genetic_prior", "genetic_prior_intended"} <= set(METHODS)
VARIOGRAM = [f"{R}/fooling/variogram.csv"] if "mlp" in MODELS and PRIOR_VARIANTS else []
FOOLING_RUNS = expand(
    f"{R}/fooling/{{model}}/{{method}}.csv", model=MODELS, method=METHODS
)
# The MLP's genetic images, whose outputs the report quotes (when both are configured).
MLP_GENETIC = (
    [f"{R}/fooling/mlp/genetic.npz"]
    if {"mlp", "genetic"} <= {*MODELS, *METHODS}
    else []
)
# The CNN's hill-climbing runs, whose convergence curves D7's stall rule reads.
HILL_CURVES = (
    [f"{R}/fooling/cnn/hillclimb.npz"]
    if {"cnn", "hillclimb"} <= {*MODELS, *METHODS}
    else []
)
FOOLING_NPZ = expand(
    f"{R}/fooling/{{model}}/{{method}}.npz", model=MODELS, method=METHODS
)


# One job per (model, method): editing a method's parameters reruns its searches alone. The
# registry's own_job sets when one starts: hill climbing ("first", on the CNN the longest
# chain's) as soon as its model exists; the genetic algorithms with their 1000 '2's
# ("background", on the MLP) in the cores that chain leaves, but for the chain's own model
# (fooling_chain); the others at the searches' usual priority.
FIRST = [m for m in METHODS if method_spec(m).own_job == "first"]
BACKGROUND = [m for m in METHODS if method_spec(m).own_job == "background"]
USUAL = [m for m in METHODS if m not in FIRST + BACKGROUND]
# The models off the longest chain.
OFF_CHAIN = [m for m in MODELS if m != ELEVENTH["model"]]


rule fooling:
    input:
        model=f"{R}/models/{{model}}.keras",
        data=mnist_npz(),
    output:
        npz=f"{R}/fooling/{{model}}/{{method}}.npz",
        csv=f"{R}/fooling/{{model}}/{{method}}.csv",
    log:
        f"{L}/fooling_{{model}}_{{method}}.log",
    benchmark:
        f"{L}/benchmarks/fooling_{{model}}_{{method}}.tsv"
    wildcard_constraints:
        method=methods_of(USUAL),
    # First when cores free up: the searches feed most of the report.
    priority: 10
    conda:
        "../../environment.yml"
    # One thread each: two searches overlap (TensorFlow and the kernels use every core).
    threads: 1
    resources:
        gpu=1,
    params:
        # Only what this job uses (its method's parameters and counts for its model): editing
        # another method, a sweep or another model's counts does not rerun it.
        plan=lambda w: fooling_plan(w.model, [w.method]),
        seed=config["seed"],
        out_dir=lambda w: f"{R}/fooling/{w.model}",
        nice=search_nice,
    shell:
        "nice -n {params.nice} python -m mnist_fooling fool-model --model {wildcards.model} --model-file {input.model}"
        " --plan-json {params.plan:q} --seed {params.seed} --data {input.data}"
        " --out-dir {params.out_dir} > {log} 2>&1"


use rule fooling as fooling_apart with:
    wildcard_constraints:
        method=methods_of(FIRST),
    # Before the models' other searches: the longest job starts as soon as its model exists.
    priority: 15


use rule fooling as fooling_background with:
    wildcard_constraints:
        method=methods_of(BACKGROUND),
        model="|".join(OFF_CHAIN),
    # After every job of the longest chain that is ready (training 20, hill climbing 15, the
    # models' other searches 10, the 11th class and the detectors 5): these fill in around it.
    priority: 1


# The same methods on the 11th-class model are on the longest chain (its retraining reads every
# one of that model's fooling sets): at its other searches' priority. At priority 1 they held
# the chain back behind the MLP's genetic jobs for 5 minutes.
use rule fooling as fooling_chain with:
    wildcard_constraints:
        method=methods_of(BACKGROUND),
        model=ELEVENTH["model"],
    priority: 10


rule sweep:
    input:
        model=lambda w: f"{R}/models/{SWEEPS[w.sweep]['model']}.keras",
        data=mnist_npz(),
    output:
        f"{R}/fooling/sweep_{{sweep}}.csv",
    log:
        f"{L}/sweep_{{sweep}}.log",
    benchmark:
        f"{L}/benchmarks/sweep_{{sweep}}.tsv"
    conda:
        "../../environment.yml"
    threads: 1
    resources:
        gpu=1,
    params:
        model=lambda w: SWEEPS[w.sweep]["model"],
        # Sorted: the order of keys in a config file is not a change (the grid's order is).
        search=lambda w: json.dumps(
            config["fooling"]["methods"][w.sweep], sort_keys=True
        ),
        grid=lambda w: json.dumps(SWEEPS[w.sweep]["grid"]),
        runs=lambda w: SWEEPS[w.sweep]["runs_per_digit"],
        seed=config["seed"],
        nice=BACKGROUND_NICE,
    shell:
        "nice -n {params.nice} python -m mnist_fooling sweep --model {params.model} --model-file {input.model}"
        " --method {wildcards.sweep} --params-json {params.search:q} --grid-json {params.grid:q}"
        " --runs-per-digit {params.runs} --seed {params.seed} --data {input.data}"
        " --out {output} > {log} 2>&1"


rule variogram:
    input:
        data=mnist_npz(),
        published=f"{R}/fooling/mlp/genetic_prior.npz",
        intended=f"{R}/fooling/mlp/genetic_prior_intended.npz",
    output:
        f"{R}/fooling/variogram.csv",
    log:
        f"{L}/variogram.log",
    benchmark:
        f"{L}/benchmarks/variogram.tsv"
    conda:
        "../../environment.yml"
    shell:
        "python -m mnist_fooling variogram --data {input.data} --published {input.published}"
        " --intended {input.intended} --out {output} > {log} 2>&1"


rule transfer:
    input:
        unpack(model_files),
        runs=FOOLING_NPZ,
    output:
        f"{R}/fooling/transfer.csv",
    log:
        f"{L}/transfer.log",
    benchmark:
        f"{L}/benchmarks/transfer.tsv"
    conda:
        "../../environment.yml"
    # TensorFlow uses the free cores anyway: one slot lets two such jobs fill the machine.
    threads: 1
    resources:
        gpu=1,
    params:
        models=models_arg,
    shell:
        "python -m mnist_fooling transfer --runs {input.runs} --models {params.models}"
        " --out {output} > {log} 2>&1"


rule likeness:
    input:
        data=mnist_npz(),
        runs=FOOLING_NPZ,
    output:
        table=f"{R}/fooling/likeness.csv",
        calibration=f"{R}/fooling/likeness_calibration.csv",
        similarity=f"{R}/fooling/likeness_similarity.csv",
        readers=f"{R}/fooling/likeness_readers.csv",
        specificity=f"{R}/fooling/likeness_specificity.csv",
    log:
        f"{L}/likeness.log",
    benchmark:
        f"{L}/benchmarks/likeness.tsv"
    conda:
        "../../environment.yml"
    params:
        # Only what this job reads: the blind reading page's settings and answer files
        # (likeness.reading, likeness.readings) are another stage's, and do not rerun it.
        likeness=json.dumps(
            {
                k: v
                for k, v in config["likeness"].items()
                if k not in ("reading", "readings")
            },
            sort_keys=True,
        ),
    shell:
        "python -m mnist_fooling likeness --runs {input.runs} --data {input.data}"
        " --likeness-json {params.likeness:q} --out {output.table}"
        " --calibration-out {output.calibration} --similarity-out {output.similarity}"
        " --readers-out {output.readers} --specificity-out {output.specificity}"
        " > {log} 2>&1"


rule plot_likeness:
    input:
        calibration=f"{R}/fooling/likeness_calibration.csv",
        readers=f"{R}/fooling/likeness_readers.csv",
        specificity=f"{R}/fooling/likeness_specificity.csv",
        data=mnist_npz(),
    output:
        LIKENESS_FIGURES,
    log:
        f"{L}/plot_likeness.log",
    benchmark:
        f"{L}/benchmarks/plot_likeness.tsv"
    conda:
        "../../environment.yml"
    params:
        inputs=named_inputs,
        out_dir=lambda w, output: Path(output[0]).parent,
    shell:
        "python -m mnist_fooling plot fooling:calibration_figures --input {params.inputs}"
        " --out {params.out_dir} > {log} 2>&1"


rule plot_fooling:
    input:
        runs=FOOLING_NPZ,
    output:
        FOOLING_FIGURES,
    log:
        f"{L}/plot_fooling.log",
    benchmark:
        f"{L}/benchmarks/plot_fooling.tsv"
    conda:
        "../../environment.yml"
    params:
        inputs=named_inputs,
        out_dir=lambda w, output: Path(output[0]).parent,
    shell:
        "python -m mnist_fooling plot fooling --input {params.inputs} --out {params.out_dir}"
        " > {log} 2>&1"


# The report's part of this stage (report.smk's `fragment` rule): its inputs, and the config
# sections fragment() reads.
FRAGMENTS["fooling"] = dict(
    inputs=dict(
        runs=FOOLING_RUNS,
        likeness=f"{R}/fooling/likeness.csv",
        calibration=f"{R}/fooling/likeness_calibration.csv",
        similarity=f"{R}/fooling/likeness_similarity.csv",
        likeness_readers=f"{R}/fooling/likeness_readers.csv",
        likeness_specificity=f"{R}/fooling/likeness_specificity.csv",
        transfer=f"{R}/fooling/transfer.csv",
        variogram=VARIOGRAM,
        sweeps=expand(f"{R}/fooling/sweep_{{sweep}}.csv", sweep=SWEEPS),
        mlp_genetic=MLP_GENETIC,
        hill_curves=HILL_CURVES,
    ),
    config=["fooling", "likeness"],
)
