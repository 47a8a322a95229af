"""Starts a child process, then counts until STOPFILE exists; its finally block and its
atexit handler say so when they run (a node that stops gently lets them)."""
import atexit
import os
import subprocess
import sys
import time

atexit.register(lambda: print("atexit ran", flush=True))
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
print("child", child.pid, flush=True)
try:
    n = 0
    while not os.path.exists(sys.argv[1]):
        n += 1
        time.sleep(0.05)
finally:
    print("finally ran", flush=True)
