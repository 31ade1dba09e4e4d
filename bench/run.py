#!/usr/bin/env python3
"""The benchmarks of sparkc: prints figures, ratios and the goals they meet.

    bench/run.py [BUILD_DIR] [--quick] [--only compile|graph|schedule|journal|lsp]

Ratios are taken against anchors measured in the same run (the front end
on the same file, ninja on the same DAG, the disk's raw fdatasync rate), so
they mean the same on any machine. --quick stops at 10k steps.
"""
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ONLY = sys.argv[sys.argv.index("--only") + 1] if "--only" in sys.argv[:-1] else None
ARGS = [a for a in sys.argv[1:] if not a.startswith("--") and a != ONLY]
QUICK = "--quick" in sys.argv
BUILD = os.path.abspath(ARGS[0] if ARGS else os.path.join(HERE, "..", "build"))
SPARKC = os.path.join(BUILD, "tools", "sparkc", "sparkc")
BENCH = os.path.join(BUILD, "bench", "sparkc-bench")
WORK = tempfile.mkdtemp(prefix="sparkc-bench.")
RESULTS = []


def run_rss(argv, cwd=None, env=None):
    """Wall seconds and peak RSS in MiB of one child, measured with wait4."""
    start = time.monotonic()
    pid = os.posix_spawnp(argv[0], argv, env or os.environ, file_actions=[
        (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
        (os.POSIX_SPAWN_OPEN, 2, os.path.join(WORK, "stderr.txt"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
    ]) if cwd is None else None
    if pid is None:
        return run_rss_in(argv, cwd, env)
    _, status, usage = os.wait4(pid, 0)
    wall = time.monotonic() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(argv)}\n{open(os.path.join(WORK, 'stderr.txt')).read()[-2000:]}")
    return wall, usage.ru_maxrss / 1024


def median_run(argv, rounds):
    """run_rss `rounds` times: the median wall time and the largest peak RSS."""
    runs = [run_rss(argv) for _ in range(rounds)]
    return statistics.median(r[0] for r in runs), max(r[1] for r in runs)


def run_rss_in(argv, cwd, env):
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return run_rss(argv, None, env)
    finally:
        os.chdir(old)


def output(argv):
    return subprocess.run(argv, check=True, capture_output=True, text=True).stdout


def figures(text):
    out = {}
    for line in text.splitlines():
        name, value, _unit = line.split()
        out[name] = float(value)
    return out


def report(section, name, value, unit, goal=None, ok=None):
    mark = "" if ok is None else ("  ok" if ok else "  MISSED")
    goal_text = f"  (goal: {goal})" if goal else ""
    line = f"  {name:<48} {value:>10.3f} {unit:<6}{goal_text}{mark}"
    print(line)
    RESULTS.append((section, name, value, unit, goal, ok))


def gen(n, path, files=None):
    argv = [sys.executable, os.path.join(HERE, "gen_spec.py"), str(n), path]
    if files:
        argv += ["--files", str(files)]
    subprocess.run(argv, check=True)


def compile_bench():
    print("\n== Compile (check and plan; ratio to the front end, lexer and ANTLR parser, on the same file)")
    sizes = [1000, 10000] if QUICK else [1000, 10000, 100000]
    times = {}
    for n in sizes:
        single = os.path.join(WORK, f"s{n}.spark")
        gen(n, single)
        parse = figures(output([BENCH, "parse", single]))["parse_seconds"]
        # The VM's speed moves 10-20% from one run to the next (more for a
        # run of half a second): the sizes the goals are about are medians.
        rounds = {10000: 5, 100000: 3}.get(n, 1) if not QUICK else 1
        check, check_rss = median_run([SPARKC, "check", single], rounds)
        plan, plan_rss = run_rss([SPARKC, "plan", single, "-o", os.path.join(WORK, f"p{n}.yaml")])
        size_mb = os.path.getsize(single) / 2**20
        times[n] = (check, check_rss)
        label = f"{n // 1000}k steps ({size_mb:.0f} MB)"
        report("compile", f"parse only, {label}", parse, "s")
        goal = n == 100000
        report("compile", f"check, {label}" + (f" (median of {rounds})" if rounds > 1 else ""), check, "s",
               "<= 5 s" if goal else None, check <= 5 if goal else None)
        report("compile", f"check peak memory, {label}", check_rss, "MiB", "<= 1536 MiB" if goal else None,
               check_rss <= 1536 if goal else None)
        report("compile", f"plan, {label}", plan, "s")
        report("compile", f"plan peak memory, {label}", plan_rss, "MiB")
        report("compile", f"check / parse, {label}", check / parse, "x")
        split = os.path.join(WORK, f"d{n}")
        gen(n, split, files=100)
        check_split, rss_split = run_rss([SPARKC, "check", os.path.join(split, "root.spark")])
        report("compile", f"check, {n // 1000}k steps in 100 files", check_split, "s")
        report("compile", f"check peak memory, {n // 1000}k steps in 100 files", rss_split, "MiB")
    if 100000 in times:
        t = times[100000][0] / times[10000][0]
        m = times[100000][1] / times[10000][1]
        report("compile", "check time 100k / 10k", t, "x", "<= 12x", t <= 12)
        report("compile", "check memory 100k / 10k", m, "x", "<= 12x", m <= 12)


def graph_bench():
    print("\n== Graph (build, cycle check, order, forward and rollback critical paths)")
    for n, goal in [(100000, 0.5), (1000000, 5.0)]:
        f = figures(output([BENCH, "graph", str(n)]))
        for key in ("graph_build", "cycle_check", "topological_order", "critical_paths"):
            report("graph", f"{key}, {n:.0e} steps", f[key], "s")
        report("graph", f"total, {n:.0e} steps", f["graph_total"], "s", f"<= {goal} s", f["graph_total"] <= goal)


def schedule_bench():
    print("\n== Schedule (the same DAG under ninja -j2 and sparkc apply -j2; steps run `true`)")
    n = 2000
    d = os.path.join(WORK, "sched")
    os.makedirs(d)
    with open(os.path.join(d, "build.ninja"), "w") as f:
        f.write("rule run\n  command = true\n")
        for i in range(n):
            deps = [f"s{i - 1}"] if i % 10 else []
            deps += [f"s{i - 10}"] if i >= 10 else []
            f.write(f"build s{i}: run{' | ' + ' '.join(deps) if deps else ''}\n")
    with open(os.path.join(d, "sched.spark"), "w") as f:
        for i in range(n):
            deps = [f"s{i - 1}"] if i % 10 else []
            deps += [f"s{i - 10}"] if i >= 10 else []
            f.write(f"step s{i} {{ after = [{', '.join(deps)}]; do = exec(\"true\"); undo = none }}\n")
    subprocess.run([SPARKC, "plan", "sched.spark", "-o", "plan.yaml"], cwd=d, check=True, capture_output=True)
    ninja = shutil.which("ninja")
    apply = [SPARKC, "apply", "plan.yaml", "-j2", "--progress", "plain"]
    # Interleaved rounds, each from a clean slate: one run of either moves
    # 10-20% on a shared host, and the ratio is taken within each round.
    # The journal's share shows in a third run with the state store in
    # memory, where a sync costs nothing (no goal: sparkc always journals
    # durably).
    rounds, shm_root = 5, "/dev/shm" if os.path.isdir("/dev/shm") else None
    t_ninja, t_sparkc, ratio, shm_ratio = [], [], [], []
    for _ in range(rounds):
        for leftover in (".ninja_log", ".ninja_deps", ".sparkc"):
            shutil.rmtree(os.path.join(d, leftover), ignore_errors=True)
            if os.path.isfile(os.path.join(d, leftover)):
                os.remove(os.path.join(d, leftover))
        t_ninja.append(run_rss([ninja, "-j2", "-C", d])[0])
        t_sparkc.append(run_rss(apply, cwd=d)[0])
        ratio.append(t_sparkc[-1] / t_ninja[-1])
        if shm_root:
            shm = tempfile.mkdtemp(prefix="sparkc-bench-state.", dir=shm_root)
            try:
                shm_ratio.append(run_rss(apply + ["--state", shm], cwd=d)[0] / t_ninja[-1])
            finally:
                shutil.rmtree(shm, ignore_errors=True)
    median = statistics.median
    report("schedule", f"ninja -j2, {n} steps (median of {rounds})", median(t_ninja), "s")
    report("schedule", f"sparkc apply -j2, {n} steps (median of {rounds})", median(t_sparkc), "s")
    report("schedule", "sparkc / ninja (median of the rounds' ratios)", median(ratio), "x", "<= 1.1x",
           median(ratio) <= 1.1)
    if shm_ratio:
        report("schedule", "sparkc / ninja, state store on tmpfs (no sync)", median(shm_ratio), "x")

    m = 20000
    with open(os.path.join(d, "noop.spark"), "w") as f:
        for i in range(m):
            f.write(f"step s{i} {{ after = [{'s' + str(i - 1) if i % 10 else ''}]; do = noop; undo = none }}\n")
    subprocess.run([SPARKC, "plan", "noop.spark", "-o", "noop.yaml"], cwd=d, check=True, capture_output=True)
    t_noop, _ = run_rss([SPARKC, "apply", "noop.yaml", "-j2", "--state", "noop-state", "--progress", "plain"], cwd=d)
    fsync = figures(output([BENCH, "fsync", os.path.join(d, "noop-state")]))["fdatasync_per_second"]
    per_step = t_noop / m * 1e6
    journal_share = 1 / fsync * 1e6  # one durable transition per no-op step (it begins nothing)
    report("schedule", f"no-op step with the journal, {m // 1000}k steps", per_step, "us",
           f"<= 20 us + journal ({journal_share:.0f} us)", per_step <= 20 + journal_share)
    t_again, _ = run_rss([SPARKC, "apply", "noop.yaml", "--state", "noop-state"], cwd=d)
    report("schedule", f"second apply of a finished {m // 1000}k-step run", t_again * 1000, "ms", "<= 250 ms",
           t_again <= 0.25)

    # Spawning with the largest plan compile_bench wrote held in memory (one
    # is made here when the compile section did not run).
    plans = [p for p in os.listdir(WORK) if p.startswith("p") and p.endswith(".yaml")]
    if not plans:
        n = 10000 if QUICK else 100000
        gen(n, os.path.join(WORK, f"s{n}.spark"))
        output([SPARKC, "plan", os.path.join(WORK, f"s{n}.spark"), "-o", os.path.join(WORK, f"p{n}.yaml")])
        plans = [f"p{n}.yaml"]
    big = max(plans, key=lambda p: int(p[1:-5]))
    # Spawn times drift with the machine's load: three interleaved pairs,
    # the median ratio.
    pairs = []
    for _ in range(3):
        empty = figures(output([BENCH, "spawn", "-", "1000"]))
        loaded = figures(output([BENCH, "spawn", os.path.join(WORK, big), "1000"]))
        pairs.append((loaded["spawn_us"] / empty["spawn_us"], empty, loaded))
    ratio, empty, loaded = sorted(pairs, key=lambda p: p[0])[1]
    steps = int(loaded["plan_steps"])
    report("schedule", "posix_spawn of `true`, no plan loaded", empty["spawn_us"], "us")
    report("schedule", f"posix_spawn, {steps // 1000}k-step plan loaded ({loaded['resident_mb']:.0f} MiB)",
           loaded["spawn_us"], "us")
    report("schedule", "spawn with the plan / without (median of 3)", ratio, "x", "<= 1.2x", ratio <= 1.2)


def journal_bench():
    print("\n== Journal (durable transitions; anchored on the disk's raw fdatasync rate)")
    d = os.path.join(WORK, "journal")
    # The disk's rate drifts by 10-20% from second to second on a VM: each
    # -j1 run is anchored on probes just before and after it, and the median
    # of three rounds is reported.
    probes = [figures(output([BENCH, "fsync", d]))["fdatasync_per_second"]]
    rounds = []
    for _ in range(3):
        rate = figures(output([BENCH, "journal", "2000", "1", d]))["transitions_per_second"]
        probes.append(figures(output([BENCH, "fsync", d]))["fdatasync_per_second"])
        rounds.append((rate / ((probes[-2] + probes[-1]) / 2), rate))
    ratio, rate = sorted(rounds)[1]
    report("journal", "raw fdatasync rate (median of probes)", sorted(probes)[len(probes) // 2], "1/s")
    report("journal", "durable transitions, -j1", rate, "1/s")
    report("journal", "-j1 / raw fdatasync (median of 3)", ratio, "x", ">= 0.7x", ratio >= 0.7)
    j16 = figures(output([BENCH, "journal", "20000", "16", d]))
    report("journal", "durable transitions, -j16 (group commit)", j16["transitions_per_second"], "1/s",
           ">= 10000/s", j16["transitions_per_second"] >= 10000)
    # 1000 transitions take some 40 ms: the median of five runs is the anchor.
    small = sorted(figures(output([BENCH, "journal", "1000", "16", d]))["seconds_per_transition"]
                   for _ in range(5))[2]
    big = figures(output([BENCH, "journal", "20000" if QUICK else "100000", "16", d]))
    growth = big["seconds_per_transition"] / small
    report("journal", "time per transition, 100k / 1k", growth, "x", "<= 1.2x", growth <= 1.2)
    report("journal", "resume replay, 100k steps", big["resume_replay"], "s", "<= 1 s", big["resume_replay"] <= 1)
    postgres_journal()


def postgres_journal():
    """The same journal in PostgreSQL 15 on 127.0.0.1 (same disk, fsync and
    synchronous_commit on): figures without goals, where the server exists."""
    pg = os.path.join(HERE, "..", "specs", "spec-to-proof-local", "bin", "pg")
    if not os.path.exists("/usr/lib/postgresql/15/bin/initdb"):
        print("  (PostgreSQL 15 is not installed: no PostgreSQL figures)")
        return
    os.chmod(WORK, 0o755)  # the server runs as `postgres` when the bench runs as root
    data, port, password = os.path.join(WORK, "pgdata"), "25498", "bench"
    env = dict(os.environ, STP_PG_PASSWORD=password)
    subprocess.run([pg, "start", data, port], check=True, env=env)
    try:
        url = f"postgres://postgres:{password}@127.0.0.1:{port}/postgres"
        j1 = figures(output([BENCH, "journal", "2000", "1", url]))
        report("journal", "PostgreSQL: durable transitions, -j1", j1["transitions_per_second"], "1/s")
        j16 = figures(output([BENCH, "journal", "20000", "16", url]))
        report("journal", "PostgreSQL: durable transitions, -j16", j16["transitions_per_second"], "1/s")
        report("journal", "PostgreSQL: resume replay, 20k steps", j16["resume_replay"], "s")
    finally:
        subprocess.run([pg, "stop", data], env=env)


def lsp_bench():
    """From a keystroke (didChange) to its diagnostics (publishDiagnostics),
    through the real `sparkc lsp` over pipes, debounce off: what the server
    itself takes. The ratio is to a cold `sparkc check` of the same file."""
    sys.path.insert(0, os.path.join(HERE, "..", "tests", "support"))
    from lsp_client import Client
    print("\n== Language server (a change to its diagnostics; ratio to a cold `sparkc check` of the same file)")
    root = os.path.join(HERE, "..")
    cases = [("1k steps", os.path.join(WORK, "lsp1k.spark"))]
    gen(1000, cases[0][1])
    for seed in sorted(os.listdir(os.path.join(root, "specs"))):
        path = os.path.join(root, "specs", seed, seed + ".spark")
        if os.path.exists(path):
            cases.append((seed, path))
    rounds = 20 if QUICK else 50
    for name, path in cases:
        text = open(path).read()
        uri = "file://" + os.path.abspath(path)
        client = Client(SPARKC, ["--debounce", "0"], cwd=os.path.dirname(path))
        client.initialize()
        start = time.monotonic()
        client.open(uri, text)
        client.diagnostics(uri, timeout=60, version=1)
        first = time.monotonic() - start
        times = []
        for v in range(2, rounds + 2):
            # Append then remove a comment: a real edit, the spec unchanged.
            edit = "\n// edit %d" % v if v % 2 else ""
            start = time.monotonic()
            client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": v},
                                                     "contentChanges": [{"text": text + edit}]})
            client.diagnostics(uri, timeout=60, version=v)
            times.append(time.monotonic() - start)
        client.close()
        check = median_run([SPARKC, "check", path], 5)[0]
        median = statistics.median(times)
        p90 = sorted(times)[int(len(times) * 0.9) - 1]
        goal = "< 0.100 s" if name == "1k steps" else None
        report("lsp", f"open to diagnostics, {name}", first, "s")
        report("lsp", f"change to diagnostics, {name} (median)", median, "s", goal,
               median < 0.1 if goal else None)
        report("lsp", f"change to diagnostics, {name} (p90)", p90, "s")
        report("lsp", f"change / cold check, {name}", median / check, "x")


def main():
    for binary in (SPARKC, BENCH):
        if not os.path.exists(binary):
            sys.exit(f"missing {binary}: build first (cmake --build {BUILD})")
    print(f"sparkc benchmarks on {platform.node()}: {os.cpu_count()} cores, {platform.platform()}")
    try:
        sections = {"compile": compile_bench, "graph": graph_bench, "schedule": schedule_bench,
                    "journal": journal_bench, "lsp": lsp_bench}
        if ONLY is not None and ONLY not in sections:
            sys.exit(f"--only: expected one of {', '.join(sections)}, found `{ONLY}`")
        for name, bench in sections.items():
            if ONLY in (None, name):
                bench()
    finally:
        shutil.rmtree(WORK, ignore_errors=True)
    missed = [r for r in RESULTS if r[5] is False]
    print(f"\n{len([r for r in RESULTS if r[5]])} goals met, {len(missed)} missed")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
