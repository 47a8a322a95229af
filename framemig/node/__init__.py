"""The node daemon: one per device, running and moving programs on Redis's say-so."""
