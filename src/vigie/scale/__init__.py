"""Scale-out: one stream of comments moderated by many workers with the same decisions.

- :mod:`vigie.scale.context` — the order-dependent context step (sequencer) and the pipeline
  that replays it in any worker; no Ray needed.
- :mod:`vigie.scale.io` — inputs and outputs: JSONL, CSV, Parquet, local paths or object-store
  URLs.
- :mod:`vigie.scale.ray_engine` — ``vigie moderate --engine ray`` on Ray Data (optional extra
  ``vigie[ray]``, imported only there).

See docs/scale-out.md for the design and for running on a real cluster.
"""
