# Report: gather the stages' fragments (variables, tables, claim rows), then render the Quarto
# project. A stage adds itself by appending to FRAGMENTS and FIGURES in its own rule file.

REPORT_INPUTS = f"{R}/report/inputs"
SECTIONS = sorted(str(p) for p in Path("report/sections").glob("*.qmd"))


wildcard_constraints:
    stage="|".join(FRAGMENTS),


rule fragment:
    input:
        unpack(lambda w: FRAGMENTS[w.stage]["inputs"]),
    output:
        f"{R}/report/fragments/{{stage}}.json",
    log:
        f"{L}/fragment_{{stage}}.log",
    benchmark:
        f"{L}/benchmarks/fragment_{{stage}}.tsv"
    conda:
        "../../environment.yml"
    params:
        inputs=named_inputs,
        config=lambda w: sections_json(FRAGMENTS[w.stage]["config"]),
    shell:
        "python -m mnist_fooling fragment {wildcards.stage} --input {params.inputs}"
        " --config-json {params.config:q} --out {output} > {log} 2>&1"


rule report_inputs:
    input:
        fragments=[f"{R}/report/fragments/{stage}.json" for stage in FRAGMENTS],
        # the appendix prints its hash and whether the installed packages equal its pins
        lock="requirements/report.lock",
    output:
        variables=f"{REPORT_INPUTS}/_variables.yml",
        sections=f"{REPORT_INPUTS}/_sections.qmd",
        tables=directory(f"{REPORT_INPUTS}/tables"),
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
        # Which of those are this workflow's jobs: a TSV left by an earlier config's job (a
        # removed method's search) matches no rule's benchmark pattern and is not read.
        patterns=lambda w: benchmark_patterns(),
        reliability=reliability_args(),
        repo=workflow.basedir,
        out_dir=lambda w, output: Path(output.variables).parent,
    shell:
        "python -m mnist_fooling report-inputs --out-dir {params.out_dir}"
        " --config-json {params.config:q} --fragments {input.fragments}"
        " --benchmarks {params.benchmarks} --benchmark-patterns-json {params.patterns:q}"
        " --repo {params.repo} --sections report/sections"
        " --lock {input.lock}"
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
        sections=SECTIONS,
        variables=f"{REPORT_INPUTS}/_variables.yml",
        section_list=f"{REPORT_INPUTS}/_sections.qmd",
        tables=f"{REPORT_INPUTS}/tables",
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
        renderer=config["report"]["renderer"],
    shell:
        "python -m mnist_fooling render --source report --inputs {params.inputs}"
        " --figures {input.figures} --html {output.html} --pdf {output.pdf}"
        " --renderer {params.renderer} > {log} 2>&1"
