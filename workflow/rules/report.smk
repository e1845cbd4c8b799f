# Report: variables and tables from the pipeline's outputs, then the Quarto project rendered.


rule report_inputs:
    input:
        accuracy=f"{R}/metrics/accuracy.csv",
        confidence=f"{R}/metrics/confidence.csv",
        pca=multiext(
            f"{R}/pca/", "explained_variance.csv", "accuracy.csv", "eigen_outputs.csv"
        ),
        edge=multiext(f"{R}/edge/", "scale.csv", "shift.csv", "border.csv", "drawn.csv"),
        fooling=expand(
            f"{R}/fooling/{{model}}/{{method}}.csv", model=MODELS, method=METHODS
        ),
        transfer=f"{R}/fooling/transfer.csv",
        likeness=f"{R}/fooling/likeness.csv",
        eleventh=multiext(f"{R}/eleventh/", "retrain.csv", f"{ELEVENTH['method']}.csv"),
        speed=f"{R}/benchmarks/search.csv",
    output:
        variables=f"{R}/report/_variables.yml",
        tables=expand(f"{R}/report/tables/{{table}}.md", table=TABLES),
    log:
        f"{L}/report_inputs.log",
    benchmark:
        f"{L}/benchmarks/report_inputs.tsv"
    conda:
        "../../environment.yml"
    params:
        config=config_json(),
        # Timings are read if present, not declared as inputs: a missing benchmark file (after
        # `make clean`, say) must not make Snakemake re-run a finished job.
        benchmarks=benchmark_files(),
        reliability=reliability_args(),
        out_dir=lambda w, output: Path(output.variables).parent,
        repo=workflow.basedir,
        pca_dir=lambda w, input: Path(input.pca[0]).parent,
        edge_dir=lambda w, input: Path(input.edge[0]).parent,
    shell:
        "python -m mnist_fooling report-inputs --out-dir {params.out_dir} --config-json {params.config:q}"
        " --accuracy {input.accuracy} --confidence {input.confidence}"
        " --benchmarks {params.benchmarks} --repo {params.repo}"
        " --pca-dir {params.pca_dir} --edge-dir {params.edge_dir}"
        " --fooling {input.fooling} --transfer {input.transfer} --likeness {input.likeness}"
        " --eleventh {input.eleventh}"
        " --speed {input.speed}"
        " {params.reliability} > {log} 2>&1"


rule render_report:
    input:
        source=multiext(
            "report/",
            "_quarto.yml",
            "index.qmd",
            "report.css",
            "page.css",
            "template.html",
            "crossref.lua",
            "verdicts.lua",
            "typst.lua",
            "typst-header.typ",
        ),
        variables=f"{R}/report/_variables.yml",
        tables=expand(f"{R}/report/tables/{{table}}.md", table=TABLES),
        figures=FIGURES,
    output:
        html=REPORT_HTML,
        pdf=REPORT_PDF,
    log:
        f"{L}/render_report.log",
    benchmark:
        f"{L}/benchmarks/render_report.tsv"
    conda:
        "../../environment.yml"
    params:
        inputs=lambda w, input: Path(input.variables).parent,
    shell:
        "python -m mnist_fooling render --source report --inputs {params.inputs} --figures {input.figures}"
        " --html {output.html} --pdf {output.pdf} > {log} 2>&1"
