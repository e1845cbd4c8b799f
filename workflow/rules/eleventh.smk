# N2 as Nguyen et al. ran it: rounds of "retrain with an 11th 'fooling' class, search afresh".
# Round 1 fine-tunes the trained model with all its fooling images; round r >= 2 fine-tunes
# round r-1's model with those images plus every earlier round's new ones.
rule retrain_eleventh:
    input:
        model=eleventh_model_in,
        data=mnist_npz(),
        fooling=eleventh_class,
    output:
        model=f"{ELEVENTH_DIR}/round{{round}}/{ELEVENTH['model']}.keras",
        summary=f"{ELEVENTH_DIR}/round{{round}}/retrain.csv",
    log:
        f"{L}/retrain_eleventh_round{{round}}.log",
    benchmark:
        f"{L}/benchmarks/retrain_eleventh_round{{round}}.tsv"
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
        model=f"{ELEVENTH_DIR}/round{{round}}/{ELEVENTH['model']}.keras",
        data=mnist_npz(),
    output:
        npz=f"{ELEVENTH_DIR}/round{{round}}/{ELEVENTH['method']}.npz",
        csv=f"{ELEVENTH_DIR}/round{{round}}/{ELEVENTH['method']}.csv",
    log:
        f"{L}/fool_eleventh_round{{round}}.log",
    benchmark:
        f"{L}/benchmarks/fool_eleventh_round{{round}}.tsv"
    priority: 5
    conda:
        "../../environment.yml"
    threads: 1
    resources:
        gpu=1,
    params:
        search=eleventh_search(),
        runs=ELEVENTH["runs_per_digit"],
        # A seed per round: each round's search starts from fresh random images (our choice).
        seed=lambda wildcards: config["seed"] + int(wildcards.round),
        model=ELEVENTH["model"],
        method=ELEVENTH["method"],
    shell:
        "python -m mnist_fooling fool --model {params.model} --model-file {input.model}"
        " --method {params.method} --params-json {params.search:q}"
        " --runs-per-digit {params.runs} --seed {params.seed} --data {input.data}"
        " --out-npz {output.npz} --out-csv {output.csv} > {log} 2>&1"


rule eleventh_rounds:
    input:
        before=f"{R}/fooling/{ELEVENTH['model']}/{ELEVENTH['method']}.csv",
        retrains=expand(f"{ELEVENTH_DIR}/round{{r}}/retrain.csv", r=ELEVENTH_ROUNDS),
        searches=expand(
            f"{ELEVENTH_DIR}/round{{r}}/{ELEVENTH['method']}.csv", r=ELEVENTH_ROUNDS
        ),
    output:
        f"{ELEVENTH_DIR}/rounds.csv",
    log:
        f"{L}/eleventh_rounds.log",
    benchmark:
        f"{L}/benchmarks/eleventh_rounds.tsv"
    conda:
        "../../environment.yml"
    shell:
        "python -m mnist_fooling eleventh-rounds --before {input.before}"
        " --retrains {input.retrains} --searches {input.searches} --out {output} > {log} 2>&1"


# The report's part of this stage (report.smk's `fragment` rule): its inputs, and the config
# sections fragment() reads.
FRAGMENTS["eleventh"] = dict(
    inputs=dict(rounds=f"{ELEVENTH_DIR}/rounds.csv"),
    config=["data", "eleventh"],
)
