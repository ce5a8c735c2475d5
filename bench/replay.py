#!/usr/bin/env python3
"""Replay benchmark: shellsentry against grep and jq on the same stream.

Builds the stream (build-stream.py) if it is missing, warms the page
cache, then times each command RUNS times and prints medians, ratios
measured in the same run, throughput, peak memory, and the finding count
against the planted positives.

usage: replay.py [--runs N] [--jq-runs N] [--stream PATH] [--binary PATH]
"""
import argparse
import os
import resource
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

# TRC-1016 as Tracee v0.22 to v0.24 implement it, written for jq. Lines whose
# eventName is written with a JSON escape are decoded by jq like by Tracee.
JQ_FILTER = r'''
def web_servers: ["nginx","httpd","httpd-foregroun","http-nio","lighttpd","apache","apache2"];
def shells: ["ash","bash","csh","ksh","sh","tcsh","zsh","dash"];
def arg($name): [.args[]? | select(.name == $name) | .value][0];
select(
  (.eventName == "security_bprm_check"
    and (.processName as $p | web_servers | index([$p]) != null)
    and (arg("pathname") | type == "string")
    and (arg("pathname") as $path | any(shells[]; . as $s | $path | endswith("/" + $s))))
  or
  (.eventName == "sched_process_exec"
    and (arg("prev_comm") as $p | web_servers | index([$p]) != null)
    and (.processName as $p | shells | index([$p]) != null))
)
'''


def timed(command, stdout=subprocess.PIPE):
    """Runs a command; returns (seconds, peak RSS in KiB, stdout bytes)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    result = subprocess.run(command, stdout=stdout, stderr=subprocess.DEVNULL, check=False)
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if result.returncode not in (0, 1):
        sys.exit(f"failed ({result.returncode}): {' '.join(command)}")
    return elapsed, max(peak, before), result.stdout or b""


def peak_rss_kib(command):
    """Returns the peak RSS of one run, measured by GNU time."""
    result = subprocess.run(["/usr/bin/time", "-f", "%M"] + command, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, check=True, text=True)
    return int(result.stderr.strip().splitlines()[-1])


def median_time(command, runs):
    times = []
    output = b""
    for _ in range(runs):
        elapsed, _, output = timed(command)
        times.append(elapsed)
    return statistics.median(times), output


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--jq-runs", type=int, default=3)
    parser.add_argument("--stream", default="/tmp/shellsentry-bench-stream.jsonl")
    parser.add_argument("--binary", default=os.path.join(ROOT, "target/release/shellsentry"))
    args = parser.parse_args()

    corpus = os.path.join(ROOT, "..", "shared", "corpus", "tracee-docs-events.jsonl")
    if not os.path.exists(args.stream + ".planted"):
        subprocess.run([sys.executable, os.path.join(HERE, "build-stream.py"), corpus, args.stream], check=True)
    size = os.path.getsize(args.stream)
    planted = int(open(args.stream + ".planted", encoding="utf-8").read())
    subprocess.run(["cat", args.stream], stdout=subprocess.DEVNULL, check=True)

    shellsentry = [args.binary, "replay", "--profile", "tracee", "--log-level", "warn", args.stream]
    grep = ["grep", "-c", '"security_bprm_check"', args.stream]
    jq = ["jq", "-c", JQ_FILTER, args.stream]

    results = {}
    for name, command, runs in [("shellsentry", shellsentry, args.runs), ("grep", grep, args.runs),
                                ("jq", jq, args.jq_runs)]:
        seconds, output = median_time(command, runs)
        results[name] = (seconds, output)
        print(f"{name}: median {seconds:.3f} s over {runs} runs, {size / seconds / 1e9:.2f} GB/s", flush=True)

    findings = results["shellsentry"][1].count(b"\n")
    jq_findings = results["jq"][1].count(b"\n")
    print(f"input: {size / 1e6:.0f} MB, {planted} planted positives")
    print(f"findings: shellsentry {findings}, jq {jq_findings}")
    print(f"shellsentry / grep time: {results['shellsentry'][0] / results['grep'][0]:.2f}x")
    print(f"jq / shellsentry time: {results['jq'][0] / results['shellsentry'][0]:.1f}x")
    print(f"peak RSS: shellsentry {peak_rss_kib(shellsentry)} KiB on one copy, "
          f"{peak_rss_kib(shellsentry[:-1] + [args.stream, args.stream])} KiB on two copies; "
          f"grep {peak_rss_kib(grep)} KiB")
    if findings != planted:
        sys.exit(f"shellsentry found {findings} of {planted} planted positives")


if __name__ == "__main__":
    main()
