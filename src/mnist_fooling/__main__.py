"""``python -m mnist_fooling``."""

import sys

from .cli import main

sys.exit(main())
