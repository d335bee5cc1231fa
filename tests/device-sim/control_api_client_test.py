#!/usr/bin/env python3
"""A client outside device-sim drives it through its control API, as another team's test would:
device-sim serves one device with an empty script; this test is the host (a plain TCP client)
and says over HTTP, at moments it chooses, "send garbage", "replace the script", "reset now".
Every wait is for an event: a log line device-sim writes, or bytes on the socket.
Usage: control_api_client_test.py DEVICE_SIM WORK_DIR"""
import json
import os
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request

device_sim, work = sys.argv[1], sys.argv[2]
os.makedirs(work, exist_ok=True)
script = os.path.join(work, "control-device.json")
with open(script, "w") as f:
    json.dump({"name": "pump-7", "script": []}, f)

sim = subprocess.Popen([device_sim, "--listen", "127.0.0.1:0", "--control", "127.0.0.1:0", "--seed", "3", script],
                       stdout=subprocess.PIPE, text=True)
failures = []


def check(ok, what):
    print(("ok: " if ok else "FAIL: ") + what, flush=True)
    if not ok:
        failures.append(what)


def await_line(event, **fields):
    """Reads device-sim's log (its stdout) until a line with this event and these fields."""
    for line in sim.stdout:
        entry = json.loads(line)
        if entry.get("event") == event and all(entry.get(k) == v for k, v in fields.items()):
            return entry
    raise SystemExit("device-sim ended before logging " + event)


def call(method, path, body=None):
    data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    request = urllib.request.Request(base + path, data=data, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


try:
    device_port = await_line("listening", device="pump-7")["port"]
    base = "http://127.0.0.1:%d" % await_line("control_listening")["port"]

    status, body = call("GET", "/devices")
    check(status == 200 and [d["name"] for d in body["devices"]] == ["pump-7"], "GET /devices lists the device")
    check(body["devices"][0]["connected"] is False and body["devices"][0]["port"] == device_port,
          "its port, and no connection yet")

    host = socket.create_connection(("127.0.0.1", device_port), timeout=30)
    await_line("connection_accepted", device="pump-7")
    status, body = call("GET", "/devices/pump-7/connections")
    check(status == 200 and len(body["connections"]) == 1, "GET /devices/pump-7/connections shows the connection")

    status, body = call("POST", "/devices/pump-7/steps", {"step": "send_garbage", "bytes": 16})
    check(status == 202 and body["accepted"] == 1, "POST a send_garbage step: accepted")
    received = b""
    while len(received) < 16:
        chunk = host.recv(16 - len(received))
        if not chunk:
            break
        received += chunk
    check(len(received) == 16, "the host received the 16 bytes of garbage")

    status, body = call("POST", "/devices/pump-7/steps", {"step": "stall", "for_ms": "soon"})
    check(status == 400 and "for_ms" in body["error"], "an invalid step is refused with 400 and its JSON path: "
          + body.get("error", ""))
    status, body = call("POST", "/devices/pump-7/steps", b"{not json")
    check(status == 400 and "request body:1:" in body["error"], "a body that is not JSON: 400, line and column")
    status, body = call("POST", "/devices/nobody/steps", {"step": "reset"})
    check(status == 404 and "nobody" in body["error"], "an unknown device: 404")
    status, body = call("GET", "/no/such/thing")
    check(status == 404 and "error" in body, "an unknown resource: 404 with a JSON error")

    status, body = call("PUT", "/devices/pump-7/script", [{"step": "send_hex", "hex": "a5 5a"}])
    check(status == 200 and body["steps"] == 1, "PUT a new script")
    await_line("script_finished", device="pump-7")
    check(host.recv(2) == b"\xa5\x5a", "the replaced script ran: the host received its bytes")

    status, body = call("GET", "/devices/pump-7/log?from=0")
    kinds = [l.get("kind") for l in body["lines"] if l.get("event") == "step_started"]
    check(status == 200 and "send_garbage" in kinds and "send_hex" in kinds,
          "GET /devices/pump-7/log has the steps the client asked for")
    status, later = call("GET", "/devices/pump-7/log?from=%d" % body["next"])
    check(status == 200 and later["from"] == body["next"], "the log continues from where the last read ended")

    status, body = call("POST", "/devices/pump-7/steps", {"step": "reset"})
    check(status == 202, "POST a reset step")
    try:
        data = host.recv(1)
        reset = False
    except ConnectionResetError:
        reset = True
    check(reset, "the host's connection was reset (RST, not a FIN)")
    await_line("connection_op", device="pump-7", op="reset")
    status, body = call("GET", "/devices/pump-7")
    check(status == 200 and body["connected"] is False, "GET /devices/pump-7: no connection any more")
finally:
    sim.send_signal(signal.SIGINT)
    try:
        rest, _ = sim.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        sim.kill()
        failures.append("device-sim did not stop on SIGINT")

check(sim.returncode == 0, "device-sim stopped on SIGINT with exit code 0 (got %s)" % sim.returncode)
print("control API: %d failed" % len(failures))
sys.exit(1 if failures else 0)
