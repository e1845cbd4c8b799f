# Reading: the blind reading page (reading.html) with its deck, and the human panel scored from
# the answer files people saved from it (likeness.readings).


rule reading:
    input:
        data=mnist_npz(),
        runs=FOOLING_NPZ,
        pca=f"{R}/pca/pca.npz",
    output:
        deck=f"{R}/reading/deck.json",
        page=f"{R}/report/reading.html",
    log:
        f"{L}/reading.log",
    benchmark:
        f"{L}/benchmarks/reading.tsv"
    conda:
        "../../environment.yml"
    params:
        seed=config["seed"],
        reading=json.dumps(config["likeness"]["reading"], sort_keys=True),
    shell:
        "python -m mnist_fooling reading --data {input.data} --runs {input.runs}"
        " --pca {input.pca} --seed {params.seed} --reading-json {params.reading:q}"
        " --deck-out {output.deck} --out {output.page} > {log} 2>&1"


rule panel:
    input:
        deck=f"{R}/reading/deck.json",
        readings=config["likeness"]["readings"],
    output:
        readers=f"{R}/reading/panel_readers.csv",
        answers=f"{R}/reading/panel_items.csv",
    log:
        f"{L}/panel.log",
    benchmark:
        f"{L}/benchmarks/panel.tsv"
    conda:
        "../../environment.yml"
    shell:
        "python -m mnist_fooling panel --deck {input.deck} --readings {input.readings:q}"
        " --readers-out {output.readers} --items-out {output.answers} > {log} 2>&1"


PANEL = dict(
    panel_readers=f"{R}/reading/panel_readers.csv",
    panel_items=f"{R}/reading/panel_items.csv",
)
FRAGMENTS["reading"] = dict(
    inputs=dict(deck=f"{R}/reading/deck.json", **PANEL),
    config=["likeness"],
)
# The visual claims' judges: the panel, and the automated reader's fitness, reach the fragments
# that decide C2 (pca) and C5, C7, C9, C14, D6 (fooling).
for _stage in ("pca", "fooling"):
    FRAGMENTS[_stage]["inputs"].update(
        PANEL, likeness_readers=f"{R}/fooling/likeness_readers.csv"
    )
