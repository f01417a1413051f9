#!/usr/bin/env python3
"""Checks for the Kubernetes and ECS outputs, run by tests/e2e_kube_ecs.rs.

  kube_ecs_check.py k8s FILE...
      Parses every YAML document of every FILE with PyYAML (safe_load_all) and checks each
      Kubernetes object against the Kubernetes object schemas of the official Python client
      (PyPI `kubernetes`): the document is deserialised into its model class (V1Deployment,
      V1Service, V1Ingress, V1Secret, ...; required fields are enforced by the models) and
      serialised back; any difference means an unknown field, a wrong type or a wrong shape.
      Prints {"files": [{"path", "docs": [...parsed...], "problems": [...]}]}.

  kube_ecs_check.py recorder --port P --out DIR [--seconds S]
      A loopback-only stand-in for the AWS endpoints: records every request (target header and
      body) as DIR/NNNN.json and answers 400 with a ValidationException, so the AWS CLI stops
      after sending. Serves at most S seconds (default 120), then exits.
"""

import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MODELS = {
    ("v1", "Secret"): "V1Secret",
    ("v1", "Service"): "V1Service",
    ("v1", "ConfigMap"): "V1ConfigMap",
    ("apps/v1", "Deployment"): "V1Deployment",
    ("networking.k8s.io/v1", "Ingress"): "V1Ingress",
}


def diff(a, b, path="$"):
    """Where two JSON-like values differ (first few places)."""
    out = []
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k not in b:
                out.append(f"{path}.{k}: not in the schema (dropped by the model)")
            elif k not in a:
                out.append(f"{path}.{k}: added by the model")
            else:
                out += diff(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            out += diff(x, y, f"{path}[{i}]")
    elif a != b or type(a) is not type(b):
        out.append(f"{path}: {a!r} became {b!r}")
    return out[:10]


def check_k8s(paths):
    import yaml
    from kubernetes import client

    api = client.ApiClient()
    result = []
    for p in paths:
        entry = {"path": p, "docs": [], "problems": []}
        try:
            with open(p, encoding="utf-8") as f:
                docs = [d for d in yaml.safe_load_all(f) if d is not None]
        except Exception as e:  # noqa: BLE001 - report any parse error
            entry["problems"].append(f"YAML: {e}")
            result.append(entry)
            continue
        entry["docs"] = docs
        for i, d in enumerate(docs):
            key = (d.get("apiVersion"), d.get("kind")) if isinstance(d, dict) else None
            model = MODELS.get(key)
            if model is None:
                entry["problems"].append(f"doc {i}: no model for {key}")
                continue
            try:
                obj = api._ApiClient__deserialize(d, model)
                back = api.sanitize_for_serialization(obj)
            except Exception as e:  # noqa: BLE001 - the model rejected the document
                entry["problems"].append(f"doc {i} ({model}): {type(e).__name__}: {e}")
                continue
            for problem in diff(d, back):
                entry["problems"].append(f"doc {i} ({model}): {problem}")
        result.append(entry)
    print(json.dumps({"files": result}))


def recorder(port, out, seconds):
    os.makedirs(out, exist_ok=True)
    lock = threading.Lock()
    counter = [0]

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server API
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            with lock:
                counter[0] += 1
                n = counter[0]
            record = {
                "target": self.headers.get("X-Amz-Target"),
                "path": self.path,
                "content_type": self.headers.get("Content-Type"),
                "body": body.decode("utf-8", "replace"),
            }
            with open(os.path.join(out, f"{n:04d}.json"), "w", encoding="utf-8") as f:
                json.dump(record, f)
            if record["target"]:
                payload = json.dumps(
                    {"__type": "ValidationException", "message": "proxytrust recorder"}
                ).encode()
                ctype = "application/x-amz-json-1.1"
            else:
                payload = (
                    b"<ErrorResponse><Error><Type>Sender</Type><Code>ValidationError</Code>"
                    b"<Message>proxytrust recorder</Message></Error>"
                    b"<RequestId>0</RequestId></ErrorResponse>"
                )
                ctype = "text/xml"
            self.send_response(400)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with open(os.path.join(out, "ready"), "w", encoding="utf-8") as f:
        f.write("ready")
    time.sleep(seconds)
    server.shutdown()


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "k8s":
        check_k8s(sys.argv[2:])
    elif len(sys.argv) >= 2 and sys.argv[1] == "recorder":
        args = sys.argv[2:]
        port = int(args[args.index("--port") + 1])
        out = args[args.index("--out") + 1]
        seconds = float(args[args.index("--seconds") + 1]) if "--seconds" in args else 120.0
        recorder(port, out, seconds)
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
