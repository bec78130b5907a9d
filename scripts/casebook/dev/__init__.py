"""Development tools, not part of the product: benchmarks (`bench*.py`), synthetic raw pages and
case files (`rawsynth.py`, `synth.py`) and the scale-out experiments (`scaleout.py`).

Nothing in the pipeline or the site imports this package at run time; `casebook bench` and the
tests do. Its data files live in `dev/data/`."""
