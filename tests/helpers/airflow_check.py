"""Reads an exported Airflow DAG file without Airflow: compiles it, then walks its AST.

Prints JSON: every KubernetesPodOperator call (task_id, cmds, arguments as written and
rendered through Jinja with the DAG params' defaults and run_id "RUN", then with
Kubernetes' $$ escape undone; its own image, annotations, labels and resource limits as
Jinja renders them), the `tasks[a] >> tasks[b]` edges and the DAG params.
Usage: airflow_check.py DAG_FILE... (one JSON object: file -> reading)
"""
import ast
import json
import py_compile
import sys

import jinja2


def read(path):
    py_compile.compile(path, doraise=True)
    tree = ast.parse(open(path, encoding="ascii").read(), path)
    dag, params, operators, edges = {}, {}, [], []
    for node in ast.walk(tree):
        visit(node, dag, params, operators, edges)
    env = jinja2.Environment()
    for op in operators:
        op["rendered"] = [
            env.from_string(a).render(params=params, run_id="RUN").replace("$$", "$") for a in op["arguments"]
        ]
        # Templated dict fields: Airflow renders their values, not their keys.
        for name in ("annotations", "labels", "limits"):
            op[name] = {k: env.from_string(v).render() for k, v in op[name].items()}
        if op["image"] is not None:
            op["image"] = env.from_string(op["image"]).render()
    return {"dag": dag, "params": params, "operators": operators, "edges": edges}


def visit(node, dag, params, operators, edges):
    if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "DAG":
        for kw in node.keywords:
            if kw.arg == "params":
                for k, v in zip(kw.value.keys, kw.value.values):
                    params[ast.literal_eval(k)] = ast.literal_eval(v.args[0])
            if kw.arg in ("dag_id", "description"):
                dag[kw.arg] = ast.literal_eval(kw.value)
    if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "KubernetesPodOperator":
        kw = {k.arg: k.value for k in node.keywords}
        op = {name: ast.literal_eval(kw[name]) for name in ("task_id", "cmds", "arguments", "retries")}
        # A step's own image is a literal; the others name the module-level IMAGE.
        op["image"] = ast.literal_eval(kw["image"]) if isinstance(kw["image"], ast.Constant) else None
        for name in ("annotations", "labels"):
            op[name] = ast.literal_eval(kw[name]) if name in kw else {}
        resources = kw.get("container_resources")
        op["limits"] = {}
        if resources is not None:
            op["limits"] = ast.literal_eval(next(k.value for k in resources.keywords if k.arg == "limits"))
        operators.append(op)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.RShift):
        edges.append([ast.literal_eval(node.left.slice), ast.literal_eval(node.right.slice)])


print(json.dumps({path: read(path) for path in sys.argv[1:]}))
