# Lab: the trained models in the browser, a drawing canvas and live fooling searches.

LAB_METHODS = ("hillclimb", "genetic", "gradient_sign", "square_search")


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
        methods=json.dumps(
            {
                m: config["fooling"]["methods"][m]
                for m in LAB_METHODS
                if m in config["fooling"]["methods"]
            }
        ),
    shell:
        "python -m mnist_fooling lab --models {params.models} --methods-json {params.methods:q}"
        " --out {output} > {log} 2>&1"
