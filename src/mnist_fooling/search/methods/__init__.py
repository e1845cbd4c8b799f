"""The fooling methods, one folder each: host and device code, parameter schema, lab script."""
