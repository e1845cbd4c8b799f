# Plots: figures drawn from the compute rules' files (a style change re-runs no computation).

FIGURES += [f"{R}/figures/examples.png", f"{R}/figures/confidence.png"]


rule plot_examples:
    input:
        data=mnist_npz(),
    output:
        f"{R}/figures/examples.png",
    log:
        f"{L}/plot_examples.log",
    benchmark:
        f"{L}/benchmarks/plot_examples.tsv"
    conda:
        "../../environment.yml"
    params:
        inputs=named_inputs,
        out_dir=lambda w, output: Path(output[0]).parent,
    shell:
        "python -m mnist_fooling plot data --input {params.inputs} --out {params.out_dir} > {log} 2>&1"


rule plot_confidence:
    input:
        samples=f"{R}/metrics/confidence_samples.csv",
    output:
        f"{R}/figures/confidence.png",
    log:
        f"{L}/plot_confidence.log",
    benchmark:
        f"{L}/benchmarks/plot_confidence.tsv"
    conda:
        "../../environment.yml"
    params:
        inputs=named_inputs,
        out_dir=lambda w, output: Path(output[0]).parent,
    shell:
        "python -m mnist_fooling plot evaluate --input {params.inputs} --out {params.out_dir}"
        " > {log} 2>&1"
