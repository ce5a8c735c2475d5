#!/usr/bin/env python3
"""Builds the replay benchmark stream, deterministically.

The stream repeats the real Tracee lines of the shared corpus in their
order, so most events are not exec events, as in real Tracee output, and
plants a positive every PLANT_EVERY lines. The positives cycle through
three shapes: a security_bprm_check by apache2, a sched_process_exec with
prev_comm nginx, and a security_bprm_check whose eventName is written with
a JSON escape (a line the byte-level filter must not skip).

usage: build-stream.py CORPUS OUTPUT [MEGABYTES]
Prints the number of lines, bytes and planted positives, and writes the
planted count to OUTPUT.planted.
"""
import sys

PLANT_EVERY = 1000
POSITIVES = [
    '{"timestamp":1700000000123456789,"processId":4242,"threadId":4242,"parentProcessId":4200,'
    '"hostProcessId":4242,"hostThreadId":4242,"hostParentProcessId":4200,"userId":33,'
    '"processName":"apache2","hostName":"web-1","containerId":"","eventId":"1019",'
    '"eventName":"security_bprm_check","argsNum":1,"returnValue":0,"args":[{"name":"pathname",'
    '"type":"const char*","value":"/usr/bin/dash"}]}',
    '{"timestamp":1700000000223456789,"processId":4243,"hostProcessId":4243,"processName":"sh",'
    '"eventId":"715","eventName":"sched_process_exec","args":[{"name":"pathname","type":"const char*",'
    '"value":"/bin/sh"},{"name":"prev_comm","type":"const char*","value":"nginx"}]}',
    '{"timestamp":1700000000323456789,"processId":4244,"hostProcessId":4244,"processName":"lighttpd",'
    '"eventId":"1019","eventName":"security\\u005fbprm_check","args":[{"name":"pathname",'
    '"type":"const char*","value":"/bin/bash"}]}',
]


def main():
    corpus, output = sys.argv[1], sys.argv[2]
    target = int(sys.argv[3]) * 1_000_000 if len(sys.argv) > 3 else 400_000_000
    lines = [line.rstrip("\n") for line in open(corpus, encoding="utf-8") if line.strip()]
    written = planted = count = 0
    with open(output, "w", encoding="utf-8") as out:
        while written < target:
            if count % PLANT_EVERY == PLANT_EVERY - 1:
                line = POSITIVES[planted % len(POSITIVES)]
                planted += 1
            else:
                line = lines[count % len(lines)]
            out.write(line + "\n")
            written += len(line.encode()) + 1
            count += 1
    with open(output + ".planted", "w", encoding="utf-8") as out:
        out.write(f"{planted}\n")
    print(f"{count} lines, {written} bytes, {planted} planted positives")


if __name__ == "__main__":
    main()
