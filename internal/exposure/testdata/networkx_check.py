#!/usr/bin/python3
"""An independent implementation of corefence's kill switch and choke points
with NetworkX, for the cross-checks in internal/exposure (networkx_test.go)
and the benchmark (scripts/bench-exposure).

It reads the network as exported by the Go tests (four tab-separated files
written by exportNetwork), applies the model of docs/exposure.md itself —
which elements and links make the graph, what a site needs to be in
service — and prints JSON on stdout:

    networkx_check.py DIR killswitch GROUP...   kill switch of each group
    networkx_check.py DIR brute                 choke points: every element removed in turn
    networkx_check.py DIR dominators            choke points: nx.immediate_dominators
    networkx_check.py DIR bench GROUP...        kill switch, timed (seconds on stderr)

Traffic figures are exact decimals (decimal.Decimal), written as strings.
"""

import json
import math
import resource
import sys
import time
from collections import defaultdict
from decimal import Decimal

import networkx as nx

NEEDS = {"5g": ["amf", "smf", "upf", "udm"], "4g": ["mme", "sgw", "pgw", "hss"]}
NEEDED = {f for fs in NEEDS.values() for f in fs}
RADIO = {"gnb", "gnb-du", "o-ru", "enb", "nodeb", "bts", "small-cell"}


def dec(d):
    """A decimal as Go's Traffic.String writes it: no exponent, no trailing zeros."""
    s = format(d, "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s


def inside(lat, lon, area):
    """Haversine on the inventory format's sphere, with the check's 1 mm tolerance."""
    alat, alon, radius = area
    p1, p2 = math.radians(lat), math.radians(alat)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(alon - lon) / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h))) <= radius + 1e-6


def rows(path):
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line:
                yield line.split("\t")


class Network:
    def __init__(self, d):
        self.el = {}
        self.order = []
        for eid, op, site, host, fn, dom, grp, tech, innet in rows(d + "/elements.tsv"):
            self.el[eid] = {
                "op": op, "site": site, "host": None if host == "-" else host, "fn": fn, "dom": dom,
                "grp": grp, "tech": set(tech.split(",")) & set(NEEDS) if tech else set(), "innet": innet == "1",
            }
            self.order.append(eid)
        areas = [(float(lat), float(lon), float(r)) for _, lat, lon, r in rows(d + "/areas.tsv")]
        self.sites = {}
        self.site_order = []
        for sid, op, traffic, lat, lon, tags in rows(d + "/sites.tsv"):
            lat, lon = float(lat), float(lon)
            self.sites[sid] = {"op": op, "traffic": Decimal(traffic), "ns": "national-security" in tags.split(","),
                               "area": any(inside(lat, lon, a) for a in areas)}
            self.site_order.append(sid)
        self.ops = []
        for s in self.site_order:
            if self.sites[s]["op"] not in self.ops:
                self.ops.append(self.sites[s]["op"])

        # In the graph: in the network, and every host up the chain too.
        def in_graph(e):
            while e is not None:
                if not self.el[e]["innet"]:
                    return False
                e = self.el[e]["host"]
            return True

        def depth(e):
            n = 0
            while self.el[e]["host"] is not None:
                e = self.el[e]["host"]
                n += 1
            return n

        self.G = nx.Graph()
        self.G.add_nodes_from(e for e in self.order if in_graph(e))
        self.depth = {e: depth(e) for e in self.G}
        for a, b, kind in rows(d + "/links.tsv"):
            if kind == "management" or a not in self.G or b not in self.G:
                continue
            if self.el[a]["op"] != self.el[b]["op"]:
                continue
            self.G.add_edge(a, b)
        self.guests = defaultdict(list)
        for e in self.G:
            h = self.el[e]["host"]
            if h is not None:
                self.G.add_edge(e, h)
                self.guests[h].append(e)
        self.radios = defaultdict(list)
        for e in self.order:
            if e in self.G and self.el[e]["fn"] in RADIO:
                self.radios[self.el[e]["site"]].append(e)
        self.base = self.service(set())

    def with_guests(self, seeds):
        out, stack = set(), list(seeds)
        while stack:
            e = stack.pop()
            if e not in out:
                out.add(e)
                stack.extend(self.guests[e])
        return out

    def service(self, removed):
        """Per site with radio elements: the technologies it is in service for."""
        H = nx.restricted_view(self.G, removed, [])
        comp = {}
        for i, c in enumerate(nx.connected_components(H)):
            for n in c:
                comp[n] = i
        have = defaultdict(set)
        for n, c in comp.items():
            if self.el[n]["fn"] in NEEDED:
                have[c].add(self.el[n]["fn"])
        out = {}
        for s, rs in self.radios.items():
            techs = set()
            for r in rs:
                if r in removed:
                    continue
                for t in self.el[r]["tech"]:
                    if set(NEEDS[t]) <= have[comp[r]]:
                        techs.add(t)
            out[s] = techs
        return out

    def runs_analysed(self, s):
        return any(self.el[r]["tech"] for r in self.radios[s])

    def lost(self, removed):
        after = self.service(removed)
        return [s for s in self.site_order if s in self.radios and self.base[s] and not after[s]]

    def killswitch(self, group):
        removed = self.with_guests(e for e in self.G if self.el[e]["grp"] == group)
        lost = set(self.lost(removed))
        ops = []
        for op in self.ops:
            r = {"operator": op, "sites_total": 0, "sites_in_service": 0, "sites_lost": 0,
                 "traffic_total": Decimal(0), "traffic_lost": Decimal(0), "sensitive_sites_lost": 0,
                 "national_security_sites_lost": 0, "in_area_sites_lost": 0, "core_functions_lost": [],
                 "elements_removed": 0, "hosted_removed": 0, "lost_sites": []}
            for s in self.site_order:
                site = self.sites[s]
                if site["op"] != op or s not in self.radios or not self.runs_analysed(s):
                    continue
                r["sites_total"] += 1
                r["traffic_total"] += site["traffic"]
                if self.base[s]:
                    r["sites_in_service"] += 1
                if s in lost:
                    r["sites_lost"] += 1
                    r["traffic_lost"] += site["traffic"]
                    r["sensitive_sites_lost"] += site["ns"] or site["area"]
                    r["national_security_sites_lost"] += site["ns"]
                    r["in_area_sites_lost"] += site["area"]
                    r["lost_sites"].append(s)
            before, after = defaultdict(int), defaultdict(int)
            for e in self.G:
                if self.el[e]["op"] != op:
                    continue
                if e in removed:
                    r["elements_removed"] += 1
                    r["hosted_removed"] += self.el[e]["grp"] != group
                if self.el[e]["dom"] == "core":
                    before[self.el[e]["fn"]] += 1
                    if e not in removed:
                        after[self.el[e]["fn"]] += 1
            r["core_functions_lost"] = sorted(f for f in before if after[f] == 0)
            r["traffic_total"] = dec(r["traffic_total"])
            r["traffic_lost"] = dec(r["traffic_lost"])
            ops.append(r)
        return {"vendor": group, "operators": ops}

    def record(self, acc, v, s):
        a = acc.setdefault(v, [0, Decimal(0), 0])
        a[0] += 1
        a[1] += self.sites[s]["traffic"]
        a[2] += self.sites[s]["ns"] or self.sites[s]["area"]

    def choke_brute(self):
        acc = {}
        for v in self.G:
            for s in self.lost(self.with_guests([v])):
                self.record(acc, v, s)
        return acc

    def choke_dominators(self):
        """The same answer from nx.immediate_dominators: per hosting depth k,
        every element merged into its ancestor at depth k, so that a failure
        at depth k (with all it hosts) is one vertex."""
        acc = {}
        for k in range(max(self.depth.values(), default=0) + 1):
            def rep(e):
                while self.depth[e] > k:
                    e = self.el[e]["host"]
                return e
            reps = {e: rep(e) for e in self.G}
            D = nx.DiGraph()
            D.add_nodes_from(set(reps.values()))
            for a, b in self.G.edges():
                ra, rb = reps[a], reps[b]
                if ra != rb:
                    D.add_edge(ra, rb)
                    D.add_edge(rb, ra)
            idom = {}
            for op in self.ops:
                for f in NEEDED:
                    src = ("source", op, f)
                    D.add_node(src)
                    for e in self.G:
                        if self.el[e]["op"] == op and self.el[e]["fn"] == f:
                            D.add_edge(src, reps[e])
                    idom[(op, f)] = (src, nx.immediate_dominators(D, src))
                    D.remove_node(src)
            for s in self.site_order:
                if s not in self.radios or not self.base[s]:
                    continue
                op = self.sites[s]["op"]
                kill = None
                for t in self.base[s]:
                    for r in self.radios[s]:
                        x = reps[r]
                        if t not in self.el[r]["tech"] or any(x not in idom[(op, f)][1] for f in NEEDS[t]):
                            continue
                        kr = {x} if self.depth[x] == k else set()
                        for f in NEEDS[t]:
                            src, dom = idom[(op, f)]
                            v = dom[x]
                            while v != src:
                                if self.depth[v] == k:
                                    kr.add(v)
                                v = dom[v]
                        kill = kr if kill is None else kill & kr
                for v in kill or ():
                    self.record(acc, v, s)
        return acc


def main():
    d, mode, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    start = time.perf_counter()
    net = Network(d)
    loaded = time.perf_counter()
    if mode in ("killswitch", "bench"):
        out = {"kill_switch": [net.killswitch(g) for g in args]}
        done = time.perf_counter()
        if mode == "bench":
            out["seconds_load"] = loaded - start
            out["seconds_kill_switch"] = done - loaded
            out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    elif mode in ("brute", "dominators"):
        acc = net.choke_brute() if mode == "brute" else net.choke_dominators()
        out = {"choke_points": {v: [n, dec(t), sens] for v, (n, t, sens) in acc.items()}}
    else:
        sys.exit("unknown mode " + mode)
    json.dump(out, sys.stdout, sort_keys=True)


if __name__ == "__main__":
    main()
