"""Stillwater's Ray driver: runs pipeline steps as Ray tasks for the TypeScript runner.

The runner starts one driver per run and speaks JSON lines over stdio:

  runner -> driver   {"type": "launch", "id", "argv", "env", "cwd", "resources", "numCpus", "memory"}
                     {"type": "cancel", "id", "force"}
                     end of input: cancel everything and exit
  driver -> runner   {"type": "ready", "connectMs", "warmMs", "nodes": [...]}
                     {"type": "started", "id", "node": {...}, "pid"}
                     {"type": "output", "id", "stream": "stdout"|"stderr", "data": base64}
                     {"type": "signal", "id", "line"}          (the step's signal pipe: `at …`, `heap-limit-mb …`)
                     {"type": "memory", "id", "residentBytes"} (over its `memory`: the step's group was killed)
                     {"type": "exit", "id", "code", "signal"}
                     {"type": "lost", "id", "node", "message"}   (the task's node or worker died)
                     {"type": "rejected", "id", "message"}       (no live node can ever run it)
                     {"type": "fatal", "message"}

Each step is a Ray generator task that runs the step's command (`node bundle.js …`, the
step entry contract) as a subprocess and streams its output back in chunks, so the runner
sees the same bytes the local engine would. Ray's own retries are off: the runner owns
retries, timeouts and the cache, exactly as with the local engine.
"""

import argparse
import base64
import json
import os
import sys
import threading
import time

# Output is batched so a chatty step does not become one Ray object per line.
CHUNK_BYTES = 64 * 1024
CHUNK_SECONDS = 0.05
# How often a step's resident memory is compared with its `memory` (as the local engine does).
MEMORY_SAMPLE_SECONDS = 0.05
# How long a cancelled step's process group gets between SIGTERM and SIGKILL.
TERM_GRACE_SECONDS = 2.0

_write_lock = threading.Lock()


def emit(message):
    line = json.dumps(message, separators=(",", ":"))
    with _write_lock:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def node_view(node):
    resources = node.get("Resources", {})
    custom = sorted(
        k for k in resources
        if k not in ("CPU", "GPU", "memory", "object_store_memory") and not k.startswith("node:")
    )
    return {
        "id": node["NodeID"],
        "address": node.get("NodeManagerAddress", ""),
        "resources": custom,
        "alive": bool(node.get("Alive")),
    }


def step_task_body(argv, env, cwd, memory_limit=None):
    """Runs inside a Ray worker: one step process, streamed back as chunks.

    With `memory_limit` (bytes: the step's `limit:memory`), the resident memory of the step's
    process and its descendants is sampled as the local engine does, and the step's process
    group is killed once it exceeds the limit.
    """
    import ctypes
    import selectors
    import signal
    import subprocess

    import ray

    libc = ctypes.CDLL(None, use_errno=True)
    PR_SET_PDEATHSIG = 1

    def die_with_worker():
        # A force-cancelled or crashed worker must not leave the step running.
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)

    ctx = ray.get_runtime_context()
    # The step runtime's signal pipe (STEP-CONTRACT.md): `ready`, `at …`, `heap-limit-mb …`, `done`.
    signal_read, signal_write = os.pipe()
    proc = subprocess.Popen(
        argv, cwd=cwd, env={**(env or {}), "STILLWATER_SIGNAL_FD": str(signal_write)},
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        pass_fds=(signal_write,), start_new_session=True, preexec_fn=die_with_worker,
    )
    os.close(signal_write)
    signals = os.fdopen(signal_read, "rb", buffering=0)
    yield {"kind": "started", "nodeId": ctx.get_node_id(), "pid": proc.pid}

    def resident_bytes(pid):
        # VmRSS of the process and its descendants (/proc); None when it cannot be read.
        try:
            with open(f"/proc/{pid}/status") as status:
                own = next((int(line.split()[1]) * 1024 for line in status if line.startswith("VmRSS:")), None)
        except OSError:
            return None
        if own is None:
            return None
        try:
            with open(f"/proc/{pid}/task/{pid}/children") as f:
                children = [int(c) for c in f.read().split()]
        except OSError:
            children = []
        return own + sum(resident_bytes(c) or 0 for c in children)

    def stop_group(first=signal.SIGTERM):
        for sig, wait in ((first, TERM_GRACE_SECONDS), (signal.SIGKILL, None)):
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                return
            try:
                proc.wait(timeout=wait)
                return
            except subprocess.TimeoutExpired:
                continue

    try:
        sel = selectors.DefaultSelector()
        sel.register(proc.stdout, selectors.EVENT_READ, "stdout")
        sel.register(proc.stderr, selectors.EVENT_READ, "stderr")
        sel.register(signals, selectors.EVENT_READ, "signals")
        pending = {"stdout": bytearray(), "stderr": bytearray()}
        signal_text = b""
        said_done = False
        over_limit = False
        last_flush = last_sample = time.monotonic()
        open_streams = 3
        while open_streams:
            for key, _ in sel.select(timeout=CHUNK_SECONDS):
                data = os.read(key.fileobj.fileno(), CHUNK_BYTES)
                if not data:
                    sel.unregister(key.fileobj)
                    open_streams -= 1
                elif key.data == "signals":
                    *lines, signal_text = (signal_text + data).split(b"\n")
                    for line in lines:
                        if line == b"done":
                            # Outputs, metrics and exit handlers are complete: end it now
                            # rather than wait for Node to tear down (as the local engine does).
                            said_done = True
                            stop_group(signal.SIGKILL)
                        elif line != b"ready":
                            yield {"kind": "signal", "line": line.decode("utf-8", "replace")}
                else:
                    pending[key.data] += data
            now = time.monotonic()
            if memory_limit and not over_limit and not said_done and now - last_sample >= MEMORY_SAMPLE_SECONDS:
                last_sample = now
                rss = resident_bytes(proc.pid)
                if rss is not None and rss > memory_limit:
                    over_limit = True
                    stop_group(signal.SIGKILL)
                    yield {"kind": "memory", "residentBytes": rss}
            due = now - last_flush >= CHUNK_SECONDS
            for stream, buf in pending.items():
                if buf and (due or len(buf) >= CHUNK_BYTES or not open_streams):
                    yield {"kind": "output", "stream": stream, "data": bytes(buf)}
                    buf.clear()
            if due:
                last_flush = now
        code = proc.wait()
        if said_done:
            code = 0
    except BaseException:
        # ray.cancel raises KeyboardInterrupt here; any other failure also ends the step.
        stop_group()
        raise
    yield {"kind": "exit", "code": code if code >= 0 else None,
           "signal": signal.Signals(-code).name if code < 0 else None}


class Driver:
    def __init__(self, ray_module):
        self.ray = ray_module
        self.step_task = ray_module.remote(max_retries=0, retry_exceptions=False)(step_task_body)
        self.tasks = {}  # id -> ObjectRefGenerator
        self.lock = threading.Lock()

    def live_nodes(self):
        return [n for n in self.ray.nodes() if n.get("Alive")]

    def feasible(self, resources, num_cpus, num_gpus, memory):
        need = dict(resources)
        if num_cpus:
            need["CPU"] = num_cpus
        if num_gpus:
            need["GPU"] = num_gpus
        if memory:
            need["memory"] = memory
        for node in self.live_nodes():
            have = node.get("Resources", {})
            if all(have.get(k, 0) >= v for k, v in need.items()):
                return True
        return False

    def launch(self, msg):
        step_id = msg["id"]
        resources = {k: float(v) for k, v in (msg.get("resources") or {}).items()}
        num_cpus = float(msg.get("numCpus", 1))
        num_gpus = float(msg.get("numGpus") or 0)
        memory = msg.get("memory")
        if not self.feasible(resources, num_cpus, num_gpus, memory):
            asked = {**resources, "CPU": num_cpus, **({"GPU": num_gpus} if num_gpus else {}),
                     **({"memory": memory} if memory else {})}
            emit({"type": "rejected", "id": step_id,
                  "message": "no live node of the Ray cluster offers " + json.dumps(asked)})
            return
        options = {"num_cpus": num_cpus, "resources": resources, "name": f"stillwater:{step_id}"}
        if num_gpus:
            options["num_gpus"] = num_gpus
        if memory:
            options["memory"] = int(memory)
        gen = self.step_task.options(**options).remote(
            msg["argv"], msg.get("env"), msg.get("cwd"), int(memory) if memory else None)
        with self.lock:
            self.tasks[step_id] = gen
        threading.Thread(target=self.follow, args=(step_id, gen), daemon=True).start()

    def follow(self, step_id, gen):
        node_id = None
        nodes = {}
        try:
            for ref in gen:
                item = self.ray.get(ref)
                kind = item["kind"]
                if kind == "started":
                    node_id = item["nodeId"]
                    nodes = {n["NodeID"]: n for n in self.ray.nodes()}
                    node = nodes.get(node_id, {"NodeID": node_id})
                    emit({"type": "started", "id": step_id, "node": node_view(node), "pid": item["pid"]})
                elif kind == "output":
                    emit({"type": "output", "id": step_id, "stream": item["stream"],
                          "data": base64.b64encode(item["data"]).decode("ascii")})
                elif kind == "signal":
                    emit({"type": "signal", "id": step_id, "line": item["line"]})
                elif kind == "memory":
                    emit({"type": "memory", "id": step_id, "residentBytes": item["residentBytes"]})
                elif kind == "exit":
                    emit({"type": "exit", "id": step_id, "code": item["code"], "signal": item["signal"]})
        except self.ray.exceptions.TaskCancelledError:
            emit({"type": "exit", "id": step_id, "code": None, "signal": "SIGTERM"})
        except Exception as err:  # the worker or its node died under the step
            node = nodes.get(node_id, {"NodeID": node_id or "unknown"}) if node_id else {"NodeID": "unknown"}
            emit({"type": "lost", "id": step_id, "node": node_view(node),
                  "message": f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}"})
        finally:
            with self.lock:
                self.tasks.pop(step_id, None)

    def cancel(self, step_id, force):
        with self.lock:
            gen = self.tasks.get(step_id)
        if gen is not None:
            self.ray.cancel(gen, force=bool(force))

    def cancel_all(self):
        with self.lock:
            gens = list(self.tasks.values())
        for gen in gens:
            self.ray.cancel(gen, force=False)
        deadline = time.monotonic() + TERM_GRACE_SECONDS + 1
        while time.monotonic() < deadline:
            with self.lock:
                if not self.tasks:
                    return
            time.sleep(0.05)
        for gen in gens:
            try:
                self.ray.cancel(gen, force=True)
            except Exception:
                pass


def warm_workers(ray, nodes, timeout_seconds=60):
    """Starts this job's worker on every live node before the first step needs it.

    Ray workers belong to one job (driver), so each run would otherwise pay a worker start
    (~2-4 s here) on the critical path of its first step on each node. Best effort: a node
    that does not answer in time just starts its worker later, for its first step.
    """
    from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

    @ray.remote(num_cpus=0, max_retries=0)
    def hello():
        return os.getpid()

    refs = [hello.options(scheduling_strategy=NodeAffinitySchedulingStrategy(n["NodeID"], soft=False)).remote()
            for n in nodes]
    ray.wait(refs, num_returns=len(refs), timeout=timeout_seconds)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--address", required=True, help="HOST:PORT of the Ray cluster's GCS")
    args = parser.parse_args()
    started = time.monotonic()
    try:
        import ray
        ray.init(address=args.address, logging_level="ERROR", log_to_driver=False,
                 configure_logging=False)
    except Exception as err:  # unreachable cluster, wrong address, ray missing
        emit({"type": "fatal", "message": str(err).strip().splitlines()[-1] if str(err).strip() else type(err).__name__})
        return 2
    connected = time.monotonic()
    driver = Driver(ray)
    nodes = driver.live_nodes()
    warm_workers(ray, nodes)
    emit({"type": "ready", "connectMs": round((connected - started) * 1000),
          "warmMs": round((time.monotonic() - connected) * 1000),
          "nodes": [node_view(n) for n in nodes]})
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        msg = json.loads(line)
        if msg["type"] == "launch":
            driver.launch(msg)
        elif msg["type"] == "cancel":
            driver.cancel(msg["id"], msg.get("force"))
    driver.cancel_all()
    # No ray.shutdown(): it takes ~0.5 s, on the run's critical path, and the cluster ends this
    # job's workers itself when its driver goes away.
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main())
