#!/usr/bin/env python3
"""Port-creation benchmark for a Networking API v2.0 endpoint (Skein or any Neutron); Python stdlib only.

It makes one network with one IPv4 /16 subnet, then creates ports in two measured phases: one client
sending requests back to back, then several clients at once. For each phase it reports ports/s and latency
percentiles; afterwards it checks that no two ports share an address or a MAC (both in the create answers and
in what the server lists), times the port listings, and deletes everything it made.

Exit status: 0 all well, 1 some request failed, 2 an address or MAC was handed out twice.

  bench/ports.py --url http://127.0.0.1:9696 --password secret [--ports 2000] [--concurrency 16]
"""
import argparse
import http.client
import ipaddress
import json
import math
import os
import statistics
import sys
import threading
import time
import urllib.parse
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

QUOTA_KEYS = ('network', 'subnet', 'port')


class ApiError(Exception):
    def __init__(self, what, status, body):
        super().__init__(f'{what}: HTTP {status}: {str(body)[:400]}')
        self.status = status


class Client:
    """HTTP/1.1 with one kept-alive connection per thread, as long-lived API clients do."""

    def __init__(self, base, keepalive=True, timeout=120):
        u = urllib.parse.urlsplit(base)
        if u.scheme not in ('http', 'https'):
            raise SystemExit(f'unsupported URL {base}')
        self.https = u.scheme == 'https'
        self.host = u.hostname
        self.port = u.port or (443 if self.https else 80)
        self.prefix = u.path.rstrip('/')
        self.keepalive = keepalive
        self.timeout = timeout
        self.token = None
        self.local = threading.local()

    def _connection(self):
        conn = getattr(self.local, 'conn', None)
        if conn is None:
            cls = http.client.HTTPSConnection if self.https else http.client.HTTPConnection
            conn = cls(self.host, self.port, timeout=self.timeout)
            self.local.conn = conn
        return conn

    def _drop(self):
        conn = getattr(self.local, 'conn', None)
        if conn is not None:
            conn.close()
        self.local.conn = None

    def call(self, method, path, body=None):
        """(status, parsed body or text, headers). A stale kept-alive connection is reopened once, but only
        for requests that may safely be sent twice, so a create is never silently duplicated."""
        data = json.dumps(body).encode() if body is not None else None
        headers = {'Accept': 'application/json'}
        if data is not None:
            headers['Content-Type'] = 'application/json'
        if self.token:
            headers['X-Auth-Token'] = self.token
        if not self.keepalive:
            headers['Connection'] = 'close'
        for attempt in (1, 2):
            conn = self._connection()
            try:
                conn.request(method, self.prefix + path, body=data, headers=headers)
                resp = conn.getresponse()
                raw = resp.read()
            except (OSError, http.client.HTTPException) as e:
                self._drop()
                stale = isinstance(e, (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError))
                if attempt == 2 or method == 'POST' or not stale:
                    raise
                continue
            if not self.keepalive or resp.will_close:
                self._drop()
            text = raw.decode('utf-8', errors='replace')
            try:
                parsed = json.loads(text) if text else None
            except ValueError:
                parsed = text
            return resp.status, parsed, resp.headers
        raise AssertionError('unreachable')

    def expect(self, status, method, path, body=None):
        st, out, hdrs = self.call(method, path, body)
        if st != status:
            raise ApiError(f'{method} {path}', st, out)
        return out, hdrs


def authenticate(auth_url, user, password, project, domain, keepalive):
    ks = Client(auth_url, keepalive)
    body = {'auth': {'identity': {'methods': ['password'], 'password': {'user': {
        'name': user, 'domain': {'name': domain}, 'password': password}}},
        'scope': {'project': {'name': project, 'domain': {'name': domain}}}}}
    out, hdrs = ks.expect(201, 'POST', '/auth/tokens', body)
    return hdrs['X-Subject-Token'], out['token']['project']['id']


def percentile(sorted_values, p):
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return float('nan')
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


class QuotaGuard:
    """Makes sure project quotas cannot cut the run short, and puts them back as they were afterwards.

    The benchmark runs as admin in the admin project; once the server enforces quotas (Neutron's default is
    500 ports a project) thousands of ports would be refused. Where the 'quotas' extension exists, the limits
    this run needs are lifted for its duration; a project that had no quota of its own is reset to the
    defaults afterwards, one that had is given its old values back.
    """

    def __init__(self, api, project_id, log):
        self.api, self.project_id, self.log = api, project_id, log
        self.restore = None

    def lift(self, needed):
        st, out, _ = self.api.call('GET', '/extensions')
        aliases = {e.get('alias') for e in out.get('extensions', [])} if st == 200 else set()
        if 'quotas' not in aliases:
            return
        path = f'/quotas/{self.project_id}'
        current, _ = self.api.expect(200, 'GET', path)
        current = current['quota']

        def used(kind):
            out, _ = self.api.expect(200, 'GET', f'/{kind}s?project_id={self.project_id}&fields=id')
            return len(out[f'{kind}s'])

        short = {k: -1 for k in QUOTA_KEYS
                 if k in current and current[k] != -1 and current[k] < used(k) + needed[k]}
        if not short:
            return
        st, listed, _ = self.api.call('GET', '/quotas')
        had_own = st == 200 and any(q.get('project_id', q.get('tenant_id')) == self.project_id
                                    for q in listed.get('quotas', []))
        self.api.expect(200, 'PUT', path, {'quota': short})
        self.restore = ('put', {k: current[k] for k in short}) if had_own else ('delete', None)
        self.log(f'quota: lifted {", ".join(f"{k} (was {current[k]})" for k in short)} for this run')

    def put_back(self):
        if self.restore is None:
            return
        how, values = self.restore
        path = f'/quotas/{self.project_id}'
        st, out, _ = (self.api.call('PUT', path, {'quota': values}) if how == 'put'
                      else self.api.call('DELETE', path))
        if st not in (200, 204):
            self.log(f'WARNING: could not restore the quota of project {self.project_id}: HTTP {st} {out}')


class CpuMeter:
    """CPU seconds used by the server, by this client and by the whole machine (Linux /proc), so a phase can say
    what each side cost per port and whether something else was competing for the cores."""

    TICK = os.sysconf('SC_CLK_TCK') if hasattr(os, 'sysconf') else 100

    def __init__(self, server_pid):
        self.server_pid = server_pid

    def _server(self):
        if not self.server_pid:
            return None
        try:
            with open(f'/proc/{self.server_pid}/stat') as f:
                fields = f.read().rsplit(')', 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / self.TICK
        except (OSError, IndexError, ValueError):
            return None

    @staticmethod
    def _machine():
        try:
            with open('/proc/stat') as f:
                ticks = [int(x) for x in f.readline().split()[1:]]
            idle = ticks[3] + (ticks[4] if len(ticks) > 4 else 0)
            return (sum(ticks) - idle) / CpuMeter.TICK, sum(ticks) / CpuMeter.TICK
        except (OSError, ValueError):
            return None

    def sample(self):
        t = os.times()
        return self._server(), t.user + t.system, self._machine()

    def usage(self, before, after, wall, ports):
        """CPU figures between two samples: milliseconds per port and cores busy on average."""
        out = {}
        if before[0] is not None and after[0] is not None:
            out['server_ms_per_port'] = (after[0] - before[0]) * 1000 / max(1, ports)
            out['server_cores'] = (after[0] - before[0]) / wall
        out['client_ms_per_port'] = (after[1] - before[1]) * 1000 / max(1, ports)
        out['client_cores'] = (after[1] - before[1]) / wall
        if before[2] and after[2]:
            busy = after[2][0] - before[2][0]
            total = after[2][1] - before[2][1]
            cores = os.cpu_count() or 1
            out['machine_busy_cores'] = busy / total * cores if total > 0 else float('nan')
            out['machine_cores'] = cores
            if 'server_cores' in out:
                out['other_cores'] = max(0.0, out['machine_busy_cores'] - out['server_cores'] - out['client_cores'])
        return out


class Bench:
    def __init__(self, args, api, log):
        self.a, self.api, self.log = args, api, log
        self.cpu = CpuMeter(args.server_pid)
        self.tag = 'bench-' + uuid.uuid4().hex[:8]
        self.network = self.subnet = None

    def setup(self):
        out, _ = self.api.expect(201, 'POST', '/networks', {'network': {'name': self.tag}})
        self.network = out['network']['id']
        out, _ = self.api.expect(201, 'POST', '/subnets', {'subnet': {
            'network_id': self.network, 'ip_version': 4, 'cidr': self.a.cidr, 'name': self.tag}})
        self.subnet = out['subnet']

    def create_one(self, i):
        t0 = time.perf_counter()
        try:
            st, out, _ = self.api.call('POST', '/ports', {'port': {'network_id': self.network, 'name': f'{self.tag}-{i}'}})
        except (OSError, http.client.HTTPException) as e:
            st, out = 0, f'{type(e).__name__}: {e}'
        return st, out, time.perf_counter() - t0

    def phase(self, label, count, workers, offset):
        cpu0 = self.cpu.sample()
        t0 = time.perf_counter()
        with ThreadPoolExecutor(workers) as pool:
            results = list(pool.map(self.create_one, range(offset, offset + count)))
        wall = time.perf_counter() - t0
        cpu = self.cpu.usage(cpu0, self.cpu.sample(), wall, count)
        ok = [r for r in results if r[0] == 201]
        failed = Counter(r[0] for r in results if r[0] != 201)
        sample = next((str(r[1])[:300] for r in results if r[0] != 201), None)
        lat = sorted(r[2] * 1000 for r in ok)
        return {
            'phase': label, 'clients': workers, 'requested': count, 'created': len(ok),
            'failed': dict(failed), 'failure_sample': sample, 'seconds': wall,
            'ports_per_s': len(ok) / wall if wall > 0 else float('nan'),
            'ms': {'mean': statistics.fmean(lat) if lat else float('nan'),
                   'p50': percentile(lat, 50), 'p95': percentile(lat, 95), 'p99': percentile(lat, 99),
                   'max': lat[-1] if lat else float('nan')},
            'cpu': cpu,
            'ports': [r[1]['port'] for r in ok],
        }

    def timed_list(self, query):
        t0 = time.perf_counter()
        out, _ = self.api.expect(200, 'GET', '/ports' + query)
        return out['ports'], (time.perf_counter() - t0) * 1000

    def check_unique(self, created, listed):
        """Problems found; an empty list means every port has its own address and MAC, as created and as stored."""
        problems = []
        cidr = ipaddress.ip_network(self.subnet['cidr'])
        gateway = self.subnet.get('gateway_ip')
        for source, ports in (('create answers', created), ('port list', listed)):
            ips = [(f['subnet_id'], f['ip_address']) for p in ports for f in p['fixed_ips']]
            macs = [p['mac_address'].lower() for p in ports]
            for what, values in (('IP address', ips), ('MAC', macs)):
                dup = [v for v, n in Counter(values).items() if n > 1]
                if dup:
                    problems.append(f'{source}: {len(dup)} {what}es handed out more than once, e.g. {dup[:5]}')
            for p in ports:
                if len(p['fixed_ips']) != 1:
                    problems.append(f'{source}: port {p["id"]} has {len(p["fixed_ips"])} fixed IPs, expected 1')
                    continue
                addr = p['fixed_ips'][0]['ip_address']
                if ipaddress.ip_address(addr) not in cidr or addr == gateway:
                    problems.append(f'{source}: port {p["id"]} got {addr}, outside the pool of {cidr}')
                if int(p['mac_address'].split(':')[0], 16) & 1:
                    problems.append(f'{source}: port {p["id"]} got multicast MAC {p["mac_address"]}')
        made = {p['id']: p for p in created}
        stored = {p['id']: p for p in listed}
        if made.keys() != stored.keys():
            problems.append(f'the list has {len(stored)} ports of this run, {len(made)} were created '
                            f'({len(made.keys() - stored.keys())} missing, {len(stored.keys() - made.keys())} unexpected)')
        changed = [i for i in made.keys() & stored.keys()
                   if (made[i]['mac_address'], made[i]['fixed_ips']) != (stored[i]['mac_address'], stored[i]['fixed_ips'])]
        if changed:
            problems.append(f'{len(changed)} ports are listed with another address or MAC than they were created with')
        return problems

    def delete_ports(self):
        """Deletes every port on the benchmark network, found by listing so that nothing is left behind even if
        an answer was lost; returns (deleted, seconds, failures)."""
        ports, _ = self.timed_list(f'?network_id={self.network}&fields=id')
        t0 = time.perf_counter()

        def delete(pid):
            try:
                return self.api.call('DELETE', f'/ports/{pid}')[0]
            except (OSError, http.client.HTTPException):
                return 0

        with ThreadPoolExecutor(self.a.concurrency) as pool:
            codes = list(pool.map(delete, [p['id'] for p in ports]))
        bad = sum(1 for c in codes if c not in (204, 404))
        return len(codes) - bad, time.perf_counter() - t0, bad

    def teardown(self):
        if self.network is None:
            return None
        deleted, secs, bad = self.delete_ports()
        if self.subnet is not None:
            self.api.call('DELETE', f'/subnets/{self.subnet["id"]}')
        st, out, _ = self.api.call('DELETE', f'/networks/{self.network}')
        if st != 204 or bad:
            self.log(f'WARNING: cleanup incomplete: {bad} port deletes failed, network delete answered {st} {out}')
        return {'deleted': deleted, 'seconds': secs, 'per_s': deleted / secs if secs > 0 else float('nan')}


def table(report):
    rows = ['| phase | clients | created | ports/s | p50 ms | p95 ms | p99 ms | max ms '
            '| server CPU ms/port | client CPU ms/port | machine busy, cores | of which others |',
            '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|']

    def fmt(v, spec):
        return 'n/a' if v is None else format(v, spec)

    for ph in report['phases']:
        m, c = ph['ms'], ph['cpu']
        created = f'{ph["created"]}/{ph["requested"]}'
        busy = c.get('machine_busy_cores')
        machine = 'n/a' if busy is None else f'{busy:.2f} of {c["machine_cores"]}'
        rows.append(f'| {ph["phase"]} | {ph["clients"]} | {created} | {ph["ports_per_s"]:.1f} | {m["p50"]:.1f} '
                    f'| {m["p95"]:.1f} | {m["p99"]:.1f} | {m["max"]:.1f} | {fmt(c.get("server_ms_per_port"), ".2f")} '
                    f'| {fmt(c.get("client_ms_per_port"), ".2f")} | {machine} | {fmt(c.get("other_cores"), ".2f")} |')
    return '\n'.join(rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--url', required=True, help='endpoint root, e.g. http://127.0.0.1:9696 (the API is URL/v2.0)')
    ap.add_argument('--auth-url', help='Keystone v3 URL (default: URL/identity/v3, Skein\'s built-in one)')
    ap.add_argument('--username', default='admin')
    ap.add_argument('--password', default=os.environ.get('SKEIN_ADMIN_PASSWORD') or os.environ.get('OS_PASSWORD'),
                    help='default: $SKEIN_ADMIN_PASSWORD, else $OS_PASSWORD')
    ap.add_argument('--project', default='admin')
    ap.add_argument('--domain', default='Default')
    ap.add_argument('--ports', type=int, default=2000, help='ports per phase (default 2000)')
    ap.add_argument('--concurrency', type=int, default=16, help='clients in the concurrent phase (default 16)')
    ap.add_argument('--phases', default='sequential,concurrent',
                    help='comma-separated, in order: sequential, concurrent (default both)')
    ap.add_argument('--warmup', type=int, default=1000,
                    help='ports created and deleted before measuring, so the server\'s JIT is warmer (default 1000)')
    ap.add_argument('--cidr', default='10.128.0.0/16', help='subnet of the benchmark network (default 10.128.0.0/16)')
    ap.add_argument('--no-keepalive', action='store_true', help='open a new connection for every request')
    ap.add_argument('--server-pid', type=int, help='process id of a server on this machine, to report its CPU use')
    ap.add_argument('--json', metavar='FILE', help='also write the results as JSON to FILE')
    a = ap.parse_args()
    phases = [p.strip() for p in a.phases.split(',') if p.strip()]
    if not phases or any(p not in ('sequential', 'concurrent') for p in phases):
        ap.error('--phases takes sequential and/or concurrent')
    if a.password is None:
        ap.error('--password (or SKEIN_ADMIN_PASSWORD) is required')
    if a.ports < 1 or a.concurrency < 1 or a.warmup < 0:
        ap.error('--ports and --concurrency must be positive, --warmup not negative')

    def log(msg):
        print(msg, file=sys.stderr, flush=True)

    root = a.url.rstrip('/')
    token, project_id = authenticate(a.auth_url or root + '/identity/v3', a.username, a.password, a.project,
                                     a.domain, not a.no_keepalive)
    api = Client(root + '/v2.0', keepalive=not a.no_keepalive)
    api.token = token
    bench = Bench(a, api, log)
    quota = QuotaGuard(api, project_id, log)
    report = {'url': root, 'ports_per_phase': a.ports, 'concurrency': a.concurrency, 'warmup': a.warmup,
              'keepalive': not a.no_keepalive, 'started': time.strftime('%Y-%m-%dT%H:%M:%S%z'), 'phases': []}
    problems, failed = [], False
    try:
        quota.lift({'network': 1, 'subnet': 1, 'port': a.ports * len(phases) + a.warmup})
        bench.setup()
        log(f'network {bench.network}, subnet {bench.subnet["cidr"]}')
        if a.warmup:
            warm = bench.phase('warm-up', a.warmup, a.concurrency, 0)
            if warm['created'] != a.warmup:
                raise SystemExit(f'warm-up failed: {warm["failed"]} e.g. {warm["failure_sample"]}')
            bench.delete_ports()
        created = []
        for name in phases:
            workers = 1 if name == 'sequential' else a.concurrency
            label = 'sequential' if workers == 1 else f'{workers} concurrent'
            log(f'{label}: creating {a.ports} ports ...')
            ph = bench.phase(label, a.ports, workers, a.warmup + len(created))
            created += ph.pop('ports')
            report['phases'].append(ph)
            failed |= ph['created'] != ph['requested']
            if ph['failed']:
                log(f'{label}: {sum(ph["failed"].values())} failed, by status {ph["failed"]}, e.g. {ph["failure_sample"]}')
        listed, ms_net = bench.timed_list(f'?network_id={bench.network}')
        _, ms_all = bench.timed_list('')
        report['list'] = {'network_ports': len(listed), 'network_ms': ms_net, 'all_ms': ms_all}
        problems = bench.check_unique(created, listed)
        report['uniqueness'] = {'ports': len(created),
                                'distinct_ips': len({f['ip_address'] for p in created for f in p['fixed_ips']}),
                                'distinct_macs': len({p['mac_address'] for p in created}),
                                'listed': len(listed), 'problems': problems}
    finally:
        try:
            report['delete'] = bench.teardown()
        finally:
            quota.put_back()

    print(table(report))
    u, ls = report['uniqueness'], report['list']
    print(f'\nlist ports of the network: {ls["network_ports"]} ports in {ls["network_ms"]:.0f} ms; '
          f'list all ports: {ls["all_ms"]:.0f} ms')
    verdict = 'OK' if not problems else 'FAILED'
    print(f'uniqueness {verdict}: {u["ports"]} ports, {u["distinct_ips"]} distinct IPs, {u["distinct_macs"]} distinct MACs; '
          f'{u["listed"]} listed')
    d = report.get('delete')
    if d:
        print(f'cleanup: {d["deleted"]} ports deleted by {a.concurrency} clients in {d["seconds"]:.1f} s '
              f'({d["per_s"]:.1f}/s)')
    if a.json:
        with open(a.json, 'w') as f:
            json.dump(report, f, indent=2)
    if problems:
        for p in problems:
            print(f'UNIQUENESS VIOLATION: {p}', file=sys.stderr)
        sys.exit(2)
    sys.exit(1 if failed else 0)


if __name__ == '__main__':
    main()
