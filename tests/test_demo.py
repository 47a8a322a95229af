"""The demo's scene, short: the detector moves twice across CPython versions while the
camera keeps publishing; every frame is processed once, in order, across the moves."""

import json
import subprocess
import sys

from tests.harness import HERE


def test_the_detector_carries_on_from_the_next_frame(env, tmp_path):
    evidence = tmp_path / "evidence.json"
    done = subprocess.run([sys.executable, str(HERE.parent / "demo" / "fleet_demo.py"),
                           "--migrations", "2", "--watch", "2", "--json", str(evidence)],
                          capture_output=True, text=True, timeout=240, env=env.vars())
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    result = json.loads(evidence.read_text())
    assert result["route"] == ["pi3", "pizero", "pi3"]
    assert result["lost"] == [] and result["twice"] == [] and result["out_of_order"] == 0
    assert len(result["handoffs"]) == 2
    for handoff in result["handoffs"]:
        assert handoff["first_after"] == handoff["last_before"] + 1
    assert [m["python_to"].split()[1][:4] for m in result["migrations"]] == ["3.13", "3.12"]
    assert result["frames_processed"] >= 30
    assert "frames lost" in done.stdout and "Evidence" in done.stdout


def test_ctrl_c_stops_everything_the_demo_started(env):
    import signal
    import time

    import psutil

    demo = subprocess.Popen([sys.executable, str(HERE.parent / "demo" / "fleet_demo.py"),
                             "--keep", "--migrations", "1", "--watch", "1"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env=env.vars())
    try:
        seen = []
        for line in demo.stdout:
            seen.append(line)
            if "Left running" in line:
                break
        assert "Left running" in seen[-1], "".join(seen[-40:])
        started = psutil.Process(demo.pid).children(recursive=True)
        assert len(started) >= 4  # redis-server and three nodes, with their programs
        demo.send_signal(signal.SIGINT)
        assert demo.wait(timeout=60) == 130
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(p.is_running() and
                                                  p.status() != psutil.STATUS_ZOMBIE
                                                  for p in started):
            time.sleep(0.1)
        assert not [p for p in started if p.is_running() and
                    p.status() != psutil.STATUS_ZOMBIE]
    finally:
        if demo.poll() is None:
            demo.kill()
