"""Executes a notebook top to bottom in a real kernel with nbclient.

usage: run_notebook.py IN.ipynb OUT.ipynb [--kernel tslab] [--timeout 600] [--cwd DIR]
Writes the executed notebook (with outputs) to OUT; exits 1 with the cell error on failure.
"""
import argparse
import sys

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

parser = argparse.ArgumentParser()
parser.add_argument("src")
parser.add_argument("dst")
parser.add_argument("--kernel", default="tslab")
parser.add_argument("--timeout", type=int, default=600)
parser.add_argument("--cwd", default=None)
args = parser.parse_args()

nb = nbformat.read(args.src, as_version=4)
client = NotebookClient(
    nb,
    kernel_name=args.kernel,
    timeout=args.timeout,
    resources={"metadata": {"path": args.cwd}} if args.cwd else {},
)
try:
    client.execute()
except CellExecutionError as err:
    nbformat.write(nb, args.dst)
    print(str(err), file=sys.stderr)
    sys.exit(1)
nbformat.write(nb, args.dst)
