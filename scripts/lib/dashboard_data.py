#!/usr/bin/env python3
"""dashboard_data.py DASHBOARD.json DATA_DIR START END -- FETCH...

Evaluates every target of every panel of a Grafana dashboard with a real
Prometheus (its HTTP API, query_range over START..END, one point every 2 s)
and prints a gnuplot script that draws the panels, one plot each, in a
grid, titled as in the dashboard. FETCH... is the command that GETs a URL
and prints the body (e.g. curl -sf, run in the namespace of the server at
127.0.0.1:9090). The script reads gnuplot's variable `out`: the PNG file.
Grafana's variables: $instance matches every instance, $__rate_interval
is 10s (four scrapes of 1 s, Grafana's rule)."""
import json
import os
import subprocess
import sys
import urllib.parse

PROM = "http://127.0.0.1:9090"
STEP = 2
COLUMNS = 2


def query(fetch, expr, start, end):
    expr = expr.replace("$instance", ".*").replace("$__rate_interval", "10s")
    url = "%s/api/v1/query_range?%s" % (PROM, urllib.parse.urlencode(
        {"query": expr, "start": start, "end": end, "step": STEP}))
    body = subprocess.run(fetch + [url], check=True, capture_output=True,
                          text=True).stdout
    answer = json.loads(body)
    if answer.get("status") != "success":
        raise SystemExit("Prometheus refused %r: %s" % (expr, body))
    return answer["data"]["result"]


def legend(metric, expr_no):
    labels = ["%s=%s" % (k, v) for k, v in sorted(metric.items())
              if k not in ("__name__", "instance", "job")]
    name = metric.get("__name__", "")
    text = " ".join(labels) or name or "query %d" % (expr_no + 1)
    return text.replace('"', "'")


def write_series(data_dir, panel_no, results, expr_no):
    """[(file, legend, moved)]: moved is false for a series all zero."""
    files = []
    for series_no, series in enumerate(results):
        points = [(float(t), v) for t, v in series["values"]
                  if v not in ("NaN", "+Inf", "-Inf")]
        if not points:
            continue
        path = os.path.join(data_dir, "p%d-q%d-s%d.dat" %
                            (panel_no, expr_no, series_no))
        with open(path, "w") as f:
            for t, v in points:
                f.write("%d %s\n" % (t, v))
        files.append((path, legend(series["metric"], expr_no),
                      any(float(v) != 0 for _, v in points)))
    return files


def plot_line(files):
    """The series that moved, or all of them if none did (flat lines)."""
    shown = [f for f in files if f[2]] or files
    return "unset label; set autoscale y; plot " + ", ".join(
        "'%s' using 1:2 with lines lw 2 title \"%s\"" % (path, title)
        for path, title, _ in shown)


def main():
    dashboard, data_dir, start, end = sys.argv[1:5]
    fetch = sys.argv[sys.argv.index("--") + 1:]
    panels = json.load(open(dashboard))["panels"]
    rows = (len(panels) + COLUMNS - 1) // COLUMNS
    print("set terminal pngcairo noenhanced size %d,%d font ',9'" %
          (900 * COLUMNS, 330 * rows))
    print("set output out")
    print("set multiplot layout %d,%d title 'ULM (config_samples/"
          "grafana-ulm.json), drawn from a real run by Prometheus + "
          "gnuplot'" % (rows, COLUMNS))
    print("set xdata time; set timefmt '%s'; set format x '%M:%S'")
    print("set key outside right top vertical font ',8'; set grid")
    print("set xrange ['%s':'%s']" % (start, end))
    for panel_no, panel in enumerate(panels):
        files = []
        for expr_no, target in enumerate(panel.get("targets", [])):
            results = query(fetch, target["expr"], start, end)
            files += write_series(data_dir, panel_no, results, expr_no)
        print("set title '%s'" % panel["title"].replace("'", "''"))
        if files:
            print(plot_line(files))
        else:
            # A line below the range: an empty plot, its frame and title.
            print("set label 1 'no data in this run' at graph 0.4,0.5")
            print("set yrange [0:1]; plot -1 notitle")
    print("unset multiplot")


if __name__ == "__main__":
    main()
