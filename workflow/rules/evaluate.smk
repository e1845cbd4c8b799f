# Evaluate: accuracy with intervals, and the confidence baseline on test digits and noise.


rule evaluate:
    input:
        unpack(model_files),
        data=mnist_npz(),
    output:
        f"{R}/metrics/accuracy.csv",
    log:
        f"{L}/evaluate.log",
    benchmark:
        f"{L}/benchmarks/evaluate.tsv"
    conda:
        "../../environment.yml"
    # TensorFlow uses the free cores anyway: one slot lets two such jobs fill the machine.
    threads: 1
    resources:
        gpu=1,
    params:
        models=models_arg,
    shell:
        "python -m mnist_fooling evaluate --data {input.data} --models {params.models} --out {output} > {log} 2>&1"


rule confidence:
    input:
        unpack(model_files),
        data=mnist_npz(),
    output:
        summary=f"{R}/metrics/confidence.csv",
        samples=f"{R}/metrics/confidence_samples.csv",
    log:
        f"{L}/confidence.log",
    benchmark:
        f"{L}/benchmarks/confidence.tsv"
    conda:
        "../../environment.yml"
    # TensorFlow uses the free cores anyway: one slot lets two such jobs fill the machine.
    threads: 1
    resources:
        gpu=1,
    params:
        models=models_arg,
        n_noise=config["confidence"]["n_noise"],
        seed=config["seed"],
    shell:
        "python -m mnist_fooling confidence --data {input.data} --models {params.models}"
        " --n-noise {params.n_noise} --seed {params.seed}"
        " --samples-out {output.samples} --out {output.summary} > {log} 2>&1"


# The report's part of this stage (report.smk's `fragment` rule): its inputs, and the config
# sections fragment() reads.
FRAGMENTS["evaluate"] = dict(
    inputs=dict(
        accuracy=f"{R}/metrics/accuracy.csv",
        confidence=f"{R}/metrics/confidence.csv",
    ),
    config=[],
)
