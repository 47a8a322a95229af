import socket
import time


def read_loop():
    sock = socket.socket()
    for n in range(200):
        time.sleep(0.02)
        print("tick", n, flush=True)
    sock.close()


read_loop()
