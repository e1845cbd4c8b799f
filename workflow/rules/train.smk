# Train: one job per model (softmax regression, Nielsen's MLP, the TF-tutorial CNN).


rule train:
    input:
        data=mnist_npz(),
    output:
        model=f"{R}/models/{{model}}.keras",
    log:
        f"{L}/train_{{model}}.log",
    benchmark:
        f"{L}/benchmarks/train_{{model}}.tsv"
    conda:
        "../../environment.yml"
    threads: workflow.cores
    resources:
        gpu=1,
    params:
        hp=train_args,
    shell:
        "python -m mnist_fooling train --model {wildcards.model} --data {input.data} --out {output.model}"
        " {params.hp} > {log} 2>&1"
