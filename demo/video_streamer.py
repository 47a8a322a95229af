"""A camera, simulated: publishes small grayscale frames of a synthetic scene to the data
stream "camera", 10 per second, each with its sequence number.

The scene is deterministic: a textured background, a ball that crosses the picture, rests
for a while, then crosses again, and a door that opens now and then. So there is real
motion to detect, and stretches with none. Run it with `framemig run demo/video_streamer.py
--on camera`, or under plain python with REDIS_URL set.
"""
import sys
import time

import framemig

WIDTH, HEIGHT = 128, 96
S = WIDTH // 64  # the scene is drawn for 64x48 and scaled
RATE = float(sys.argv[1]) if len(sys.argv) > 1 else 10.0  # frames per second


def background(x, y):
    return 60 + (x * 3 + y * 5) % 40


BACKGROUND = bytes(background(x, y) for y in range(HEIGHT) for x in range(WIDTH))


def scene(seq):
    """The frame number ``seq``: background, a moving ball, sometimes an open door."""
    pixels = bytearray(BACKGROUND)
    phase = seq % 120
    ball_x = S * (min(phase, 60) if phase < 80 else 60 - min(phase - 80, 40) * 1.5)
    ball_y = S * (24 + 10 * ((phase // 10) % 2))
    r = 4 * S
    for y in range(max(0, int(ball_y) - r), min(HEIGHT, int(ball_y) + r + 1)):
        for x in range(max(0, int(ball_x) - r), min(WIDTH, int(ball_x) + r + 1)):
            if (x - ball_x) ** 2 + (y - ball_y) ** 2 <= r * r:
                pixels[y * WIDTH + x] = 230
    if seq % 50 >= 45:  # the door is open: a bright block on the right
        for y in range(5 * S, 30 * S):
            pixels[y * WIDTH + 50 * S:y * WIDTH + 60 * S] = bytes([200]) * (10 * S)
    return bytes(pixels)


camera = framemig.publisher("camera")
seq = 0
next_at = time.monotonic()
while True:
    camera.publish({"seq": seq, "width": WIDTH, "height": HEIGHT, "pixels": scene(seq)})
    if seq % 50 == 0:
        print(f"streamer: frame {seq} published", flush=True)
    seq += 1
    next_at += 1.0 / RATE
    time.sleep(max(0.0, next_at - time.monotonic()))
