"""Model names the command line checks before any heavy import (TensorFlow takes seconds);
the methods' names are :data:`mnist_fooling.search.registry.NAMES`."""

MODEL_NAMES = ("softmax", "mlp", "cnn")
