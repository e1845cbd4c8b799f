"""Fooling images for MNIST classifiers: data, models, searches, claims and a report."""

__version__ = "0.1.0"
