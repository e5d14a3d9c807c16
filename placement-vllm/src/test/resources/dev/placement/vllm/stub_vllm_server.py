"""A stand-in for vLLM's OpenAI server: /health, /v1/models and /metrics on 127.0.0.1.

Usage: stub_vllm_server.py PORT [NOT_READY_POLLS]. /health answers 503 for the first NOT_READY_POLLS requests.
It also records the layer partition it was given, as vLLM would read it.
"""
import json
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT = int(sys.argv[1])
NOT_READY = [int(sys.argv[2]) if len(sys.argv) > 2 else 0]
MODEL = os.environ.get("VLLM_PP_LAYER_PARTITION", "none")


class Handler(BaseHTTPRequestHandler):
    def _send(self, code, body, ctype):
        data = body.encode("utf-8")
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/health":
            if NOT_READY[0] > 0:
                NOT_READY[0] -= 1
                self._send(503, "", "text/plain")
            else:
                self._send(200, "", "text/plain")
        elif self.path == "/v1/models":
            self._send(200, json.dumps({"object": "list", "data": [
                {"id": "partition-" + MODEL, "object": "model", "owned_by": "vllm"}]}), "application/json")
        elif self.path == "/metrics":
            self._send(200, 'vllm:num_requests_running{engine="0",model_name="stub"} 0.0\n', "text/plain")
        else:
            self._send(404, "", "text/plain")

    def log_message(self, fmt, *args):
        sys.stdout.write("stub: " + (fmt % args) + "\n")
        sys.stdout.flush()


print("stub vLLM listening on 127.0.0.1:%d" % PORT, flush=True)
ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
