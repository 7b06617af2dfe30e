#!/usr/bin/env python3
"""Floating IP allocate+associate rate of a running Skein (or any Neutron API).

Builds a small topology (external network, internal network, a router joining them, and one port per floating
IP to create), then creates floating IPs with port_id set -- each request allocates an external address and
associates it in one step -- first one at a time, then from N concurrent clients. Reports ops/s, p50 and p99
per phase and removes everything it made afterwards.

    bench/floatingips.py --url http://127.0.0.1:9696 \
        --auth-url http://127.0.0.1:9696/identity/v3 --password SECRET [--count 200] [--concurrency 16]

Only the Python 3 standard library is used.
"""

import argparse
import http.client
import json
import statistics
import sys
import threading
import time
import urllib.parse
import uuid
from concurrent.futures import ThreadPoolExecutor


class Api:
    """A tiny JSON client: one keep-alive connection per thread."""

    def __init__(self, base_url, token=None, timeout=60):
        parsed = urllib.parse.urlsplit(base_url)
        self.scheme, self.netloc = parsed.scheme, parsed.netloc
        self.prefix = parsed.path.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.local = threading.local()

    def _connection(self):
        conn = getattr(self.local, "conn", None)
        if conn is None:
            cls = http.client.HTTPSConnection if self.scheme == "https" else http.client.HTTPConnection
            conn = cls(self.netloc, timeout=self.timeout)
            self.local.conn = conn
        return conn

    def request(self, method, path, body=None):
        headers = {"Accept": "application/json"}
        if self.token:
            headers["X-Auth-Token"] = self.token
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        for attempt in (1, 2):
            conn = self._connection()
            try:
                conn.request(method, self.prefix + path, body=data, headers=headers)
                resp = conn.getresponse()
                raw = resp.read()
                return resp.status, resp.headers, (json.loads(raw) if raw else None)
            except (http.client.HTTPException, ConnectionError):
                # A keep-alive connection the server closed: reconnect once.
                conn.close()
                self.local.conn = None
                if attempt == 2:
                    raise

    def expect(self, status, method, path, body=None):
        got, _, data = self.request(method, path, body)
        if got != status:
            raise SystemExit("%s %s answered %s, expected %s: %s" % (method, path, got, status, data))
        return data


def token(auth_url, user, password, project, domain):
    api = Api(auth_url)
    body = {"auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "name": user, "domain": {"name": domain}, "password": password}}},
        "scope": {"project": {"name": project, "domain": {"name": domain}}}}}
    status, headers, data = api.request("POST", "/auth/tokens", body)
    if status != 201:
        raise SystemExit("authentication failed (%s): %s" % (status, data))
    return headers["X-Subject-Token"]


def percentile(sorted_values, p):
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, int(round(p / 100.0 * len(sorted_values) + 0.5)) - 1))
    return sorted_values[index]


def measure(api, network_id, ports, concurrency):
    """Creates one associated floating IP per port; returns (ids, latencies in s, failures, wall time in s)."""
    ids, latencies, failures = [], [], []
    lock = threading.Lock()

    def one(port_id):
        start = time.perf_counter()
        status, _, data = api.request("POST", "/v2.0/floatingips",
                                      {"floatingip": {"floating_network_id": network_id, "port_id": port_id}})
        elapsed = time.perf_counter() - start
        with lock:
            if status == 201 and data["floatingip"].get("port_id") == port_id:
                ids.append(data["floatingip"]["id"])
                latencies.append(elapsed)
            else:
                failures.append((status, data))

    began = time.perf_counter()
    if concurrency <= 1:
        for p in ports:
            one(p)
    else:
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            list(pool.map(one, ports))
    return ids, latencies, failures, time.perf_counter() - began


def report(name, latencies, failures, wall):
    lat = sorted(latencies)
    result = {
        "phase": name,
        "ok": len(lat),
        "failed": len(failures),
        "ops_per_s": (len(lat) / wall) if wall > 0 else float("nan"),
        "p50_ms": percentile(lat, 50) * 1000,
        "p99_ms": percentile(lat, 99) * 1000,
        "mean_ms": (statistics.fmean(lat) * 1000) if lat else float("nan"),
    }
    print("%-12s %5d ok %4d failed  %8.1f ops/s  p50 %7.1f ms  p99 %7.1f ms" % (
        name, result["ok"], result["failed"], result["ops_per_s"], result["p50_ms"], result["p99_ms"]))
    for status, data in failures[:3]:
        print("  failure: %s %s" % (status, data), file=sys.stderr)
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--url", required=True, help="Networking API endpoint, e.g. http://127.0.0.1:9696")
    ap.add_argument("--auth-url", required=True, help="Identity v3 endpoint, e.g. http://127.0.0.1:9696/identity/v3")
    ap.add_argument("--password", required=True, help="password of --user")
    ap.add_argument("--user", default="admin")
    ap.add_argument("--project", default="admin")
    ap.add_argument("--domain", default="Default")
    ap.add_argument("--count", type=int, default=200, help="floating IPs per phase (default 200)")
    ap.add_argument("--concurrency", type=int, default=16, help="clients in the concurrent phase (default 16)")
    ap.add_argument("--external-cidr", default="100.64.0.0/16", help="CIDR of the external subnet it creates")
    ap.add_argument("--internal-cidr", default="10.250.0.0/16", help="CIDR of the internal subnet it creates")
    ap.add_argument("--json", action="store_true", help="also print the results as one JSON document")
    ap.add_argument("--keep", action="store_true", help="leave what it created in place")
    args = ap.parse_args()

    api = Api(args.url, token(args.auth_url, args.user, args.password, args.project, args.domain))
    tag = "fipbench-" + uuid.uuid4().hex[:8]
    made = {"fips": [], "ports": []}
    results = []
    try:
        ext = api.expect(201, "POST", "/v2.0/networks", {"network": {"name": tag + "-ext", "router:external": True}})["network"]["id"]
        made["ext"] = ext
        api.expect(201, "POST", "/v2.0/subnets", {"subnet": {"name": tag + "-ext", "network_id": ext, "ip_version": 4,
                                                            "cidr": args.external_cidr, "enable_dhcp": False}})
        net = api.expect(201, "POST", "/v2.0/networks", {"network": {"name": tag + "-int"}})["network"]["id"]
        made["net"] = net
        subnet = api.expect(201, "POST", "/v2.0/subnets", {"subnet": {"name": tag + "-int", "network_id": net,
                                                                      "ip_version": 4, "cidr": args.internal_cidr}})["subnet"]["id"]
        made["subnet"] = subnet
        router = api.expect(201, "POST", "/v2.0/routers", {"router": {
            "name": tag, "external_gateway_info": {"network_id": ext}}})["router"]["id"]
        made["router"] = router
        api.expect(200, "PUT", "/v2.0/routers/%s/add_router_interface" % router, {"subnet_id": subnet})

        print("preparing %d ports ..." % (2 * args.count), file=sys.stderr)
        for start in range(0, 2 * args.count, 100):
            batch = [{"network_id": net, "name": tag} for _ in range(min(100, 2 * args.count - start))]
            made["ports"] += [p["id"] for p in api.expect(201, "POST", "/v2.0/ports", {"ports": batch})["ports"]]

        for name, ports, clients in (("sequential", made["ports"][:args.count], 1),
                                     ("concurrent%d" % args.concurrency, made["ports"][args.count:], args.concurrency)):
            ids, latencies, failures, wall = measure(api, ext, ports, clients)
            made["fips"] += ids
            results.append(report(name, latencies, failures, wall))
        if args.json:
            print(json.dumps({"benchmark": "floatingip allocate+associate", "count": args.count,
                              "concurrency": args.concurrency, "results": results}, indent=2))
    finally:
        if not args.keep:
            cleanup(api, made)
    return 0 if all(r["failed"] == 0 for r in results) else 1


def cleanup(api, made):
    for fip in made["fips"]:
        api.request("DELETE", "/v2.0/floatingips/" + fip)
    for port in made["ports"]:
        api.request("DELETE", "/v2.0/ports/" + port)
    if "router" in made:
        if "subnet" in made:
            api.request("PUT", "/v2.0/routers/%s/remove_router_interface" % made["router"], {"subnet_id": made["subnet"]})
        api.request("DELETE", "/v2.0/routers/" + made["router"])
    for key in ("net", "ext"):
        if key in made:
            api.request("DELETE", "/v2.0/networks/" + made[key])


if __name__ == "__main__":
    sys.exit(main())
