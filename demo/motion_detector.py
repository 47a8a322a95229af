"""A motion detector: an ordinary loop over the camera's frames that keeps the previous
frame, computes the difference image, a motion score and a running tally, publishes the
score (stream "motion") and an alarm on significant motion (stream "alarms"), and prints
one line per frame with the node it runs on.

Nothing in it knows about migration. Moved to another node — another CPython — it carries
on from the next frame, with its previous frame, tally and alarm count intact.
"""
import os

import framemig

THRESHOLD = 25  # a pixel changed if it changed by more than this
ALARM = 0.01  # a frame is an alarm if more than this share of its pixels changed

frames = framemig.reader("camera")
scores = framemig.publisher("motion")
alarms = framemig.publisher("alarms")
previous = None
tally = 0.0
alarm_count = 0
processed = 0
while True:
    message = frames.read()
    seq, pixels = message.data["seq"], message.data["pixels"]
    if previous is None:
        score = 0.0
    else:
        changed = sum(1 for a, b in zip(pixels, previous) if abs(a - b) > THRESHOLD)
        score = changed / len(pixels)
    tally += score
    processed += 1
    alarm = score > ALARM
    scores.publish({"seq": seq, "score": round(score, 4), "tally": round(tally, 4)})
    if alarm:
        alarm_count += 1
        alarms.publish({"seq": seq, "score": round(score, 4)})
    node = os.environ.get("FRAMEMIG_NODE", "local")
    print(f"frame {seq:5d}  motion {score:6.3f}  tally {tally:7.3f}  alarms {alarm_count:4d}"
          f"{'  ALARM' if alarm else '       '}  on {node}", flush=True)
    previous = pixels
