#!/usr/bin/env python3
"""Port create -> ACTIVE latency on one simulated host, with 1, 100 and 1000 ports already on it. Needs root.

    sudo bench/agent_latency.py [--levels 1,100,1000] [--samples 40] [--out FILE.json]

It makes a network namespace that plays the host, starts `./skein all-in-one` on a free 127.0.0.1 port with
an empty data directory and its built-in agent acting inside that namespace (local_agent.netns), and lifts the
quotas. For each level it first fills the host up to that many ports (bound to it, in the project's default
security group, each with its tap present, all ACTIVE), then measures samples one at a time: create a port bound
to the host, create its tap at once as a hypervisor would, and poll the port until the API says ACTIVE, which
the agent reports only after the tap is in the bridge and the port's firewall is in the kernel. Each measured
port is deleted again (and the agent allowed to realise that) before the next sample, so the level holds.

Taps are the host ends of veth pairs whose other end (v + 11 characters of the port id) stays in the host
namespace, up, with nothing behind it: the agent only needs the tap to exist. The default group's rule that admits its own members makes every port
create change the firewall of every port on the host (a new member address in the group's set).
Everything it made (server, data directory, its namespace and the DHCP namespace its agent made, with the dnsmasq
and haproxy inside) is removed at the end, also on failure or Ctrl-C.
Only the Python 3 standard library is used.
"""
import argparse
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import allinone  # noqa: E402
from ports import Client, authenticate, percentile  # noqa: E402

HOST = 'bench-host'


def tap(port_id):
    return 'tap' + port_id[:11]


def plug(port_id):
    """ip -batch lines that make a port's tap as a hypervisor would."""
    peer = 'v' + port_id[:11]
    return [f'link add {tap(port_id)} type veth peer name {peer}', f'link set {peer} up']


def ip_batch(netns, lines):
    if lines:
        subprocess.run(['ip', '-n', netns, '-batch', '-'], input='\n'.join(lines) + '\n', text=True, check=True)


class Bench:
    def __init__(self, a):
        self.a = a
        self.tmp = tempfile.mkdtemp(prefix='skein-agent-bench.')
        self.netns = f'skbench{secrets.token_hex(3)}-host'
        self.server = None
        self.api = None
        self.network = None
        self.fillers = []

    def start(self):
        subprocess.run(['ip', 'netns', 'add', self.netns], check=True)
        subprocess.run(['ip', '-n', self.netns, 'link', 'set', 'lo', 'up'], check=True)
        data = os.path.join(self.tmp, 'data')
        os.mkdir(data)
        config = os.path.join(self.tmp, 'skein.yaml')
        with open(config, 'w') as f:
            f.write('quotas: {network: -1, subnet: -1, port: -1, security_group: -1, security_group_rule: -1}\n'
                    f'local_agent:\n  enabled: true\n  host: {HOST}\n  local_ip: 198.51.100.1\n'
                    f'  netns: {self.netns}\n  resync_interval: 300\n')
        password = secrets.token_hex(12)
        self.log = open(os.path.join(self.tmp, 'server.log'), 'w')
        self.server, url = allinone.start(data, config, password, self.log, timeout=180, poll=0.1)
        token, _ = authenticate(url + '/identity/v3', 'admin', password, 'admin', 'Default', True)
        self.api = Client(url + '/v2.0')
        self.api.token = token
        net, _ = self.api.expect(201, 'POST', '/networks', {'network': {'name': 'agent-bench'}})
        self.network = net['network']['id']
        self.api.expect(201, 'POST', '/subnets', {'subnet': {'network_id': self.network, 'ip_version': 4,
                                                             'cidr': '10.128.0.0/16'}})

    def realised(self):
        plans, _ = self.api.expect(200, 'GET', '/skein/host-plans')
        for h in plans['host_plans']:
            if h['host'] == HOST:
                return h.get('realised_revision') is not None and h['realised_revision'] >= h['revision']
        return False

    def wait(self, what, condition, timeout=120):
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise SystemExit(f'timed out waiting for {what}; see {self.log.name}')
            time.sleep(0.02)

    def fill(self, count):
        while len(self.fillers) < count:
            n = min(100, count - len(self.fillers))
            body = {'ports': [{'network_id': self.network, 'binding:host_id': HOST,
                               'name': f'filler-{len(self.fillers) + i}'} for i in range(n)]}
            out, _ = self.api.expect(201, 'POST', '/ports', body)
            ids = [p['id'] for p in out['ports']]
            ip_batch(self.netns, [line for i in ids for line in plug(i)])
            self.fillers.extend(ids)
        ids = set(self.fillers)

        def all_active():
            out, _ = self.api.expect(200, 'GET', f'/ports?network_id={self.network}&fields=id&fields=status')
            return sum(1 for p in out['ports'] if p['id'] in ids and p['status'] == 'ACTIVE') == len(ids)
        self.wait(f'{count} ports ACTIVE', all_active, timeout=600)
        self.wait('the plan realised', self.realised)

    def sample(self):
        t0 = time.perf_counter()
        out, _ = self.api.expect(201, 'POST', '/ports', {'port': {'network_id': self.network, 'binding:host_id': HOST,
                                                                  'name': 'measured'}})
        port_id = out['port']['id']
        answered = (time.perf_counter() - t0) * 1000
        ip_batch(self.netns, plug(port_id))
        while True:
            p, _ = self.api.expect(200, 'GET', f'/ports/{port_id}?fields=status')
            if p['port']['status'] == 'ACTIVE':
                break
            if time.perf_counter() - t0 > 60:
                raise SystemExit(f'port {port_id} not ACTIVE after 60 s; see {self.log.name}')
            time.sleep(0.002)
        elapsed = (time.perf_counter() - t0) * 1000
        self.api.expect(204, 'DELETE', f'/ports/{port_id}')
        ip_batch(self.netns, [f'link del {tap(port_id)}'])
        self.wait('the delete realised', self.realised)
        return elapsed, answered

    def close(self):
        if self.server is not None and self.server.poll() is None:
            os.killpg(self.server.pid, signal.SIGTERM)
            try:
                self.server.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.server.pid, signal.SIGKILL)
                self.server.wait()
        # The agent is a network node too: its DHCP namespace (named after self.netns) and dnsmasq outlive the server.
        allinone.remove_namespaces(self.netns)
        if self.a.keep_log:
            shutil.copy(os.path.join(self.tmp, 'server.log'), self.a.keep_log)
        shutil.rmtree(self.tmp, ignore_errors=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--levels', default='1,100,1000', help='ports present on the host before each series')
    p.add_argument('--samples', type=int, default=40, help='measured port creates per level')
    p.add_argument('--out', help='write the results as JSON here')
    p.add_argument('--keep-log', help='copy the server log here at the end')
    a = p.parse_args()
    if os.geteuid() != 0:
        raise SystemExit('agent_latency.py needs root (it makes a network namespace and the agent changes it)')
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    bench = Bench(a)
    results = []
    try:
        bench.start()
        for level in sorted(int(x) for x in a.levels.split(',')):
            bench.fill(level)
            samples = [bench.sample() for _ in range(a.samples)]
            lat = sorted(s[0] for s in samples)
            post = sorted(s[1] for s in samples)
            r = {'ports_present': level, 'samples': len(lat), 'p50_ms': round(percentile(lat, 50), 1),
                 'p99_ms': round(percentile(lat, 99), 1), 'max_ms': round(lat[-1], 1),
                 'create_answered_p50_ms': round(percentile(post, 50), 1)}
            results.append(r)
            print(f"{level:5d} ports present: create -> ACTIVE p50 {r['p50_ms']} ms, p99 {r['p99_ms']} ms, "
                  f"max {r['max_ms']} ms ({r['samples']} samples; the create itself answered in "
                  f"{r['create_answered_p50_ms']} ms p50)", flush=True)
    finally:
        bench.close()
    if a.out:
        with open(a.out, 'w') as f:
            json.dump(results, f, indent=2)


if __name__ == '__main__':
    main()
