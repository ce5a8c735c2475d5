#!/usr/bin/env python3
"""Latency of one shell exec, with and without `shellsentry run --prevent`.

Forks a child that renames itself (prctl) and executes /bin/sh -c true,
300 times one after another, for a caller the rules allow (bash) and one
they flag (nginx), and prints the median time per exec. Needs root.

usage: exec-latency.py [--binary PATH]
"""
import argparse
import ctypes
import os
import statistics
import subprocess
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
libc = ctypes.CDLL(None, use_errno=True)


def one_exec(name):
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        libc.prctl(15, name.encode(), 0, 0, 0)
        try:
            os.execv("/bin/sh", ["sh", "-c", "true"])
        except OSError:
            os._exit(126)
    os.waitpid(pid, 0)
    return (time.perf_counter() - start) * 1e3


def report(label):
    for name in ("bash", "nginx"):
        times = [one_exec(name) for _ in range(300)]
        print(f"{label}, caller {name}: median {statistics.median(times):.3f} ms")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=os.path.join(ROOT, "target/release/shellsentry"))
    args = parser.parse_args()
    report("prevention off")
    sensor = subprocess.Popen([args.binary, "run", "--prevent"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    for line in sensor.stderr:
        if "sensor running" in line:
            break
    try:
        report("prevention deny")
    finally:
        sensor.send_signal(2)
        sensor.wait(30)


if __name__ == "__main__":
    main()
