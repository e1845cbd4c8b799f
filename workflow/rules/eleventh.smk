# N2 as Nguyen et al. ran it: rounds of "retrain with an 11th 'fooling' class, search afresh".
# Round 1 fine-tunes the trained model with all its fooling images; round r >= 2 fine-tunes
# round r-1's model with those images plus every earlier round's new ones. Every round's
# searches, round 0's (against the trained model) included, are the same: eleventh.runs_per_digit
# per digit, the same settings and generations. Ours: the last round's searches continued for
# eleventh.continue_steps more generations (0: not run).
CONTINUE_STEPS = ELEVENTH["continue_steps"]
if CONTINUE_STEPS and ELEVENTH["method"] != "map_elites":
    sys.exit(
        "mnist-fooling: config error: eleventh.continue_steps continues MAP-Elites searches: "
        f"set it to 0 for eleventh.method {ELEVENTH['method']!r}"
    )
ELEVENTH_LAST = f"{ELEVENTH_DIR}/round{ELEVENTH['rounds']}/{ELEVENTH['model']}.keras"
ELEVENTH_CONTINUED = f"{ELEVENTH_DIR}/continued/{ELEVENTH['method']}.csv"
# Every round's search budget: the method's step (generation) cap.
_ELEVENTH_SEARCH = json.loads(eleventh_search())
ELEVENTH_STEPS = _ELEVENTH_SEARCH[method_spec(ELEVENTH["method"]).cap]


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
        model=eleventh_searched,
        data=mnist_npz(),
    output:
        npz=f"{ELEVENTH_DIR}/round{{round}}/{ELEVENTH['method']}.npz",
        csv=f"{ELEVENTH_DIR}/round{{round}}/{ELEVENTH['method']}.csv",
    log:
        f"{L}/fool_eleventh_round{{round}}.log",
    benchmark:
        f"{L}/benchmarks/fool_eleventh_round{{round}}.tsv"
    # Round 0 needs only the trained model: it may run while the other searches do.
    wildcard_constraints:
        round=r"\d+",
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


rule continue_eleventh:
    input:
        model=ELEVENTH_LAST,
        start=f"{ELEVENTH_DIR}/round{ELEVENTH['rounds']}/{ELEVENTH['method']}.npz",
    output:
        ELEVENTH_CONTINUED,
    log:
        f"{L}/continue_eleventh.log",
    benchmark:
        f"{L}/benchmarks/continue_eleventh.tsv"
    priority: 5
    conda:
        "../../environment.yml"
    threads: 1
    resources:
        gpu=1,
    params:
        search=eleventh_search(),
        steps=CONTINUE_STEPS,
        after=ELEVENTH_STEPS,
        seed=config["seed"] + ELEVENTH["rounds"],
        model=ELEVENTH["model"],
    shell:
        "python -m mnist_fooling continue-eleventh --model {params.model} --model-file {input.model}"
        " --start {input.start} --params-json {params.search:q} --steps {params.steps}"
        " --after {params.after} --seed {params.seed} --out-csv {output} > {log} 2>&1"


rule eleventh_rounds:
    input:
        before=f"{ELEVENTH_DIR}/round0/{ELEVENTH['method']}.csv",
        retrains=expand(f"{ELEVENTH_DIR}/round{{r}}/retrain.csv", r=ELEVENTH_ROUNDS),
        searches=expand(
            f"{ELEVENTH_DIR}/round{{r}}/{ELEVENTH['method']}.csv", r=ELEVENTH_ROUNDS
        ),
        continued=[ELEVENTH_CONTINUED] if CONTINUE_STEPS else [],
    output:
        f"{ELEVENTH_DIR}/rounds.csv",
    log:
        f"{L}/eleventh_rounds.log",
    benchmark:
        f"{L}/benchmarks/eleventh_rounds.tsv"
    conda:
        "../../environment.yml"
    params:
        continued=lambda wildcards, input: (
            f"--continued {input.continued}" if input.continued else ""
        ),
        generations=f"--generations {ELEVENTH_STEPS}" if ELEVENTH_STEPS else "",
    shell:
        "python -m mnist_fooling eleventh-rounds --before {input.before}"
        " --retrains {input.retrains} --searches {input.searches} {params.continued}"
        " {params.generations}"
        " --out {output} > {log} 2>&1"


# The report's part of this stage (report.smk's `fragment` rule): its inputs, and the config
# sections fragment() reads.
FRAGMENTS["eleventh"] = dict(
    inputs=dict(rounds=f"{ELEVENTH_DIR}/rounds.csv"),
    config=["data", "eleventh"],
)
