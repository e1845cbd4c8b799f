"""Write the pages' scripts as the pages hold them into a folder, for eslint (make lint): the lab's
lab.js with every lab method's generator (search/methods/<name>/lab.js), net.js and worker.js,
the explorer's and the reading page's scripts."""

from __future__ import annotations

import sys
from importlib import resources
from pathlib import Path

from mnist_fooling.stages.lab.page import METHODS, script

AS_IS = {
    "mnist_fooling.stages.lab": ("net.js", "worker.js"),
    "mnist_fooling.report": ("explorer.js",),
    "mnist_fooling.stages.reading": ("reading.js",),
}


def main(folder: str) -> None:
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    (out / "lab.js").write_text(script(list(METHODS)), encoding="utf-8")
    for package, names in AS_IS.items():
        for name in names:
            (out / name).write_text(resources.files(package).joinpath(name).read_text("utf-8"))


if __name__ == "__main__":
    main(sys.argv[1])
