"""Model names the command line checks before any heavy import (TensorFlow takes seconds), and
how the report names them; the methods' are :data:`mnist_fooling.search.registry.NAMES`."""

MODEL_NAMES = ("softmax", "mlp", "cnn")
MODEL_LABELS = {"softmax": "softmax regression", "mlp": "MLP", "cnn": "CNN"}  # in the report
