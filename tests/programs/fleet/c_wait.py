"""Waits in C code until told to stop, then ends: a migration that asks meanwhile cannot
catch it. ``os.system`` runs a shell that says "waiting" and waits for the file named by
the argument (or for this program to be gone); the program's own code does not run again
until the shell is done, and after that there is no line left."""
import os
import shlex
import sys

os.system(f"echo waiting; until [ -e {shlex.quote(sys.argv[1])} ] || ! kill -0 $PPID; "
          "do sleep 0.05; done 2>/dev/null")
