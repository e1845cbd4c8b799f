"""Search speed benchmark (the rule `benchmark_search` runs the same): ratios measured side by side.

Usage: python benchmarks/search.py --models cnn=results/default/models/cnn.keras --out bench.csv
"""

import sys

from mnist_fooling.cli import main

if __name__ == "__main__":
    sys.exit(main(["benchmark", *sys.argv[1:]]))
