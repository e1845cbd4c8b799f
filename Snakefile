# mnist-fooling: MNIST → classifiers → confidence baseline → claims → Quarto report.
# This file only wires the stages together; each stage is one file in workflow/rules/.


configfile: "config/config.yaml"


include: "workflow/rules/common.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/train.smk"
include: "workflow/rules/evaluate.smk"
include: "workflow/rules/pca.smk"
include: "workflow/rules/edge.smk"
include: "workflow/rules/fooling.smk"
include: "workflow/rules/reading.smk"
include: "workflow/rules/eleventh.smk"
include: "workflow/rules/detectors.smk"
include: "workflow/rules/benchmark.smk"
include: "workflow/rules/plots.smk"
# before report.smk: it adds the lab benchmark's report fragment
include: "workflow/rules/lab.smk"
include: "workflow/rules/report.smk"
include: "workflow/rules/explorer.smk"


rule all:
    default_target: True
    input:
        REPORT_HTML,
        REPORT_PDF,
        f"{R}/report/explorer.html",
        f"{R}/report/lab.html",
        f"{R}/report/reading.html",
