#!/usr/bin/python3
"""Check a Prometheus text exposition strictly, then print its samples.

  prom_check.py check FILE      parse FILE with prometheus_client's parser
                                and check what it lets pass: HELP and TYPE
                                before a family's samples, names and label
                                names legal, counters named *_total,
                                histograms in base units (*_seconds) with
                                cumulative buckets ending at +Inf equal to
                                _count, no series twice, a final newline.
                                Prints 'ok FAMILIES SAMPLES' or the errors
                                (exit 1).
  prom_check.py samples FILE    one line a sample: NAME{L="V",...} VALUE,
                                labels sorted (for diffs in shell tests).
  prom_check.py exprs DASHBOARD FILE
                                every panel's expr of a Grafana dashboard
                                names only families FILE serves; prints
                                'PANEL-TITLE: METRIC...' per panel.
"""
import json
import math
import re
import sys

from prometheus_client.parser import text_string_to_metric_families

NAME = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")
LABEL = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
TYPES = {"counter", "gauge", "histogram", "summary", "untyped"}


def declared(text, errors):
    """Families with HELP and TYPE, checked to come before their samples."""
    helps, types, seen = set(), {}, set()
    for n, line in enumerate(text.split("\n"), 1):
        if line.startswith("# HELP "):
            name = line.split(" ")[2]
            if name in helps:
                errors.append(f"line {n}: second HELP for {name}")
            helps.add(name)
        elif line.startswith("# TYPE "):
            parts = line.split(" ")
            if len(parts) != 4 or parts[3] not in TYPES:
                errors.append(f"line {n}: bad TYPE line: {line}")
                continue
            if parts[2] in types:
                errors.append(f"line {n}: second TYPE for {parts[2]}")
            if parts[2] not in helps:
                errors.append(f"line {n}: TYPE before HELP: {parts[2]}")
            types[parts[2]] = parts[3]
        elif line and not line.startswith("#"):
            name = re.split(r"[{ ]", line, 1)[0]
            family = family_of(name, types)
            if family is None:
                errors.append(f"line {n}: sample of no declared family: "
                              f"{name}")
            seen.add(family)
    return types


def family_of(sample, types):
    if sample in types:
        return sample
    for suffix in ("_bucket", "_sum", "_count"):
        base = sample[: -len(suffix)]
        if sample.endswith(suffix) and types.get(base) == "histogram":
            return base
    return None


def check_histogram(fam, errors):
    series = {}
    for s in fam.samples:
        key = tuple(sorted((k, v) for k, v in s.labels.items() if k != "le"))
        series.setdefault(key, {"b": [], "count": None})
        if s.name.endswith("_bucket"):
            series[key]["b"].append((float(s.labels["le"]), s.value))
        elif s.name.endswith("_count"):
            series[key]["count"] = s.value
    for key, h in series.items():
        bounds = [b for b, _ in h["b"]]
        counts = [c for _, c in h["b"]]
        if not bounds or bounds[-1] != math.inf:
            errors.append(f"{fam.name}{dict(key)}: no +Inf bucket last")
        if bounds != sorted(bounds) or counts != sorted(counts):
            errors.append(f"{fam.name}{dict(key)}: buckets not cumulative")
        if counts and counts[-1] != h["count"]:
            errors.append(f"{fam.name}{dict(key)}: +Inf {counts[-1]} != "
                          f"_count {h['count']}")


def check(text):
    errors = []
    if not text.endswith("\n"):
        errors.append("no final newline")
    types = declared(text, errors)
    families = list(text_string_to_metric_families(text))
    seen, samples = set(), 0
    for fam in families:
        if not NAME.match(fam.name):
            errors.append(f"bad metric name {fam.name}")
        kind = types.get(fam.name) or types.get(fam.name + "_total")
        if kind == "counter" and not (fam.name + "_total") in types:
            errors.append(f"counter {fam.name} not named *_total")
        if kind == "histogram":
            if not fam.name.endswith("_seconds"):
                errors.append(f"histogram {fam.name} not in seconds")
            check_histogram(fam, errors)
        for s in fam.samples:
            samples += 1
            for label in s.labels:
                if not LABEL.match(label) or label.startswith("__"):
                    errors.append(f"{s.name}: bad label name {label}")
            key = (s.name, tuple(sorted(s.labels.items())))
            if key in seen:
                errors.append(f"series twice: {s.name}{s.labels}")
            seen.add(key)
    return errors, len(families), samples


def sample_lines(text):
    for fam in text_string_to_metric_families(text):
        for s in fam.samples:
            labels = ",".join(f'{k}="{v}"' for k, v in sorted(s.labels.items()))
            value = int(s.value) if float(s.value).is_integer() else s.value
            yield f"{s.name}{{{labels}}} {value}"


def served_names(text):
    """Declared families (with samples or not) and every sample's name."""
    names = set(declared(text, []))
    for fam in text_string_to_metric_families(text):
        names.update(s.name for s in fam.samples)
    return names


def expr_metrics(expr):
    """Metric names in a PromQL expression (words followed by { or ( or
    spaces, not functions, keywords or label names)."""
    expr = re.sub(r"\{[^}]*\}", "", expr)  # label matchers
    expr = re.sub(r"\[[^]]*\]", "", expr)  # ranges
    words = re.findall(r"[a-zA-Z_:][a-zA-Z0-9_:]*", expr)
    return [w for w in words if w.startswith("ulm_")]


def panels(dashboard):
    for p in dashboard.get("panels", []):
        yield p
        yield from panels(p)


def check_exprs(dashboard_path, text):
    with open(dashboard_path, encoding="utf-8") as f:
        dashboard = json.load(f)
    served, errors, out = served_names(text), [], []
    for p in panels(dashboard):
        names = [m for t in p.get("targets", [])
                 for m in expr_metrics(t.get("expr", ""))]
        if "targets" in p and not names:
            errors.append(f"panel {p.get('title')!r} names no ulm_ metric")
        for m in names:
            if m not in served:
                errors.append(f"panel {p.get('title')!r}: {m} not served")
        if names:
            out.append(f"{p.get('title')}: {' '.join(sorted(set(names)))}")
    return errors, out


def main(argv):
    if len(argv) == 3 and argv[1] in ("check", "samples"):
        with open(argv[2], encoding="utf-8") as f:
            text = f.read()
        if argv[1] == "samples":
            print("\n".join(sample_lines(text)))
            return 0
        try:
            errors, families, samples = check(text)
        except ValueError as e:
            errors, families, samples = [f"parser: {e}"], 0, 0
        print("\n".join(errors) if errors else f"ok {families} {samples}")
        return 1 if errors else 0
    if len(argv) == 4 and argv[1] == "exprs":
        with open(argv[3], encoding="utf-8") as f:
            errors, out = check_exprs(argv[2], f.read())
        print("\n".join(errors or out))
        return 1 if errors else 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
