#!/usr/bin/env python3
"""Live sensor benchmark: exec-storm slowdown, losses, latency and memory,
side by side with auditd and a bpftrace one-liner.

Needs root, cc, and for the comparison the Debian packages auditd and
bpftrace. Every process this script starts is stopped by its pid.

usage: live.py [--rounds N] [--execs N] [--binary PATH]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
STORM = "/tmp/shellsentry-exec-storm"
WORKERS = 2


def build_storm():
    subprocess.run(["cc", "-O2", "-Wall", "-o", STORM, os.path.join(HERE, "exec-storm.c")], check=True)


def storm(execs_per_worker, name="-", program=("/bin/true",)):
    """Runs the exec storm; returns execs per second."""
    out = subprocess.run([STORM, str(WORKERS), str(execs_per_worker), name, *program],
                         capture_output=True, text=True, check=True).stdout
    return float(out.split(": ")[1].split()[0])


def wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    sys.exit(f"timed out waiting for {what}")


class Sensor:
    """A running shellsentry run, with its findings collected as they arrive."""

    def __init__(self, binary, *args):
        self.proc = subprocess.Popen([binary, "run", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.lines = []
        self.arrivals = []
        self.log = []
        self.ready = threading.Event()
        self.readers = [threading.Thread(target=self._read_stdout, daemon=True),
                        threading.Thread(target=self._read_stderr, daemon=True)]
        for reader in self.readers:
            reader.start()
        if not self.ready.wait(60):
            self.proc.kill()
            sys.exit("shellsentry did not start:\n" + "".join(self.log))

    def _read_stdout(self):
        for line in self.proc.stdout:
            self.arrivals.append(time.time_ns())
            self.lines.append(line)

    def _read_stderr(self):
        for line in self.proc.stderr:
            line = line.decode(errors="replace")
            self.log.append(line)
            if "sensor running" in line:
                self.ready.set()

    def rss_kib(self, field="VmRSS"):
        for line in open(f"/proc/{self.proc.pid}/status"):
            if line.startswith(field + ":"):
                return int(line.split()[1])
        return 0

    def stop(self):
        self.proc.send_signal(2)
        self.proc.wait(30)
        for reader in self.readers:
            reader.join(10)
        return "".join(self.log)


class Auditd:
    """auditd with an execve rule, as users run it for exec monitoring."""

    def __init__(self):
        before = set(subprocess.run(["pgrep", "-x", "auditd"], capture_output=True, text=True).stdout.split())
        subprocess.run(["/sbin/auditd"], check=True)
        pids = lambda: set(subprocess.run(["pgrep", "-x", "auditd"], capture_output=True, text=True).stdout.split())
        wait_for(lambda: pids() - before, 10, "auditd")
        self.pid = int(sorted(pids() - before)[0])
        subprocess.run(["auditctl", "-a", "always,exit", "-F", "arch=b64", "-S", "execve"], check=True,
                       stdout=subprocess.DEVNULL)

    def stop(self):
        subprocess.run(["auditctl", "-D"], check=True, stdout=subprocess.DEVNULL)
        os.kill(self.pid, 15)
        wait_for(lambda: not os.path.exists(f"/proc/{self.pid}") or
                 open(f"/proc/{self.pid}/stat").read().split()[2] == "Z", 10, "auditd to stop")
        subprocess.run(["auditctl", "-e", "0"], check=True, stdout=subprocess.DEVNULL)


class Bpftrace:
    """A bpftrace one-liner on the tracepoint the sensor uses."""

    PROGRAM = 'tracepoint:sched:sched_prepare_exec { printf("%d %s %s\\n", pid, comm, str(args->filename)); }'

    def __init__(self):
        # Its output goes to a file, as a user would log it; bpftrace writes
        # "Attaching 1 probe..." there once it is attached.
        self.output = open("/tmp/shellsentry-bench-bpftrace.out", "w+")
        self.proc = subprocess.Popen(["bpftrace", "-e", self.PROGRAM], stdout=self.output,
                                     stderr=subprocess.DEVNULL)

        def attached():
            if self.proc.poll() is not None:
                sys.exit("bpftrace failed to start")
            self.output.seek(0)
            return "Attaching" in self.output.read(200)

        wait_for(attached, 60, "bpftrace to attach")
        time.sleep(1)

    def stop(self):
        self.proc.send_signal(2)
        self.proc.wait(30)
        self.output.close()
        os.unlink(self.output.name)


def storm_slowdown(binary, rounds, execs):
    conditions = {
        "no monitor": (lambda: None, lambda handle: None),
        "shellsentry (default profile)": (lambda: Sensor(binary), lambda s: s.stop()),
        "shellsentry --all-events": (lambda: Sensor(binary, "--all-events"), lambda s: s.stop()),
        "auditd, execve rule": (Auditd, lambda a: a.stop()),
        "bpftrace one-liner": (Bpftrace, lambda b: b.stop()),
    }
    rates = {name: [] for name in conditions}
    storm(500)  # warm the page cache and the scheduler
    for _ in range(rounds):
        for name, (start, stop) in conditions.items():
            handle = start()
            rates[name].append(storm(execs))
            stop(handle)
    baseline = statistics.median(rates["no monitor"])
    print(f"\nexec storm: {WORKERS} workers x {execs} fork+exec of /bin/true, {rounds} rounds, medians")
    print("| monitor | execs/s | slowdown |")
    print("| --- | --- | --- |")
    for name, values in rates.items():
        median = statistics.median(values)
        print(f"| {name} | {median:.0f} | {100 * (1 - median / baseline):.1f}% |")


def loss_and_latency(binary, execs):
    sensor = Sensor(binary)
    idle_rss = sensor.rss_kib()
    start_ns = time.time_ns()
    storm(execs // WORKERS, name="nginx", program=("/bin/sh", "-c", "true"))
    time.sleep(1)
    peak_rss = sensor.rss_kib("VmHWM")
    log = sensor.stop()
    findings = [json.loads(line) for line in sensor.lines]
    storm_findings = [f for f in findings if f["Context"]["timestamp"] >= start_ns
                      and f["Context"]["processName"] == "nginx"]
    lost = [line for line in log.splitlines() if "sensor stopped" in line]
    latencies = sorted((arrival - f["Context"]["timestamp"]) / 1e6
                       for f, arrival in zip(findings, sensor.arrivals) if f in storm_findings)
    print(f"\nloss: {execs} execs of /bin/sh by processes named nginx at full speed")
    print(f"findings: {len(storm_findings)} (expected {execs}); summary: {lost[-1].strip() if lost else '?'}")
    print(f"latency under the storm, exec to finding read from stdout: "
          f"median {statistics.median(latencies):.2f} ms, p99 {latencies[int(len(latencies) * 0.99) - 1]:.2f} ms")
    print(f"sensor RSS: idle {idle_rss} KiB, peak during the storm {peak_rss} KiB")
    if len(storm_findings) != execs:
        sys.exit("findings were lost or doubled")

    sensor = Sensor(binary)
    start_ns = time.time_ns()
    for _ in range(200):
        subprocess.run([STORM, "1", "1", "nginx", "/bin/sh", "-c", "true"], check=True, stdout=subprocess.DEVNULL)
        time.sleep(0.01)
    time.sleep(0.5)
    sensor.stop()
    latencies = sorted((arrival - json.loads(line)["Context"]["timestamp"]) / 1e6
                       for line, arrival in zip(sensor.lines, sensor.arrivals)
                       if json.loads(line)["Context"]["timestamp"] >= start_ns)
    print(f"latency at 100 execs/s: median {statistics.median(latencies):.2f} ms, "
          f"p99 {latencies[int(len(latencies) * 0.99) - 1]:.2f} ms over {len(latencies)} findings")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--execs", type=int, default=3000, help="execs per worker per storm")
    parser.add_argument("--binary", default=os.path.join(ROOT, "target/release/shellsentry"))
    parser.add_argument("--part", choices=["all", "loss", "storm"], default="all")
    args = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("live.py needs root: it loads BPF programs and starts auditd")
    build_storm()
    if args.part in ("all", "loss"):
        loss_and_latency(args.binary, 2000)
    if args.part in ("all", "storm"):
        storm_slowdown(args.binary, args.rounds, args.execs)


if __name__ == "__main__":
    main()
