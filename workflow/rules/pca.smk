# PCA: eigen-digits, explained variance, PCA classifiers, reconstruction errors (C2, C3).

PCA_FIGURES = [
    f"{R}/figures/pca_{name}.png"
    for name in ("eigendigits", "variance", "reconstructions", "accuracy", "error")
]
FIGURES += PCA_FIGURES


rule pca:
    input:
        data=mnist_npz(),
    output:
        multiext(
            f"{R}/pca/",
            "pca.npz",
            "explained_variance.csv",
            "accuracy.csv",
            "reconstruction_error.csv",
            "eigen_likeness.csv",
        ),
    log:
        f"{L}/pca.log",
    benchmark:
        f"{L}/benchmarks/pca.tsv"
    # The detectors wait on it: run it when a core frees, not after every other analysis.
    priority: 5
    conda:
        "../../environment.yml"
    # TensorFlow uses the free cores anyway: one slot lets two such jobs fill the machine.
    threads: 1
    params:
        ks=" ".join(map(str, config["pca"]["ks"])),
        k_error=config["pca"]["k_error"],
        n_noise=config["pca"]["n_noise"],
        n_eigen=config["pca"]["n_eigen"],
        n_train=(
            f"--n-train {config['data']['n_train']}"
            if config["data"]["n_train"]
            else ""
        ),
        seed=config["seed"],
        out_dir=lambda w, output: Path(output[0]).parent,
    shell:
        "python -m mnist_fooling pca --data {input.data}"
        " --ks {params.ks} --k-error {params.k_error} --n-noise {params.n_noise}"
        " --n-eigen {params.n_eigen} {params.n_train} --seed {params.seed}"
        " --out-dir {params.out_dir} > {log} 2>&1"


rule pca_fooling:
    input:
        pca=f"{R}/pca/pca.npz",
        runs=expand(
            f"{R}/fooling/{{model}}/{{method}}.npz", model=MODELS, method=METHODS
        ),
    output:
        f"{R}/pca/fooling_error.csv",
    log:
        f"{L}/pca_fooling.log",
    benchmark:
        f"{L}/benchmarks/pca_fooling.tsv"
    conda:
        "../../environment.yml"
    params:
        k=config["pca"]["k_error"],
    shell:
        "python -m mnist_fooling pca-fooling --pca {input.pca} --runs {input.runs}"
        " --k {params.k} --out {output} > {log} 2>&1"


rule plot_pca:
    input:
        pca=multiext(
            f"{R}/pca/",
            "pca.npz",
            "explained_variance.csv",
            "accuracy.csv",
            "reconstruction_error.csv",
            "fooling_error.csv",
        ),
        data=mnist_npz(),
    output:
        PCA_FIGURES,
    log:
        f"{L}/plot_pca.log",
    benchmark:
        f"{L}/benchmarks/plot_pca.tsv"
    conda:
        "../../environment.yml"
    params:
        inputs=named_inputs,
        out_dir=lambda w, output: Path(output[0]).parent,
    shell:
        "python -m mnist_fooling plot pca --input {params.inputs} --out {params.out_dir} > {log} 2>&1"


# The report's part of this stage (report.smk's `fragment` rule): its inputs, and the config
# sections fragment() reads.
FRAGMENTS["pca"] = dict(
    inputs=dict(
        accuracy=f"{R}/pca/accuracy.csv",
        explained_variance=f"{R}/pca/explained_variance.csv",
        eigen_likeness=f"{R}/pca/eigen_likeness.csv",
    ),
    config=[],
)
