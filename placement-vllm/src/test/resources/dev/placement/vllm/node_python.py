#!/usr/bin/env python3
"""A stand-in for a node's python3 in SshLauncher tests.

``node_python.py -c CODE ARGS...`` runs CODE as python3 would. Run as the launcher (``node_python.py
launch_vllm.py --plan-b64 PLAN``) it prints the plan's ranks as verified, as launch_vllm.py does once vLLM's
executor has placed them, then serves stub_vllm_server.py (next to this file) on the plan's --port.
"""
import base64
import json
import os
import runpy
import sys

if sys.argv[1] == "-c":
    code = sys.argv[2]
    sys.argv = ["-c"] + sys.argv[3:]
    exec(compile(code, "<string>", "exec"), {"__name__": "__main__"})
    sys.exit(0)
encoded = sys.argv[sys.argv.index("--plan-b64") + 1]
plan = json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
ranks = [{"rank": s["rank"], "node": s["node_id"], "ip": s["node_ip"]} for s in plan["stages"]]
print("placement-event " + json.dumps({"event": "ranks_verified", "ranks": ranks}), flush=True)
args = plan["args"]
sys.argv = ["stub_vllm_server.py", args[args.index("--port") + 1]]
runpy.run_path(os.path.join(os.path.dirname(os.path.abspath(__file__)), "stub_vllm_server.py"), run_name="__main__")
