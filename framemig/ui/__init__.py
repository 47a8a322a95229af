"""``framemig top``: the fleet as a live view, and the keys to steer it.

``fleetview`` holds what is shown (no terminal code, so it can be tested and timed on its
own), ``steering`` sends what the keys ask for, ``frame`` prints one frame as text, and
``app``/``screens`` are the textual application.
"""
