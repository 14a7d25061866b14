"""Benchmarks for reconcile: speed, memory and API calls against the local Wix emulator.

Run ``python -m bench`` from the repository root (``--help`` for options); it writes
docs/performance.md. Modules: ``generate`` (synthetic catalogs), ``minimum`` (the fewest calls a
change needs), ``naive`` (the Wix sample flow, as a baseline), ``worker`` (one measured run in a
fresh process), ``cases`` (what is measured), ``report`` (tables and the document).
"""
