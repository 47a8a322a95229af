"""Capture: read a running program into a snapshot body."""
