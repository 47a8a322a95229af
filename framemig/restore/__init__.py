"""Restore: rebuild a program from a snapshot and continue it."""
