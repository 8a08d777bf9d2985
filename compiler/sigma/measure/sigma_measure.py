#!/usr/bin/env python3
"""Measures `ward import sigma` against a local checkout of SigmaHQ's rule repository.

Imports every rule of rules/windows/process_creation, builds the imported project, runs
every regression sample of regression_data/ (each rule's .json dump, and its .evtx with
--evtx) through `ward run` on every channel, and prints: rules imported in full, in part
and not at all (by reason); how many rules with a regression sample detect it; and how
many rules fire on the samples of other rules. Nothing of the checkout is copied into
this repository: the work folder is a temporary one unless --work names one.

    python3 compiler/sigma/measure/sigma_measure.py PATH/TO/sigma --ward target/release/ward
"""

import argparse
import collections
import json
import pathlib
import subprocess
import sys
import tempfile
import time


def ward(binary, *args, check=True):
    out = subprocess.run([binary, *map(str, args)], capture_output=True, text=True)
    if check and out.returncode not in (0, 1):
        sys.exit(f"ward {' '.join(map(str, args))} failed ({out.returncode}):\n{out.stderr}")
    return out


def dump_events(path):
    """Every JSON object of a dump file (one or several, pretty-printed)."""
    text = path.read_text(encoding="utf-8", errors="replace")
    decoder, at, out = json.JSONDecoder(), 0, []
    while True:
        while at < len(text) and text[at].isspace():
            at += 1
        if at >= len(text):
            return out
        value, at = decoder.raw_decode(text, at)
        out.extend(value if isinstance(value, list) else [value])


def rule_ids(info):
    """Rule ids and evtx paths of an info.yml (read by line: it is flat and regular)."""
    ids, evtx, section = [], [], None
    for line in info.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if not line.startswith(" "):
            section = stripped.rstrip(":")
        if section == "rule_metadata" and stripped.startswith("- id:"):
            ids.append(stripped.split(":", 1)[1].strip())
        if section == "regression_tests_info" and stripped.startswith("path:"):
            evtx.append(stripped.split(":", 1)[1].strip())
    return ids, evtx


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("sigma", type=pathlib.Path, help="a checkout of SigmaHQ/sigma")
    p.add_argument("--ward", default="target/release/ward")
    p.add_argument("--work", type=pathlib.Path, help="keep the work here (default: a temp dir)")
    p.add_argument("--sensor", default="windows_7_13", help="a sensor every channel targets")
    p.add_argument("--evtx", action="store_true", help="also run every sample's .evtx file")
    args = p.parse_args()
    work = args.work or pathlib.Path(tempfile.mkdtemp(prefix="ward-sigma-"))
    work.mkdir(parents=True, exist_ok=True)
    project = work / "project"
    rules = args.sigma / "rules" / "windows" / "process_creation"

    started = time.perf_counter()
    out = ward(args.ward, "import", "sigma", rules, "--out", project, "--format", "json")
    import_s = time.perf_counter() - started
    summary = json.loads(out.stdout)
    print(f"import: {len(summary['rules'])} rules in {import_s:.2f} s: {summary['imported']} in full, "
          f"{summary['partial']} in part, {summary['refused']} refused; {summary['instances']} instances")
    for key, n in sorted(summary["refused_by"].items(), key=lambda kv: -kv[1]):
        print(f"  refused  {n:5}  {key}")
    for key, n in sorted(summary["dropped_by"].items(), key=lambda kv: -kv[1]):
        print(f"  partial  {n:5}  {key}")
    outcome = {r["id"]: r["outcome"] for r in summary["rules"] if r["id"]}

    key = work / "key"
    if not key.with_suffix(".key").exists():
        ward(args.ward, "keygen", "--out", key)
    started = time.perf_counter()
    built = ward(args.ward, "build", project, "--key", key.with_suffix(".key"), "--out", work / "build")
    if built.returncode != 0:
        sys.exit(f"ward build failed:\n{built.stdout}{built.stderr}")
    print(f"build: {time.perf_counter() - started:.2f} s")
    channels = sorted((work / "build").glob("*.chan"))

    # Every regression sample; each event remembers the rules whose sample it is.
    lines, owner, evtx_files = [], [], []
    for info in sorted((args.sigma / "regression_data").rglob("info.yml")):
        ids, evtx = rule_ids(info)
        for e in evtx:
            evtx_path = args.sigma / e
            json_path = evtx_path.with_suffix(".json")
            if json_path.exists():
                for event in dump_events(json_path):
                    lines.append(json.dumps(event))
                    owner.append(set(ids))
            if evtx_path.exists():
                evtx_files.append((evtx_path, set(ids)))
    events = work / "samples.jsonl"
    events.write_text("\n".join(lines) + "\n", encoding="utf-8")

    fired = collections.defaultdict(set)  # rule id -> event numbers it fired on
    started = time.perf_counter()
    for chan in channels:
        run = ward(args.ward, "run", chan, "--trust", key.with_suffix(".pub"), "--sensor",
                   args.sensor, "--project", project, "--events", events)
        for line in run.stdout.splitlines():
            detection = json.loads(line)
            for tag in detection["tags"]:
                if tag.startswith("sigma.id."):
                    fired[tag[len("sigma.id."):]].add(detection["event"])
    run_s = time.perf_counter() - started

    own_rules = {i for ids in owner for i in ids if i in outcome}
    detected = {r for r in own_rules if any(r in owner[n - 1] for n in fired.get(r, ()))}
    foreign = {r for r, ns in fired.items() if any(r not in owner[n - 1] for n in ns)}
    by_outcome = collections.Counter(outcome[r] for r in own_rules)
    missed = sorted(own_rules - detected)
    print(f"samples: {len(lines)} events of {len(set().union(*owner)) if owner else 0} rules; "
          f"ward run over {len(channels)} channels in {run_s:.2f} s")
    print(f"process-creation rules with a regression sample: {len(own_rules)} "
          f"({dict(by_outcome)}); detect their own sample: {len(detected)}")
    print(f"rules firing on another rule's sample: {len(foreign)}")
    for r in missed:
        print(f"  missed own sample: {r} ({outcome[r]})")
    for r in sorted(foreign):
        others = sorted({o for n in fired[r] if r not in owner[n - 1] for o in owner[n - 1]})
        print(f"  fires on others' samples: {r} -> {', '.join(others)}")

    if args.evtx:
        agree = 0
        for path, ids in evtx_files:
            hits = set()
            for chan in channels:
                run = ward(args.ward, "run", chan, "--trust", key.with_suffix(".pub"), "--sensor",
                           args.sensor, "--project", project, "--events", path)
                for line in run.stdout.splitlines():
                    hits.update(t[len("sigma.id."):] for t in json.loads(line)["tags"]
                                if t.startswith("sigma.id."))
            agree += bool(ids & hits & detected) == bool(ids & detected)
        print(f"evtx: {agree} of {len(evtx_files)} .evtx samples give the same own-rule result as their .json")


if __name__ == "__main__":
    main()
