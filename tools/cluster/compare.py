"""Compare two runs' output folders byte for byte, but for what reports wall-clock time.

    python tools/cluster/compare.py results/test other-checkout/results/test

Every file under the first folder must exist under the second with the same bytes and vice
versa, except the files in ``EXCLUDED`` (each with its reason). ``report/report.html`` is
compared with its timing tables cut out (``MASKED``). Prints one line per difference and a
summary; exit code 0 when they match, 1 when not, 2 for a missing folder.

Both lists live in ``mnist_fooling.report.timings``, shared with the reliability check. They
were measured: two local CPU runs of the `test` profile, from two copies of the checkout, differ
only in these files (report.html only in its masked tables). logs/ (with the benchmarks) is not
compared.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

from mnist_fooling.report.timings import TIMED_FILES, TIMED_SECTIONS, mask_timings

# The files left out (each with its reason) and the report's timing tables cut out: one list,
# shared with tools/reliability.py.
EXCLUDED = TIMED_FILES
MASKED = TIMED_SECTIONS


def digests(folder: Path) -> dict[str, str]:
    """sha256 of every compared file under ``folder`` (relative POSIX path -> hex digest)."""
    out = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder).as_posix()
        if rel not in EXCLUDED:
            out[rel] = hashlib.sha256(mask_timings(rel, path.read_bytes())).hexdigest()
    return out


def differences(a: Path, b: Path) -> list[str]:
    """One line per file missing from either folder or differing between them."""
    da, db = digests(a), digests(b)
    lines = []
    for rel in sorted(da.keys() | db.keys()):
        if rel not in db:
            lines.append(f"only in {a}: {rel}")
        elif rel not in da:
            lines.append(f"only in {b}: {rel}")
        elif da[rel] != db[rel]:
            lines.append(f"differs: {rel}")
    return lines


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: compare.py RESULTS_A RESULTS_B", file=sys.stderr)
        return 2
    a, b = map(Path, args)
    for folder in (a, b):
        if not folder.is_dir():
            print(f"compare: no folder {folder}", file=sys.stderr)
            return 2
    lines = differences(a, b)
    n = len(digests(a))
    for line in lines:
        print(f"compare: {line}")
    if lines:
        print(f"compare: {len(lines)} of {n} files differ between {a} and {b}", file=sys.stderr)
        return 1
    present = [rel for rel in EXCLUDED if (a / rel).is_file()]
    print(
        f"compare: all {n} files identical byte for byte"
        f" ({', '.join(MASKED)} with its timing tables cut out);"
        f" {len(present)} left out as wall-clock timings: {', '.join(present)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
