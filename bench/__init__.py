"""paykka-embed benchmarks: shopper payload, time to interactive, session and webhook
throughput, measured on this machine and written to ``docs/benchmarks.md``.

Run everything with ``python -m bench`` (or ``python bench/run.py``); ``--help`` lists
the flags for more repetitions and the optional slow steps.
"""
