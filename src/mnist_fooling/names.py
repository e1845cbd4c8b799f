"""Names the command line checks before any heavy import (TensorFlow takes seconds)."""

MODEL_NAMES = ("softmax", "mlp", "cnn")
METHODS = (
    "gradient",
    "gradient_sign",
    "gradient_prior",
    "genetic",
    "genetic_prior",
    "genetic_prior_intended",
    "hillclimb",
    "map_elites",
    "square_search",
)
