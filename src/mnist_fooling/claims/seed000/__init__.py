"""Seed 000's claims (Nielsen-style networks, "My artificial neural networks are not human").

Each function takes the pipeline's tables and returns :func:`..common.found` or None when the
data are not in this run; :data:`CLAIMS` lists them.
"""

from __future__ import annotations

from ..common import Claim
from .edge import c10, c11, c12, c13
from .fooling import c4, c6, c8
from .likeness import c5, c7, c9, c14
from .models import c1, c2, c3
from .variogram import c15

__all__ = [
    "CLAIMS",
    "SOURCE",
    "c1",
    "c2",
    "c3",
    "c4",
    "c5",
    "c6",
    "c7",
    "c8",
    "c9",
    "c10",
    "c11",
    "c12",
    "c13",
    "c14",
    "c15",
]

SOURCE = "seed 000"
CLAIMS = [
    Claim(
        "C1",
        SOURCE,
        "784-100-10 sigmoid network classifies MNIST test digits",
        "MLP accuracy",
        "≈98%",
        "sec-models",
    ),
    Claim(
        "C2",
        SOURCE,
        "first PCA eigenvectors rescaled to [0,1] look like ghostly digits",
        "eigen-digits look like digits",
        "visual",
        "sec-pca",
    ),
    Claim("C3", SOURCE, "classifier on principal components", "PCA classifier", "≈70%", "sec-pca"),
    Claim(
        "C4",
        SOURCE,
        "input gradient descent converges for 9 of 10 digits; '1' fails",
        "gradient: 9 digits, not '1'",
        "96–99.8%; '1' <12%",
        "sec-fooling",
    ),
    Claim(
        "C5",
        SOURCE,
        "gradient images are not recognisable digits",
        "gradient images unrecognisable",
        "visual",
        "sec-likeness",
    ),
    Claim(
        "C6",
        SOURCE,
        "genetic-ish algorithm often returns images at >99.99%",
        "genetic often >99.99%",
        "often",
        "sec-fooling",
    ),
    Claim(
        "C7",
        SOURCE,
        "genetic images unrecognisable, very noisy backgrounds",
        "genetic images noisy",
        "visual",
        "sec-likeness",
    ),
    Claim(
        "C8",
        SOURCE,
        "'2's converge faster than other digits",
        "'2' fastest",
        "fastest digit",
        "sec-fooling",
    ),
    Claim(
        "C9",
        SOURCE,
        "mean of 1000 genetic '2's is faintly a 2, grey background",
        "mean '2' faintly a 2",
        "visual",
        "sec-likeness",
    ),
    Claim(
        "C10",
        SOURCE,
        "large '2' drawn to the edges is called a 5",
        "large '2' → '5'",
        ">99.9% '5'",
        "sec-edge",
    ),
    Claim(
        "C11",
        SOURCE,
        "large '9' drawn to the edges is rejected",
        "large '9' rejected",
        "top output ≈2% ('3')",
        "sec-edge",
    ),
    Claim(
        "C12",
        SOURCE,
        "smaller '2' with a clear border is classified correctly",
        "small '2' correct",
        ">99.99%",
        "sec-edge",
    ),
    Claim(
        "C13",
        SOURCE,
        "scrambled background pixels lower the true class's output",
        "scrambled background lowers output",
        "46% '2', 22% '3'",
        "sec-edge",
    ),
    Claim(
        "C14",
        SOURCE,
        "with a natural-image prior, mean of 1000 genetic '2's looks like a 2",
        "prior mean '2' like a 2",
        "visual",
        "sec-likeness",
    ),
    Claim(
        "C15",
        SOURCE,
        "Rcpp variogram uses lag 1 for every k (as published vs intended)",
        "variogram lag bug matters",
        "code",
        "sec-variogram",
        kind="code",
    ),
]
