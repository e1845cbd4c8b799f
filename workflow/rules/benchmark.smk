# Benchmark: search speed as ratios measured side by side (not used by any result).


BENCHMARKED = [m for m in METHODS if method_spec(m).never_stop is not None]


rule benchmark_search:
    input:
        unpack(model_files),
    output:
        f"{R}/benchmarks/search.csv",
    log:
        f"{L}/benchmark_search.log",
    benchmark:
        f"{L}/benchmarks/benchmark_search.tsv"
    conda:
        "../../environment.yml"
    # One slot, filling the core the niced background searches leave (its ratios are measured
    # side by side, so a neighbour shifts both sides); never beside the lab's benchmark (the
    # `benchmark` resource, 1 in profiles/default): that one times absolute seconds.
    threads: 1
    resources:
        gpu=1,
        benchmark=1,
    params:
        models=models_arg,
        # The timed loops' parameters (fooling.methods): only those, so other edits don't rerun it.
        methods=json.dumps(
            {m: config["fooling"]["methods"][m] for m in BENCHMARKED}, sort_keys=True
        ),
        runs=config["benchmark"]["runs_per_digit"],
        steps=config["benchmark"]["steps"],
        seconds=config["benchmark"]["seconds"],
        repeats=config["benchmark"]["repeats"],
    shell:
        "python -m mnist_fooling benchmark --models {params.models} --methods-json {params.methods:q}"
        " --runs-per-digit {params.runs}"
        " --steps {params.steps} --seconds {params.seconds} --repeats {params.repeats}"
        " --out {output} > {log} 2>&1"


# The report's part of this stage (report.smk's `fragment` rule): its inputs, and the config
# sections fragment() reads.
FRAGMENTS["benchmark"] = dict(
    inputs=dict(
        speed=f"{R}/benchmarks/search.csv",
    ),
    config=[],
)
