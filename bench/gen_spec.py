#!/usr/bin/env python3
"""Writes a valid benchmark spec of N steps (about 250 bytes each).

gen_spec.py N OUT.spark             one file
gen_spec.py N DIR --files K         DIR/root.spark importing K part files

Step i runs after i-1 (within a chain of 10) and after i-10, so the DAG is
wide and deep; every step has an undo, a check and an estimate.
"""
import os
import sys


def step(i, prefix=""):
    after = []
    if i % 10:
        after.append(f"s{i - 1}")
    if i >= 10:
        after.append(f"s{i - 10}")
    return (f"/// Generated step {i}.\n"
            f"step s{i} {{\n"
            f"  after = [{', '.join(after)}]\n"
            f"  do    = exec(\"true\", \"--step\", \"{i}\") {{ env = {{ STEP = \"{i}\" }} }}\n"
            f"  undo  = exec(\"true\", \"--undo\", \"{i}\")\n"
            f"  check = file.exists(\"/tmp/sparkc-bench-{i}\")\n"
            f"  timeout = 30 s\n"
            f"  estimate = {1 + i % 5} s\n"
            f"}}\n")


def main():
    n = int(sys.argv[1])
    out = sys.argv[2]
    if "--files" not in sys.argv:
        with open(out, "w") as f:
            f.write("module bench.single\nobjective { rto = 100 d }\n")
            for i in range(n):
                f.write(step(i))
        return
    k = int(sys.argv[sys.argv.index("--files") + 1])
    os.makedirs(out, exist_ok=True)
    per = n // k
    for part in range(k):
        with open(os.path.join(out, f"part{part}.spark"), "w") as f:
            f.write(f"module bench.part{part}\n")
            if part:
                f.write(f"import \"./part{part - 1}.spark\" as prev\n")
            for i in range(per):
                text = step(i)
                if part and i == 0:
                    text = text.replace("after = []", f"after = [prev.s{per - 1}]")
                f.write(text)
    with open(os.path.join(out, "root.spark"), "w") as f:
        f.write("module bench.root\nobjective { rto = 100 d }\n")
        f.write(f"import \"./part{k - 1}.spark\" as last\n")
        f.write(f"step done {{ after = [last.s{per - 1}]; do = noop; undo = none }}\n")


if __name__ == "__main__":
    main()
