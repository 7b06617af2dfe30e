#!/usr/bin/env python3
"""Security-group-rule creation rate of a Networking API v2.0 endpoint (Skein or Neutron); Python stdlib only.

Two measured phases, each on security groups of its own: one client creating rules back to back, then
--concurrency clients at once. Every rule is distinct (TCP, one destination port each), so none is refused as
a duplicate. Rules are spread over as many groups as needed to stay below --per-group rules per group. Prints
rules/s and latency p50/p99 per phase, then deletes the groups it made (and with them their rules).

  bench/sg_rules.py --url http://127.0.0.1:9696 --auth-url http://127.0.0.1:9696/identity/v3 --password secret \\
      [--user admin] [--project admin] [--rules 1000] [--concurrency 16] [--json]

Exit status 0 when every request succeeded, 1 otherwise.
"""
import argparse
import http.client
import json
import math
import statistics
import sys
import threading
import time
import urllib.parse
import uuid
from concurrent.futures import ThreadPoolExecutor


class Http:
    """JSON over HTTP/1.1, one kept-alive connection per thread."""

    def __init__(self, base):
        parts = urllib.parse.urlsplit(base)
        if parts.scheme not in ('http', 'https'):
            sys.exit(f'not an http(s) URL: {base}')
        self.tls = parts.scheme == 'https'
        self.host = parts.hostname
        self.port = parts.port or (443 if self.tls else 80)
        self.base_path = parts.path.rstrip('/')
        self.token = None
        self.local = threading.local()

    def _conn(self):
        if getattr(self.local, 'conn', None) is None:
            cls = http.client.HTTPSConnection if self.tls else http.client.HTTPConnection
            self.local.conn = cls(self.host, self.port, timeout=120)
        return self.local.conn

    def request(self, method, path, body=None):
        headers = {'Accept': 'application/json'}
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers['Content-Type'] = 'application/json'
        if self.token:
            headers['X-Auth-Token'] = self.token
        # A kept-alive connection the server closed while idle fails on first use; GET and DELETE may simply be
        # sent again, a POST never (it may have reached the server, and the rule would be made twice).
        attempts = 1 if method == 'POST' else 2
        for attempt in range(1, attempts + 1):
            conn = self._conn()
            try:
                conn.request(method, self.base_path + path, body=payload, headers=headers)
                resp = conn.getresponse()
                raw = resp.read()
                break
            except (ConnectionError, http.client.HTTPException):
                conn.close()
                self.local.conn = None
                if attempt == attempts:
                    raise
        text = raw.decode(errors='replace')
        try:
            parsed = json.loads(text) if text else None
        except ValueError:
            parsed = text
        return resp.status, parsed, resp.headers


def authenticate(auth_url, user, password, project):
    keystone = Http(auth_url)
    status, body, headers = keystone.request('POST', '/auth/tokens', {'auth': {
        'identity': {'methods': ['password'], 'password': {'user': {
            'name': user, 'domain': {'name': 'Default'}, 'password': password}}},
        'scope': {'project': {'name': project, 'domain': {'name': 'Default'}}}}})
    if status != 201:
        sys.exit(f'authentication failed: HTTP {status}: {body}')
    return headers['X-Subject-Token']


def create_groups(api, count, label):
    ids = []
    for i in range(count):
        status, body, _ = api.request('POST', '/v2.0/security-groups', {'security_group': {
            'name': f'bench-{label}-{i}-{uuid.uuid4().hex[:8]}', 'description': 'sg_rules.py benchmark'}})
        if status != 201:
            sys.exit(f'creating a security group failed: HTTP {status}: {body}')
        ids.append(body['security_group']['id'])
    return ids


def rule_body(group_id, port):
    return {'security_group_rule': {'security_group_id': group_id, 'direction': 'ingress', 'ethertype': 'IPv4',
                                    'protocol': 'tcp', 'port_range_min': port, 'port_range_max': port,
                                    'remote_ip_prefix': '10.0.0.0/8'}}


def percentile(sorted_values, p):
    if not sorted_values:
        return float('nan')
    k = max(0, math.ceil(p / 100 * len(sorted_values)) - 1)
    return sorted_values[k]


def run_phase(api, name, rules, groups, workers):
    """Creates `rules` rules over `groups`, from `workers` threads; returns the phase's figures."""
    latencies = []
    failures = []
    lock = threading.Lock()

    def one(i):
        body = rule_body(groups[i % len(groups)], 1 + i // len(groups))
        start = time.perf_counter()
        try:
            status, answer, _ = api.request('POST', '/v2.0/security-group-rules', body)
        except (OSError, http.client.HTTPException) as e:
            status, answer = None, repr(e)
        elapsed = time.perf_counter() - start
        with lock:
            if status == 201:
                latencies.append(elapsed)
            else:
                failures.append(f'HTTP {status}: {str(answer)[:300]}')

    started = time.perf_counter()
    if workers == 1:
        for i in range(rules):
            one(i)
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(one, range(rules)))
    wall = time.perf_counter() - started
    latencies.sort()
    return {
        'phase': name, 'clients': workers, 'groups': len(groups), 'rules': rules, 'created': len(latencies),
        'failed': len(failures), 'seconds': round(wall, 3),
        'rules_per_second': round(len(latencies) / wall, 1) if wall > 0 else None,
        'p50_ms': round(percentile(latencies, 50) * 1000, 2), 'p99_ms': round(percentile(latencies, 99) * 1000, 2),
        'mean_ms': round(statistics.fmean(latencies) * 1000, 2) if latencies else None,
        'first_failures': failures[:3],
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--url', required=True, help='Networking API base URL, e.g. http://127.0.0.1:9696')
    ap.add_argument('--auth-url', required=True, help='Keystone v3 URL, e.g. http://127.0.0.1:9696/identity/v3')
    ap.add_argument('--password', required=True)
    ap.add_argument('--user', default='admin')
    ap.add_argument('--project', default='admin')
    ap.add_argument('--rules', type=int, default=1000, help='rules per phase (default 1000)')
    ap.add_argument('--concurrency', type=int, default=16, help='clients in the concurrent phase (default 16)')
    ap.add_argument('--per-group', type=int, default=500,
                    help='at most this many benchmark rules per group (default 500; Skein allows 1000 rules a group)')
    ap.add_argument('--keep', action='store_true', help='leave the groups and rules in place')
    ap.add_argument('--json', action='store_true', help='print the results as one JSON document')
    args = ap.parse_args()
    if args.rules < 1 or args.concurrency < 1 or args.per_group < 1:
        sys.exit('--rules, --concurrency and --per-group must be positive')
    if args.per_group > 65535:
        sys.exit('--per-group cannot exceed 65535 (each rule of a group uses its own TCP port)')

    api = Http(args.url)
    api.token = authenticate(args.auth_url, args.user, args.password, args.project)
    group_count = math.ceil(args.rules / args.per_group)
    results = []
    made = []
    try:
        for name, workers in (('sequential', 1), ('concurrent', args.concurrency)):
            groups = create_groups(api, group_count, name)
            made.extend(groups)
            results.append(run_phase(api, name, args.rules, groups, workers))
    finally:
        if not args.keep:
            for g in made:
                status, body, _ = api.request('DELETE', f'/v2.0/security-groups/{g}')
                if status != 204:
                    print(f'could not delete security group {g}: HTTP {status}: {body}', file=sys.stderr)

    if args.json:
        print(json.dumps({'url': args.url, 'results': results}, indent=2))
    else:
        print(f'security group rule creation against {args.url}')
        print(f'{"phase":<11} {"clients":>7} {"groups":>6} {"rules":>6} {"failed":>6} {"seconds":>8} '
              f'{"rules/s":>8} {"p50 ms":>8} {"p99 ms":>8}')
        for r in results:
            print(f'{r["phase"]:<11} {r["clients"]:>7} {r["groups"]:>6} {r["created"]:>6} {r["failed"]:>6} '
                  f'{r["seconds"]:>8} {r["rules_per_second"]:>8} {r["p50_ms"]:>8} {r["p99_ms"]:>8}')
            for f in r['first_failures']:
                print(f'  failure: {f}')
    return 1 if any(r['failed'] for r in results) else 0


if __name__ == '__main__':
    sys.exit(main())
