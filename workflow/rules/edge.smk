# Drawing to the edge: digit size, translation, border noise, drawn digits; the real test
# digits' readings the verdicts of C10-C13 use.

EDGE_FIGURES = [
    f"{R}/figures/edge_{name}.png"
    for name in (
        "curves",
        "sizes",
        "border",
        "drawn",
        "scramble",
        "frame",
    )
]
FIGURES += EDGE_FIGURES


rule edge:
    input:
        unpack(model_files),
        data=mnist_npz(),
    output:
        multiext(
            f"{R}/edge/",
            "scale.csv",
            "shift.csv",
            "border.csv",
            "drawn.csv",
            "outputs.npz",
            "examples.npz",
        ),
    log:
        f"{L}/edge.log",
    benchmark:
        f"{L}/benchmarks/edge.tsv"
    conda:
        "../../environment.yml"
    # TensorFlow uses the free cores anyway: one slot lets two such jobs fill the machine.
    threads: 1
    resources:
        gpu=1,
    params:
        models=models_arg,
        n_images=config["edge"]["n_images"],
        sizes=" ".join(map(str, config["edge"]["sizes"])),
        shifts=" ".join(map(str, config["edge"]["shifts"])),
        borders=" ".join(map(str, config["edge"]["borders"])),
        frame_size=config["edge"]["frame_size"],
        bordered_size=config["edge"]["bordered_size"],
        scramble_box=config["edge"]["scramble_box"],
        seed=config["seed"],
        out_dir=lambda w, output: Path(output[0]).parent,
    shell:
        "python -m mnist_fooling edge --data {input.data} --models {params.models}"
        " --n-images {params.n_images} --sizes {params.sizes} --shifts {params.shifts}"
        " --borders {params.borders} --frame-size {params.frame_size}"
        " --bordered-size {params.bordered_size} --scramble-box {params.scramble_box}"
        " --seed {params.seed} --out-dir {params.out_dir}"
        " > {log} 2>&1"


rule plot_edge:
    input:
        edge=multiext(
            f"{R}/edge/",
            "scale.csv",
            "shift.csv",
            "border.csv",
            "drawn.csv",
            "outputs.npz",
            "examples.npz",
        ),
    output:
        EDGE_FIGURES,
    log:
        f"{L}/plot_edge.log",
    benchmark:
        f"{L}/benchmarks/plot_edge.tsv"
    conda:
        "../../environment.yml"
    params:
        inputs=named_inputs,
        out_dir=lambda w, output: Path(output[0]).parent,
    shell:
        "python -m mnist_fooling plot edge --input {params.inputs} --out {params.out_dir} > {log} 2>&1"


# The report's part of this stage (report.smk's `fragment` rule): its inputs, and the config
# sections fragment() reads.
FRAGMENTS["edge"] = dict(
    inputs=dict(
        scale=f"{R}/edge/scale.csv",
        shift=f"{R}/edge/shift.csv",
        border=f"{R}/edge/border.csv",
        drawn=f"{R}/edge/drawn.csv",
        outputs=f"{R}/edge/outputs.npz",
    ),
    config=["edge"],
)
