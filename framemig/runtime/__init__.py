"""The runtime: runs a program under framemig and answers requests to capture it."""
