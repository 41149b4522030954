#!/usr/bin/env python3
"""The benchmark report: bench/results/<date>.json (written by bench/run.sh) in, a Markdown page and PNG charts out.

    /usr/bin/python3 bench/report.py bench/results/2026-12-04.json [--readme README.md]

Writes <date>.md and <date>-{datapath,latency,services,cni,maps,agent,services-scale}.png next to the JSON (a chart only
when its benchmark is in the file). With --readme, the part of README.md between the bench:begin and bench:end markers is replaced by the
headline figures and a link to the report. Every figure is a ratio against the peer measured in the same run; the
goals are those of the performance issue, and each row says whether this run met it.
"""
import argparse
import json
import os
import re
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

DATAPATH_CASES = ["raw-veth", "bridge", "twill-same-node", "twill-same-node-noct", "flannel-vxlan", "twill-overlay",
                  "host-gw", "twill-native"]
DATAPATH_METRICS = [("stream_gbps", "TCP stream", "Gbit/s"), ("rr_tps", "TCP request/response 64 B", "transactions/s"),
                    ("udp64_pps", "UDP 64 B delivered", "packets/s")]
COLORS = {"twill": "#2a7ab0", "peer": "#b0b0b0"}
SERVICES_METRICS = [("crr_tps", "connect + request/response + close", "transactions/s"),
                    ("rr_tps", "request/response over one connection", "transactions/s")]


def fmt(v, unit=""):
    if v is None:
        return "–"
    a = abs(v)
    s = f"{v / 1e6:.2f} M" if a >= 1e6 else f"{v / 1e3:.1f} k" if a >= 1e4 else f"{v:.3g}" if a < 100 else f"{v:.0f}"
    return (s + (" " + unit if unit else "")).replace("  ", " ").strip()


def color(case):
    return COLORS["twill"] if case.startswith("twill") else COLORS["peer"]


class Goal:
    """One headline figure: Twill's value against its peer's, the ratio, the goal and whether it was met."""

    def __init__(self, area, what, ratio, goal, higher_is_better, detail):
        self.area, self.what, self.ratio, self.goal = area, what, ratio, goal
        self.higher, self.detail = higher_is_better, detail
        self.met = ratio >= goal if higher_is_better else ratio <= goal

    def ratio_text(self):
        """Two decimals, or three where two would round a miss onto the goal (0.946 is not 0.95)."""
        s = f"{self.ratio:.2f}"
        return f"{self.ratio:.3f}" if float(s) == self.goal and not self.met else s

    def row(self):
        op = "≥" if self.higher else "≤"
        return (f"| {self.area} | {self.what} | **{self.ratio_text()}x** | {op} {self.goal:g}x | "
                f"{'met' if self.met else '**missed**'} | {self.detail} |")


def paired_goals(area, res):
    """The goals of a benchmark summarised by PairedReport (datapath, services): Twill case vs peer case."""
    out = []
    cases = res["cases"]
    for g in res["goals"]:
        t, p, m = g["twill"], g["peer"], g["metric"]
        paired = g.get("paired_ratios") or [g["ratio_of_medians"]]
        desc = res["metrics"][m]
        unit = desc.split(",")[-1].split("(")[0].strip() if "," in desc else ""
        out.append(Goal(area, f"{t} vs {p}: {m}", g["ratio_of_medians"], g["goal"], True,
                        f"{fmt(cases[t][m]['median'])} vs {fmt(cases[p][m]['median'])} {unit}; "
                        f"paired {min(paired):.2f}–{max(paired):.2f}"))
    return out


def goals(r):
    out = []
    if r.get("datapath"):
        out += paired_goals("datapath", r["datapath"])
    if r.get("services"):
        out += paired_goals("services", r["services"])
    cni = r.get("cni")
    if cni:
        for verb in ("ADD", "DEL"):
            s = cni["sequential"][verb]
            rt = cni["ratio_twill_over_reference"][verb]
            out.append(Goal("cni", f"{verb} p50, loopback+twill-cni vs loopback+bridge+host-local", rt["pod_p50"], 1.0,
                            False, f"{s['twill']['pod']['p50_ms']:.1f} vs {s['reference']['pod']['p50_ms']:.1f} ms; "
                                   f"p99 ratio {rt['pod_p99']:.2f}"))
    maps = r.get("maps")
    if maps:
        op = maps["operations"]["batch_update"] if "batch_update" in maps["operations"] else None
        if op:
            out.append(Goal("maps", "batch update, bpf-loader (Java) vs C libbpf", op["ratio_java_over_c"], 0.8, True,
                            f"{fmt(op['java']['median'])} vs {fmt(op['c']['median'])} elements/s"))
    opr = r.get("operator")
    if opr:
        med = opr["operator"]["median_ms"]
        out.append(Goal("operator", f"{opr['nodes']} nodes joining: time to all CIDRs vs the 10 s goal",
                        med / opr["goal_ms"], 1.0, False,
                        f"{med / 1000:.2f} s (oracle writer {opr['oracle']['median_ms'] / 1000:.2f} s, "
                        f"{opr['ratio_of_medians']:.2f}x); {opr['api_calls_per_node']:.2f} API calls per node"))
    ag = r.get("agent_scale")
    if ag:
        s = ag["summary"]
        out.append(Goal("agent", f"RSS with {ag['pods']} endpoints and {ag['nodes']} remote nodes vs the 200 MiB goal",
                        s["rss_mib"] / s["goal_rss_mib"], 1.0, False,
                        f"{s['rss_mib']:.0f} MiB (idle agent {s['idle_rss_mib']:.0f} MiB, peak {s['peak_rss_mib']:.0f}); "
                        f"quiet CPU {100 * s['quiet_cpu_cores']:.2f} % of a core"))
    sc = r.get("services_scale")
    if sc:
        s = sc["summary"]
        out.append(Goal("agent", f"{sc['services']} Services x {sc['backends_per_service']} backends, API to maps vs the "
                                 f"{s['goal_seconds']:g} s goal", s["maps_seconds_median"] / s["goal_seconds"], 1.0, False,
                        f"{s['maps_seconds_median']:.2f} s (a plain informer saw every object after "
                        f"{s['watch_seconds_median']:.2f} s; writes {s['write_seconds_median']:.2f} s); agent CPU "
                        f"{s['agent_cpu_seconds_median']:.1f} s; RSS +{s['rss_growth_mib']:.0f} MiB "
                        f"({s['idle_rss_mib']:.0f} → {s['loaded_rss_mib']:.0f})"))
    return out


def chart_datapath(dp, path):
    fig, axes = plt.subplots(1, len(DATAPATH_METRICS), figsize=(15, 4.6))
    for ax, (m, title, unit) in zip(axes, DATAPATH_METRICS):
        cs = [c for c in DATAPATH_CASES if m in dp["cases"].get(c, {})]
        med = [dp["cases"][c][m]["median"] for c in cs]
        lo = [med[i] - dp["cases"][c][m]["min"] for i, c in enumerate(cs)]
        hi = [dp["cases"][c][m]["max"] - med[i] for i, c in enumerate(cs)]
        ax.bar(cs, med, yerr=[lo, hi], capsize=3, color=[color(c) for c in cs])
        ax.set_title(title, fontsize=10)
        ax.set_ylabel(unit)
        ax.tick_params(axis="x", labelrotation=40, labelsize=8)
        for lbl in ax.get_xticklabels():
            lbl.set_horizontalalignment("right")
    fig.suptitle("Datapath: median of the rounds, bars min–max (Twill blue, peers grey)", fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def services_label(n):
    return f"{n:,} Service" + ("" if n == 1 else "s")


def services_counts(sv):
    """The Service counts measured, in order, from the case names twill-svc-N / iptables-svc-N."""
    return sorted({int(c.rsplit("-", 1)[1]) for c in sv["cases"]})


def chart_services(sv, path):
    counts = services_counts(sv)
    fig, axes = plt.subplots(1, len(SERVICES_METRICS), figsize=(12, 4.4))
    w = 0.38
    for ax, (m, title, unit) in zip(axes, SERVICES_METRICS):
        for k, side in enumerate(("twill", "iptables")):
            xs, med, lo, hi = [], [], [], []
            for i, n in enumerate(counts):
                st = sv["cases"].get(f"{side}-svc-{n}", {}).get(m)
                if not st:
                    continue
                xs.append(i + (k - 0.5) * w)
                med.append(st["median"])
                lo.append(st["median"] - st["min"])
                hi.append(st["max"] - st["median"])
            ax.bar(xs, med, w, yerr=[lo, hi], capsize=3, color=COLORS["twill" if side == "twill" else "peer"],
                   label="Twill (socket LB)" if side == "twill" else "kube-proxy-style iptables")
        ax.set_xticks(range(len(counts)), [services_label(n) for n in counts], fontsize=8)
        ax.set_title(f"ClusterIP: {title}", fontsize=10)
        ax.set_ylabel(unit)
        ax.legend(fontsize=8)
    fig.suptitle("Services: median of the rounds, bars min–max", fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def chart_services_scale(sc, path):
    fig, ax = plt.subplots(figsize=(8, 4))
    for i, rep in enumerate(sc["reps"]):
        pr = rep["create"]["progress"]
        alpha = 1.0 if i == 0 else 0.45
        ax.plot([p[0] for p in pr], [p[1] for p in pr], ":", color="#555555", alpha=alpha,
                label="Services written to the API" if i == 0 else None)
        ax.plot([p[0] for p in pr], [p[2] for p in pr], "-", color=COLORS["twill"], alpha=alpha,
                label="Services complete in twill_lb_services" if i == 0 else None)
        ax.axvline(rep["create"]["watch_seconds"], color="#888888", linestyle="--", alpha=alpha,
                   label="a plain informer has seen every object" if i == 0 else None)
    ax.axvline(sc["summary"]["goal_seconds"], color="#c04040", linestyle="--", label="goal")
    ax.set_xlabel("seconds since the first write")
    ax.set_ylabel("Services")
    ax.set_title(f"twill-agent: {sc['services']:,} Services x {sc['backends_per_service']} backends from the API into "
                 "the maps", fontsize=10)
    ax.legend(fontsize=8, loc="lower right")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def chart_latency(r, path):
    panels = []
    dp = r.get("datapath")
    if dp:
        cs = [c for c in DATAPATH_CASES if "rr_p50_us" in dp["cases"].get(c, {})]
        panels.append(("TCP request/response: median one-way latency (µs, lower is better)", cs,
                       [[dp["cases"][c]["rr_p50_us"]["median"]] for c in cs], ["p50"]))
    cni = r.get("cni")
    if cni:
        labels, vals = [], []
        for verb in ("ADD", "DEL"):
            for chain in ("twill", "reference"):
                st = cni["sequential"][verb][chain]["pod"]
                labels.append(f"{verb} {chain}")
                vals.append([st["p50_ms"], st["p99_ms"]])
        panels.append(("CNI per pod (ms, lower is better)", labels, vals, ["p50", "p99"]))
    if not panels:
        return False
    fig, axes = plt.subplots(1, len(panels), figsize=(7 * len(panels), 4.4), squeeze=False)
    for ax, (title, labels, vals, pcts) in zip(axes[0], panels):
        width = 0.8 / len(pcts)
        for j, p in enumerate(pcts):
            xs = [i + (j - (len(pcts) - 1) / 2) * width for i in range(len(labels))]
            ax.bar(xs, [v[j] for v in vals], width, label=p,
                   color=[color(lbl.split()[-1]) for lbl in labels], alpha=1.0 if j == 0 else 0.55)
        ax.set_xticks(range(len(labels)), labels, rotation=35, ha="right", fontsize=8)
        ax.set_title(title, fontsize=10)
        if len(pcts) > 1:
            ax.legend(fontsize=8)
    fig.suptitle("Latency percentiles (Twill blue, peers grey; lighter bar = p99)", fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def chart_cni(cni, path):
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.2))
    for ax, verb in zip(axes, ("ADD", "DEL")):
        for chain, style in (("twill", "-"), ("reference", "--")):
            xs = cni["sequential"][verb][chain]["pod"].get("samples_ms")
            if not xs:
                continue
            ys = [(i + 1) / len(xs) for i in range(len(xs))]
            ax.step(xs, ys, style, where="post", label=chain, color=color(chain if chain == "twill" else "peer"))
        ax.set_title(f"CNI {verb} per pod: distribution over {cni['config']['pods']} pods", fontsize=10)
        ax.set_xlabel("ms (loopback + pod network, as the runtime waits)")
        ax.set_ylabel("fraction of pods")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def chart_maps(maps, path):
    ops = list(maps["operations"])
    fig, ax = plt.subplots(figsize=(9, 4))
    w = 0.38
    for k, (impl, col) in enumerate((("java", COLORS["twill"]), ("c", COLORS["peer"]))):
        xs = [i + (k - 0.5) * w for i in range(len(ops))]
        med = [maps["operations"][o][impl]["median"] for o in ops]
        lo = [med[i] - maps["operations"][o][impl]["min"] for i, o in enumerate(ops)]
        hi = [maps["operations"][o][impl]["max"] - med[i] for i, o in enumerate(ops)]
        ax.bar(xs, med, w, yerr=[lo, hi], capsize=3, color=col, label="bpf-loader (Java)" if impl == "java" else "C libbpf")
    ax.set_xticks(range(len(ops)), ops, rotation=25, ha="right", fontsize=8)
    ax.set_ylabel("elements/s")
    ax.set_title(f"BPF hash map operations, {maps['entries']} entries (median, bars min–max)", fontsize=10)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def chart_agent(ag, path):
    ph = ag["phases"]
    fig, ax = plt.subplots(figsize=(8, 4))
    names = [p["name"] for p in ph]
    ax.plot(names, [p["rss_mib"] for p in ph], "o-", color=COLORS["twill"], label="RSS after the phase")
    ax.plot(names, [p["hwm_mib"] for p in ph], "^:", color="#555555", label="peak RSS so far")
    ax.axhline(ag["summary"]["goal_rss_mib"], color="#c04040", linestyle="--", label="goal 200 MiB")
    for i, p in enumerate(ph):
        ax.annotate(f"tunnel {p['tunnel_entries']}\nendpoints {p['endpoint_entries']}", (i, p["rss_mib"]),
                    textcoords="offset points", xytext=(0, -30), ha="center", fontsize=7)
    ax.set_ylim(0, max(ag["summary"]["goal_rss_mib"], max(p["hwm_mib"] for p in ph)) * 1.15)
    ax.set_ylabel("MiB")
    ax.set_title("twill-agent memory through the scale phases (map entries read from the kernel)", fontsize=10)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def markdown(doc, gs, charts, base):
    r, m = doc["results"], doc["machine"]
    met = sum(g.met for g in gs)
    lines = [f"# Twill benchmarks, {doc['date']}", ""]
    if doc.get("quick"):
        lines += ["> QUICK run: short, few repetitions. A smoke test of the harness, not figures to quote.", ""]
    lines += [f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory']}, {m['os']}, kernel {m['kernel']}; "
              f"{m['jdk']}; libbpf {m['libbpf']}; {m['clang']}. Commit {doc['commit']}, "
              f"run {doc['started']} – {doc['finished']}.", "",
              f"## Goals: {met} of {len(gs)} met", "",
              "Every ratio is Twill against the peer measured in the same run (for the operator and the agent, "
              "against the goal itself).", "",
              "| area | figure | ratio | goal | | detail |", "|---|---|---|---|---|---|"]
    lines += [g.row() for g in gs]
    dp = r.get("datapath")
    if dp:
        lines += ["", "## Datapath", "", f"![datapath]({charts['datapath']})", "",
                  "| case | " + " | ".join(f"{t}, {u}" for _, t, u in DATAPATH_METRICS) + " | RR p50, µs |",
                  "|---|" + "---|" * (len(DATAPATH_METRICS) + 1)]
        for c in DATAPATH_CASES:
            if c not in dp["cases"]:
                continue
            cells = []
            for key in [k for k, _, _ in DATAPATH_METRICS] + ["rr_p50_us"]:
                s = dp["cases"][c].get(key)
                cells.append(f"{fmt(s['median'])} ({fmt(s['min'])}–{fmt(s['max'])})" if s else "–")
            lines.append(f"| {c} | " + " | ".join(cells) + " |")
        meta = dp.get("meta", {})
        if meta:
            lines += ["", "Settings: " + ", ".join(f"{k}={v}" for k, v in meta.items()) + "."]
    sv = r.get("services")
    if sv:
        counts = services_counts(sv)
        lines += ["", "## Services (ClusterIP, pod to a backend pod on its node)", "", f"![services]({charts['services']})",
                  "", "| Services | system | connect+RR /s | p50 µs | p99 µs | over 200 ms | RR /s | RR p50 µs |",
                  "|---|---|---|---|---|---|---|---|"]
        for n in counts:
            for side in ("twill", "iptables"):
                c = sv["cases"].get(f"{side}-svc-{n}")
                if not c:
                    continue
                cells = []
                for key in ("crr_tps", "crr_p50_us", "crr_p99_us", "crr_slow", "rr_tps", "rr_rtt_p50_us"):
                    st = c.get(key)
                    cells.append(f"{fmt(st['median'])} ({fmt(st['min'])}–{fmt(st['max'])})" if st else "–")
                lines.append(f"| {n:,} | {'Twill' if side == 'twill' else 'iptables'} | " + " | ".join(cells) + " |")
        ratios = []
        for n in counts:
            t, p = sv["cases"].get(f"twill-svc-{n}", {}), sv["cases"].get(f"iptables-svc-{n}", {})
            parts = [f"{m.split('_')[0]} {t[m]['median'] / p[m]['median']:.2f}x" for m, _, _ in SERVICES_METRICS
                     if m in t and m in p and p[m]["median"]]
            if parts:
                ratios.append(f"{services_label(n)}: " + ", ".join(parts))
        if ratios:
            lines += ["", "Twill / iptables (ratio of medians): " + "; ".join(ratios) + "."]
        meta = sv.get("meta", {})
        if meta:
            lines += ["", "Settings: " + ", ".join(f"{k}={v}" for k, v in meta.items()) + "."]
    if "latency" in charts:
        lines += ["", "## Latency percentiles", "", f"![latency]({charts['latency']})"]
    cni = r.get("cni")
    if cni:
        lines += ["", "## CNI ADD/DEL", "", f"![cni]({charts['cni']})", "",
                  "| | p50 ms | p99 ms | min | max |", "|---|---|---|---|---|"]
        for verb in ("ADD", "DEL"):
            for chain in ("twill", "reference"):
                s = cni["sequential"][verb][chain]["pod"]
                lines.append(f"| {verb} {chain} | {s['p50_ms']:.2f} | {s['p99_ms']:.2f} | {s['min_ms']:.2f} | {s['max_ms']:.2f} |")
        for verb in ("ADD", "DEL"):
            p = cni["parallel"][verb]
            lines.append("")
            lines.append(f"{verb} with {cni['config']['parallel']} workers: Twill {p['twill']['pods_per_s_median']:.1f} pods/s, "
                         f"reference {p['reference']['pods_per_s_median']:.1f} pods/s ({p['ratio_pods_per_s']:.2f}x)."
                         if "pods_per_s_median" in p.get("twill", {}) else
                         f"{verb} with {cni['config']['parallel']} workers: ratio of pods/s {p['ratio_pods_per_s']:.2f}x.")
    maps = r.get("maps")
    if maps:
        lines += ["", "## BPF map operations", "", f"![maps]({charts['maps']})", "",
                  "| operation | Java median /s | C median /s | Java/C |", "|---|---|---|---|"]
        for o, v in maps["operations"].items():
            lines.append(f"| {o} | {fmt(v['java']['median'])} | {fmt(v['c']['median'])} | {v['ratio_java_over_c']:.2f} |")
    nl = r.get("netlink")
    if nl:
        lines += ["", "## Netlink (one pod's network work)", "", "| step | median µs | p90 µs |", "|---|---|---|"]
        for k, v in nl["results_us"].items():
            lines.append(f"| {k} | {v['median']:.0f} | {v['p90']:.0f} |")
        lines += ["", f"ip(8), one process per step, takes {nl['ratio_add_ip_over_twill']:.1f}x Twill's time for ADD, "
                      f"two `ip -batch` processes {nl['ratio_add_ipbatch_over_twill']:.1f}x; DEL {nl['ratio_del_ip_over_twill']:.2f}x."]
    opr = r.get("operator")
    if opr:
        o, q = opr["operator"], opr["oracle"]
        lines += ["", "## Operator", "",
                  f"{opr['nodes']} TwillNodes created at once by {opr['agents']} threads: every node had its CIDR after "
                  f"{o['median_ms'] / 1000:.2f} s (median; {o['min_ms'] / 1000:.2f}–{o['max_ms'] / 1000:.2f}), against "
                  f"{q['median_ms'] / 1000:.2f} s for an oracle writer with no watch and no table "
                  f"({opr['ratio_of_medians']:.2f}x); {opr['api_calls_per_node']:.2f} API calls per node, "
                  f"{opr['distinct_cidrs']} distinct CIDRs."]
    ag = r.get("agent_scale")
    if ag:
        s = ag["summary"]
        lines += ["", "## Agent at scale", "", f"![agent]({charts['agent']})", "",
                  "| phase | s | agent CPU s | tunnel entries | endpoints | RSS MiB | peak MiB | threads |",
                  "|---|---|---|---|---|---|---|---|"]
        for p in ag["phases"]:
            lines.append(f"| {p['name']} | {p['seconds']:.1f} | {p['agent_cpu_seconds']:.2f} | {p['tunnel_entries']} | "
                         f"{p['endpoint_entries']} | {p['rss_mib']:.1f} | {p['hwm_mib']:.1f} | {p['threads']} |")
        lines += ["", f"{ag['nodes']} nodes reached the tunnel map {s['join_seconds']:.1f} s after they were created "
                      f"(agent CPU {s['join_agent_cpu_seconds']:.1f} s); pods were added at {s['pods_add_per_second']:.1f}/s "
                      f"with {ag['parallel']} workers (ADD p50 {s['add_p50_ms_first_tenth']:.1f} ms for the first tenth, "
                      f"{s['add_p50_ms_last_tenth']:.1f} ms for the last)."]
    sc = r.get("services_scale")
    if sc:
        s = sc["summary"]
        lines += ["", "## Agent: Services at scale", "", f"![services-scale]({charts['services-scale']})", "",
                  "| rep | writes s | plain informer s | in the maps s | agent CPU s | RSS MiB |", "|---|---|---|---|---|---|"]
        for i, rp in enumerate(sc["reps"]):
            c = rp["create"]
            lines.append(f"| {i + 1} | {c['write_seconds']:.2f} | {c['watch_seconds']:.2f} | {c['maps_seconds']:.2f} | "
                         f"{c['agent_cpu_seconds']:.1f} | {rp['rss_loaded_mib']:.1f} |")
        lines += ["", f"{sc['services']:,} Services with {sc['backends_per_service']} endpoints each, created by "
                      f"{sc['writers']} writers after a warm-up of {sc.get('warmup_services', 0)}: every one was complete in "
                      f"twill_lb_services {s['maps_seconds_median']:.2f} s after the first write (median), "
                      f"{s['lag_seconds_median']:.2f} s after a plain informer had seen every object; the agent used "
                      f"{s['agent_cpu_seconds_median']:.1f} s of CPU. RSS {s['idle_rss_mib']:.0f} MiB idle, "
                      f"{s['loaded_rss_mib']:.0f} MiB loaded (+{s['rss_growth_mib']:.0f} MiB), peak {s['peak_rss_mib']:.0f} MiB."]
    lines += ["", "## How long each benchmark took", "",
              ", ".join(f"{k} {v} s" for k, v in doc.get("durations_s", {}).items()) + ".", "",
              f"Raw data: [{base}.json]({base}.json). Method: [bench/README.md](../README.md)."]
    return "\n".join(lines) + "\n"


def readme_block(doc, gs, md_path):
    rel = os.path.relpath(md_path, ".")
    lines = [f"Latest run ({doc['date']}, {doc['machine']['cpu']}, {doc['machine']['cores']} cores, kernel "
             f"{doc['machine']['kernel']}{', QUICK' if doc.get('quick') else ''}): {sum(g.met for g in gs)} of "
             f"{len(gs)} goals met; full report with charts in [{rel}]({rel}).", "",
             "| area | figure | ratio | goal | |", "|---|---|---|---|---|"]
    for g in gs:
        lines.append(f"| {g.area} | {g.what} | {g.ratio_text()}x | {'≥' if g.higher else '≤'} {g.goal:g}x | "
                     f"{'met' if g.met else 'missed'} |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("results")
    ap.add_argument("--readme")
    a = ap.parse_args()
    with open(a.results) as f:
        doc = json.load(f)
    out_dir, base = os.path.split(os.path.splitext(a.results)[0])
    r = doc["results"]
    charts = {}

    def chart(name, fn, *args):
        p = f"{base}-{name}.png"
        if fn(*args, os.path.join(out_dir, p)) is not False:
            charts[name] = p

    if "datapath" in r:
        chart("datapath", chart_datapath, r["datapath"])
    chart("latency", chart_latency, r)
    if "cni" in r:
        chart("cni", chart_cni, r["cni"])
    if "maps" in r:
        chart("maps", chart_maps, r["maps"])
    if "agent_scale" in r:
        chart("agent", chart_agent, r["agent_scale"])
    if "services" in r:
        chart("services", chart_services, r["services"])
    if "services_scale" in r:
        chart("services-scale", chart_services_scale, r["services_scale"])
    gs = goals(r)
    md_path = os.path.join(out_dir, base + ".md")
    with open(md_path, "w") as f:
        f.write(markdown(doc, gs, charts, base))
    print(f"report: wrote {md_path} and {len(charts)} charts; {sum(g.met for g in gs)} of {len(gs)} goals met")
    for g in gs:
        print(f"  {'met   ' if g.met else 'MISSED'} {g.area:9} {g.what}: {g.ratio_text()}x ({g.detail})")
    if a.readme:
        with open(a.readme) as f:
            text = f.read()
        pat = re.compile(r"(<!-- bench:begin -->\n).*?(\n<!-- bench:end -->)", re.S)
        if not pat.search(text):
            sys.exit(f"report: {a.readme} has no <!-- bench:begin --> ... <!-- bench:end --> block")
        text = pat.sub(lambda mm: mm.group(1) + readme_block(doc, gs, md_path) + mm.group(2), text)
        with open(a.readme, "w") as f:
            f.write(text)
        print(f"report: refreshed the figures in {a.readme}")


if __name__ == "__main__":
    main()
