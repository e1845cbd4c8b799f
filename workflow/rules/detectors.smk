# Beyond the posts: can fooling images be caught? Six detectors' ROC against every fooling set
# and uniform noise, and a signed-gradient attack that knows the detector.


rule detectors:
    input:
        unpack(detector_inputs),
    output:
        auroc=f"{R}/detectors/auroc.csv",
        adaptive=f"{R}/detectors/adaptive.csv",
        roc=f"{R}/detectors/roc.csv",
    log:
        f"{L}/detectors.log",
    benchmark:
        f"{L}/benchmarks/detectors.tsv"
    priority: 5
    conda:
        "../../environment.yml"
    # TensorFlow uses the free cores anyway: one slot lets two such jobs fill the machine.
    threads: 1
    resources:
        gpu=1,
    params:
        models=models_arg,
        eleventh=eleventh_arg,
        detectors=json.dumps(config["detectors"], sort_keys=True),
        seed=config["seed"],
        out_dir=lambda w, output: Path(output.auroc).parent,
    shell:
        "python -m mnist_fooling detectors --models {params.models} --data {input.data}"
        " --runs {input.runs} --pca {input.pca} {params.eleventh}"
        " --params-json {params.detectors:q} --seed {params.seed}"
        " --out-dir {params.out_dir} > {log} 2>&1"


rule plot_detectors:
    input:
        auroc=f"{R}/detectors/auroc.csv",
        roc=f"{R}/detectors/roc.csv",
    output:
        roc=f"{R}/figures/detectors_roc.png",
        heatmap=f"{R}/figures/detectors_auroc.png",
    log:
        f"{L}/plot_detectors.log",
    benchmark:
        f"{L}/benchmarks/plot_detectors.tsv"
    conda:
        "../../environment.yml"
    params:
        inputs=named_inputs,
        out_dir=lambda w, output: Path(output.roc).parent,
    shell:
        "python -m mnist_fooling plot detectors --input {params.inputs} --out {params.out_dir}"
        " > {log} 2>&1"


# The report's part of this stage (report.smk's `fragment` rule): its inputs, and the config
# sections fragment() reads.
FRAGMENTS["detectors"] = dict(
    inputs=dict(
        auroc=f"{R}/detectors/auroc.csv",
        adaptive=f"{R}/detectors/adaptive.csv",
    ),
    config=["detectors"],
)
FIGURES.append(f"{R}/figures/detectors_roc.png")
FIGURES.append(f"{R}/figures/detectors_auroc.png")
