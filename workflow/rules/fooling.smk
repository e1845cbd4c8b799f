# Fooling: each method against each model, all digits at once; figures per model.


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
    conda:
        "../../environment.yml"
    # One thread each: two searches overlap their start-up (TensorFlow itself uses every core).
    threads: 1
    resources:
        gpu=1,
    params:
        search=lambda w: json.dumps(config["fooling"]["methods"][w.method]),
        runs=config["fooling"]["runs_per_digit"],
        twos=config["fooling"]["runs_of_two"],
        seed=config["seed"],
    shell:
        "python -m mnist_fooling fool --model {wildcards.model} --model-file {input.model}"
        " --method {wildcards.method} --params-json {params.search:q}"
        " --runs-per-digit {params.runs} --runs-of-two {params.twos} --seed {params.seed} --data {input.data}"
        " --out-npz {output.npz} --out-csv {output.csv} > {log} 2>&1"


rule transfer:
    input:
        unpack(model_files),
        runs=expand(
            f"{R}/fooling/{{model}}/{{method}}.npz", model=MODELS, method=METHODS
        ),
    output:
        f"{R}/fooling/transfer.csv",
    log:
        f"{L}/transfer.log",
    benchmark:
        f"{L}/benchmarks/transfer.tsv"
    conda:
        "../../environment.yml"
    threads: workflow.cores
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
        runs=expand(
            f"{R}/fooling/{{model}}/{{method}}.npz", model=MODELS, method=METHODS
        ),
    output:
        f"{R}/fooling/likeness.csv",
    log:
        f"{L}/likeness.log",
    benchmark:
        f"{L}/benchmarks/likeness.tsv"
    conda:
        "../../environment.yml"
    shell:
        "python -m mnist_fooling likeness --runs {input.runs} --data {input.data}"
        " --out {output} > {log} 2>&1"


rule plot_fooling:
    input:
        expand(f"{R}/fooling/{{model}}/{{method}}.npz", model=MODELS, method=METHODS),
    output:
        FOOLING_FIGURES,
    log:
        f"{L}/plot_fooling.log",
    benchmark:
        f"{L}/benchmarks/plot_fooling.tsv"
    conda:
        "../../environment.yml"
    params:
        fooling_dir=lambda w, input: Path(input[0]).parent.parent,
        out_dir=lambda w, output: Path(output[0]).parent,
    shell:
        "python -m mnist_fooling plot fooling --input {params.fooling_dir}"
        " --out {params.out_dir} > {log} 2>&1"
