"""chainrule benchmark suite: chainrule vs hand-written NumPy vs PyTorch eager (CPU).

Run ``python -m benchmarks --help``. This package must not import NumPy here:
``run.py`` sets the thread-count environment variables before NumPy loads.
"""
