# Explorer: every fooling image on one static, filterable page beside the report.


rule explorer:
    input:
        unpack(model_files),
        runs=expand(
            f"{R}/fooling/{{model}}/{{method}}.npz", model=MODELS, method=METHODS
        ),
    output:
        f"{R}/report/explorer.html",
    log:
        f"{L}/explorer.log",
    benchmark:
        f"{L}/benchmarks/explorer.tsv"
    conda:
        "../../environment.yml"
    params:
        models=models_arg,
    shell:
        "python -m mnist_fooling explorer --runs {input.runs} --models {params.models}"
        " --out {output} > {log} 2>&1"
