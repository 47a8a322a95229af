"""Fuzzing framemig with hostile input (issue 13): mutated snapshots through restore,
mutated commands at a real node. ``make fuzz`` runs the long form, ``make test`` a short
one (tests/test_fuzz.py); ``python -m tests.fuzz --help`` says how to run one by hand."""
