"""The reading page: a blind, timed test of what people read in fooling images and controls."""
