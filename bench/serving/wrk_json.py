#!/usr/bin/python3
"""Reads `wrk --latency` output on stdin and prints one JSON object: requests per second, p50/p90/p99 in
milliseconds, request and error counts (non-2xx answers, socket errors)."""
import json
import re
import sys

text = sys.stdin.read()
units = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def latency(percent):
    match = re.search(rf"^\s*{percent}%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
    return round(float(match.group(1)) * units[match.group(2)], 3) if match else None


requests = re.search(r"(\d+) requests in", text)
non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
print(json.dumps({
    "requestsPerSecond": float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)),
    "p50Ms": latency(50),
    "p90Ms": latency(90),
    "p99Ms": latency(99),
    "requests": int(requests.group(1)) if requests else None,
    "non2xx": int(non2xx.group(1)) if non2xx else 0,
    "socketErrors": sum(int(g) for g in socket.groups()) if socket else 0,
}))
