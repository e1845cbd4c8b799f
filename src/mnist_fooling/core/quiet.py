"""Keep TensorFlow's C++ start-up chatter (absl, CUDA probing, CPU features) off stderr.

absl writes those lines to file descriptor 2 before any Python setting can reach it, so the
command line routes fd 2 through a filter that drops exactly those lines and passes on
everything else (our messages, warnings, tracebacks) unchanged.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import threading
from collections.abc import Iterator

CHATTER = re.compile(
    r"^(WARNING: All log messages before absl::InitializeLog\(\) is called"
    r"|[IWEF]\d{4} \d\d:\d\d:[\d.]+ +\d+ [\w./-]+\.(cc|h):\d+\] "
    r"|To enable the following instructions: "
    r"|oneDNN custom operations are on"
    r"|This TensorFlow binary is optimized)"
)


def is_chatter(line: str) -> bool:
    """Whether a stderr line is TensorFlow/absl start-up logging."""
    return bool(CHATTER.match(line))


@contextlib.contextmanager
def filtered_stderr() -> Iterator[None]:
    """Within the block, lines written to fd 2 that :func:`is_chatter` are dropped."""
    sys.stderr.flush()
    real = os.dup(2)
    read, write = os.pipe()
    os.dup2(write, 2)
    os.close(write)

    def pump() -> None:
        with os.fdopen(read, "rb") as source:
            for line in source:
                if not is_chatter(line.decode("utf-8", "replace")):
                    os.write(real, line)

    thread = threading.Thread(target=pump, daemon=True)
    thread.start()
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(real, 2)  # closes our end of the pipe: the pump sees end-of-file
        thread.join(timeout=5)
        os.close(real)
