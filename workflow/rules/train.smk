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
    # Before everything else: the CNN's training heads the longest chain of jobs.
    priority: 20
    conda:
        "../../environment.yml"
    # One thread each: TensorFlow trains on every core anyway but keeps them ~70% busy, so
    # two models train side by side (or one trains beside the other's searches).
    threads: 1
    resources:
        gpu=1,
    params:
        hp=train_args,
    shell:
        "python -m mnist_fooling train --model {wildcards.model} --data {input.data} --out {output.model}"
        " {params.hp} > {log} 2>&1"
