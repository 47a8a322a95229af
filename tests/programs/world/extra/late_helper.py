"""Imported only after the restore, from a folder the program put on sys.path."""
VALUE = "from extra"
