"""The snapshot format: versioned JSON that any supported CPython can read back."""
