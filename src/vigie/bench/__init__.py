"""Benchmarks (``vigie bench``).

Speed and memory of the pipeline, store, dashboard, images and coordination. Nothing in
production imports this package.
"""
