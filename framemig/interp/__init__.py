"""The interpreter's hidden state: reading frames and stacks, naming code, trampolines."""
