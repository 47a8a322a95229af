"""Holds a socket while it ticks, until the file named by its argument exists."""
import os, socket, sys, time  # noqa: E401 (one line: the README quotes line 8)


def read_loop():
    sock = socket.socket()
    for n in range(10**9):
        time.sleep(0.02)
        print("tick", n, flush=True)
        if os.path.exists(sys.argv[1]):
            break
    sock.close()


read_loop()
