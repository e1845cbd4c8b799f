# Lab: the trained models in the browser, a drawing canvas and live fooling searches.

# The methods with a browser version (search/methods/<name>/lab.js) that the config runs.
LAB_METHODS = [m for m in lab_methods() if m in METHODS]


rule lab:
    input:
        unpack(model_files),
    output:
        f"{R}/report/lab.html",
    log:
        f"{L}/lab.log",
    benchmark:
        f"{L}/benchmarks/lab.tsv"
    conda:
        "../../environment.yml"
    params:
        models=models_arg,
        methods=json.dumps({m: config["fooling"]["methods"][m] for m in LAB_METHODS}),
    shell:
        "python -m mnist_fooling lab --models {params.models} --methods-json {params.methods:q}"
        " --out {output} > {log} 2>&1"


# The page in headless Chromium beside Keras, in one job (benchmarks/, not used by any result).
LAB_BENCHMARK = config["benchmark"]["lab"]


rule benchmark_lab:
    input:
        unpack(model_files),
        page=f"{R}/report/lab.html",
        data=mnist_npz(),
    output:
        f"{R}/benchmarks/lab.csv",
    log:
        f"{L}/benchmark_lab.log",
    benchmark:
        f"{L}/benchmarks/benchmark_lab.tsv"
    conda:
        "../../environment.yml"
    # Every core (Snakemake lowers 8 to --cores): the page's Web Workers use up to 8, as Keras
    # uses them all. Never beside the search benchmark (the `benchmark` resource, 1 in
    # profiles/default), which would take them.
    threads: 8
    resources:
        benchmark=1,
    params:
        models=models_arg,
        methods=LAB_METHODS,
        images=LAB_BENCHMARK["images"],
        repeats=LAB_BENCHMARK["repeats"],
        budget=LAB_BENCHMARK["budget_s"],
        digits=LAB_BENCHMARK["digits"],
        targets=json.dumps(LAB_BENCHMARK["targets"]),
    shell:
        "python -m mnist_fooling lab-speed --page {input.page} --models {params.models}"
        " --data {input.data} --methods {params.methods} --images {params.images}"
        " --repeats {params.repeats} --budget {params.budget} --digits {params.digits}"
        " --targets-json {params.targets:q}"
        " --out {output} > {log} 2>&1"


FRAGMENTS["lab"] = dict(
    inputs=dict(speed=f"{R}/benchmarks/lab.csv"),
    config=[],
)
