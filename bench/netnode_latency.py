#!/usr/bin/env python3
"""Network-node latencies: port create -> DHCP lease, floating IP associate -> reachable, one big router. Needs root.

    sudo bench/netnode_latency.py [--samples 40] [--interfaces 50] [--fips 500] [--out FILE.json]

It starts `./skein all-in-one` on a free 127.0.0.1 port with an empty data directory and its built-in agent (a
compute host and a network node at once) acting inside a fresh network namespace, "the host". The host's
interface ext0 is a veth whose other end, eth0, lives in an "outside" namespace holding the gateway address of
a flat external network (physical network extnet, mapped to ext0). Quotas are lifted in the server's
configuration. Three measurements, one after the other on the same server:

dhcp    Per sample: create a port bound to the host on a network with a DHCP-enabled subnet, then at once a VM
        namespace and its tap (a veth whose VM end has the port's MAC), then run busybox udhcpc in the VM until
        it is bound. udhcpc retransmits only after whole seconds, so a new one is started every --dhcp-interval
        seconds (0.025) while the earlier ones still wait: the figure says when the network first answered, to
        within that interval, not when one client's timer would have fired. The lease time is taken in the
        hook script, when the first client is bound. Reported: create request start -> lease, tap created ->
        lease. One unmeasured sample warms dnsmasq up first.
fip     One VM (address by DHCP) on a network behind a router whose gateway is on the external network, in a
        security group that admits ICMP. Per sample: the outside forgets its ARP entry for the floating IP, a
        `ping -i 0.02` from the outside starts, the floating IP is associated with the VM's port (PUT port_id)
        and the time to the first echo reply (ping's own receive timestamp) is taken; then it is disassociated
        and the next sample waits until the address no longer answers and the host's plan is realised. Two
        series: "isolated", each association at least --fip-gap seconds (3) after the previous reply, and
        "back-to-back", as fast as that loop goes. They differ because the agent announces a new floating IP
        (gratuitous ARP, 2 s per arping) and drops a released one's connections on one background thread, so
        an announcement can wait behind the previous one, and until it goes out the outside host only learns
        the address from its own ARP retry, a second after its first try.
router  One router with --interfaces networks (a /24 each, no DHCP) and --fips ports, one floating IP each,
        spread over them (the ports need no VMs, except one). The router is built with admin_state_up false,
        then set up; "from scratch" is the time from that last API call until, each polled every 50 ms: the
        namespace exists; it holds every interface address, every floating IP address on its qg- device and
        every element of both NAT maps; the API shows all the router's ports ACTIVE (their taps are in their
        bridges); the host plan is reported realised; and a ping from the outside (started before the call,
        its ARP entry flushed) has its first reply through the real VM's floating IP. Then such a ping runs
        while the whole all-in-one server is stopped (SIGTERM to its process) and started again on the same
        data and configuration (dnsmasq, haproxy and the router namespace stay): reported are the echoes lost
        and how long until the host plan is realised again. The realised revision is kept across restarts, so
        right after the API answers again the script creates one port bound to the host (no security groups)
        and waits for the revision that includes it.

Every process and namespace it made (server, data directory, namespaces named with a random prefix, including
the DHCP and router namespaces the agent made, and the dnsmasq and haproxy processes in them, which outlive the
server) is removed at the end, also on failure or Ctrl-C. Only the Python 3 standard library is used.
"""
import argparse
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import allinone  # noqa: E402
from ports import Client, authenticate, percentile  # noqa: E402

HOST = 'netnode-bench'
EXTERNAL_CIDR, OUTSIDE_IP, EXTERNAL_POOL = '198.18.0.0/22', '198.18.0.1', ('198.18.0.10', '198.18.3.250')
REPLY = re.compile(r'^\[(\d+\.\d+)\] \d+ bytes from [^:]+: icmp_seq=(\d+)')
SUMMARY = re.compile(r'(\d+) packets transmitted, (\d+) received')

# Runs inside the VM's namespace only (ip netns exec): it never touches the machine's resolver configuration.
HOOK = """#!/bin/sh
case "$1" in
  bound|renew)
    if [ -n "$SKEIN_BENCH_APPLY" ]; then
      ip addr flush dev "$interface"
      ip addr add "$ip/$mask" dev "$interface"
      [ -n "$router" ] && ip route replace default via "${router%% *}"
    fi
    # noclobber: of several clients bound at about the same time, the first one's record stays.
    (set -C; printf '%s %s\\n' "$(date +%s.%N)" "$ip" > "$SKEIN_BENCH_LEASE") 2>/dev/null;;
esac
exit 0
"""


def tap(port_id):
    return 'tap' + port_id[:11]


def sh(*argv, check=True):
    r = subprocess.run(argv, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if check and r.returncode != 0:
        raise RuntimeError(f'{" ".join(argv)} failed ({r.returncode}): {r.stderr.strip()}')
    return r


def stats(values):
    v = sorted(values)
    return {'samples': len(v), 'p50_ms': round(percentile(v, 50), 1), 'p99_ms': round(percentile(v, 99), 1),
            'min_ms': round(v[0], 1), 'max_ms': round(v[-1], 1), 'all_ms': [round(x, 1) for x in values]}


def uptime():
    with open('/proc/loadavg') as f:
        return ' '.join(f.read().split()[:3])


class Ping:
    """A continuous ping from a namespace; replies are read as they come, with ping's receive timestamps."""

    def __init__(self, netns, address, interval):
        self.proc = subprocess.Popen(['ip', 'netns', 'exec', netns, 'ping', '-n', '-D', '-O', '-i', str(interval), address],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines, self.replies = [], []
        self.cond = threading.Condition()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        with self.cond:
            if not self.cond.wait_for(lambda: self.lines or self.proc.poll() is not None, 10) or not self.lines:
                raise RuntimeError(f'ping {address} from {netns} did not start')

    def _read(self):
        for line in self.proc.stdout:
            m = REPLY.match(line)
            with self.cond:
                self.lines.append(line)
                if m:
                    self.replies.append((int(m.group(2)), float(m.group(1))))
                self.cond.notify_all()
        with self.cond:
            self.cond.notify_all()

    def first_reply(self, timeout):
        """Unix time at which the first echo reply arrived, or None."""
        with self.cond:
            self.cond.wait_for(lambda: self.replies or self.proc.poll() is not None, timeout)
            return self.replies[0][1] if self.replies else None

    def stop(self):
        """Stops it (SIGINT, so it prints its summary); returns (transmitted, received, sequence numbers lost before
        the last reply). The last echo may still be in flight when ping stops, so only gaps before it count."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.reader.join(10)
        m = SUMMARY.search(''.join(self.lines))
        got = {seq for seq, _ in self.replies}
        lost = sorted(set(range(min(got), max(got) + 1)) - got) if got else None
        return (int(m.group(1)) if m else None), (int(m.group(2)) if m else None), lost


class Bench:
    def __init__(self, a):
        self.a = a
        self.tmp = tempfile.mkdtemp(prefix='skein-netnode-bench.')
        self.prefix = f'sknn{secrets.token_hex(3)}-'
        self.host_ns = self.prefix + 'host'
        self.outside = self.prefix + 'out'
        self.data = os.path.join(self.tmp, 'data')
        self.config = os.path.join(self.tmp, 'skein.yaml')
        self.hook = os.path.join(self.tmp, 'dhcp-hook.sh')
        self.password = secrets.token_hex(12)
        self.server = None
        self.starts = 0
        self.log = None
        self.api = None
        self.project = None
        self.external = None
        self.pings = []
        self.last_reply = None

    # --- server and namespaces -------------------------------------------------------------------------------

    def prepare(self):
        sh('ip', 'netns', 'add', self.host_ns)
        sh('ip', 'netns', 'add', self.outside)
        for ns in (self.host_ns, self.outside):
            sh('ip', '-n', ns, 'link', 'set', 'lo', 'up')
        sh('ip', '-n', self.host_ns, 'link', 'add', 'ext0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', self.outside)
        sh('ip', '-n', self.host_ns, 'link', 'set', 'ext0', 'up')
        sh('ip', '-n', self.outside, 'link', 'set', 'eth0', 'up')
        sh('ip', '-n', self.outside, 'addr', 'add', OUTSIDE_IP + '/22', 'dev', 'eth0')
        os.mkdir(self.data)
        with open(self.config, 'w') as f:
            f.write('quotas: {network: -1, subnet: -1, port: -1, router: -1, floatingip: -1, security_group: -1,'
                    ' security_group_rule: -1}\n'
                    f'local_agent:\n  enabled: true\n  host: {HOST}\n  local_ip: 198.51.100.1\n'
                    f'  netns: {self.host_ns}\n  resync_interval: 300\n  bridge_mappings: {{extnet: ext0}}\n'
                    f'  state_dir: {os.path.join(self.tmp, "state")}\n')
        with open(self.hook, 'w') as f:
            f.write(HOOK)
        os.chmod(self.hook, 0o755)

    def start_server(self):
        """Starts all-in-one; returns (spawned, answering) as unix times."""
        self.starts += 1
        self.log = open(os.path.join(self.tmp, f'server-{self.starts}.log'), 'w')
        spawned = time.time()
        self.server, url = allinone.start(self.data, self.config, self.password, self.log)
        answering = time.time()
        token, self.project = authenticate(url + '/identity/v3', 'admin', self.password, 'admin', 'Default', True)
        self.api = Client(url + '/v2.0')
        self.api.token = token
        return spawned, answering

    def stop_server(self, group=True):
        """SIGTERM to the server's process group (at the end), or to the server alone, as an operator would."""
        if self.server is None or self.server.poll() is not None:
            return
        if group:
            os.killpg(self.server.pid, signal.SIGTERM)
        else:
            self.server.send_signal(signal.SIGTERM)
        try:
            self.server.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(self.server.pid, signal.SIGKILL)
            self.server.wait()

    def close(self):
        for p in self.pings:
            if p.proc.poll() is None:
                p.proc.kill()
                p.proc.wait()
        self.stop_server()
        allinone.remove_namespaces(self.prefix)
        if self.a.keep_logs:
            os.makedirs(self.a.keep_logs, exist_ok=True)
            for n in range(1, self.starts + 1):
                shutil.copy(os.path.join(self.tmp, f'server-{n}.log'), self.a.keep_logs)
        shutil.rmtree(self.tmp, ignore_errors=True)

    # --- API helpers -------------------------------------------------------------------------------------------

    def create(self, kind, body):
        out, _ = self.api.expect(201, 'POST', '/' + kind.replace('_', '-') + 's', {kind: body})
        return out[kind]

    def create_bulk(self, kind, bodies):
        out, _ = self.api.expect(201, 'POST', f'/{kind}s', {f'{kind}s': bodies})
        return out[f'{kind}s']

    def ports(self, query):
        out, _ = self.api.expect(200, 'GET', f'/ports?{query}')
        return out['ports']

    def status(self, port_id):
        out, _ = self.api.expect(200, 'GET', f'/ports/{port_id}?fields=status')
        return out['port']['status']

    def plan(self):
        out, _ = self.api.expect(200, 'GET', '/skein/host-plans')
        for h in out['host_plans']:
            if h['host'] == HOST:
                return h['revision'], h.get('realised_revision')
        return None, None

    def realised(self):
        revision, done = self.plan()
        return revision is not None and done is not None and done >= revision

    def wait(self, what, condition, timeout=120, interval=0.02):
        deadline = time.monotonic() + timeout
        while not condition():
            if self.server.poll() is not None:
                raise SystemExit(f'the server exited while waiting for {what}; see {self.log.name}')
            if time.monotonic() > deadline:
                raise SystemExit(f'timed out after {timeout} s waiting for {what}; see {self.log.name}')
            time.sleep(interval)

    def network(self, name, cidr, dhcp):
        net = self.create('network', {'name': name})
        subnet = self.create('subnet', {'network_id': net['id'], 'ip_version': 4, 'cidr': cidr, 'enable_dhcp': dhcp})
        return net['id'], subnet['id']

    def common(self):
        self.external = self.create('network', {'name': 'public', 'router:external': True, 'provider:network_type': 'flat',
                                                'provider:physical_network': 'extnet'})['id']
        self.create('subnet', {'network_id': self.external, 'ip_version': 4, 'cidr': EXTERNAL_CIDR, 'gateway_ip': OUTSIDE_IP,
                               'enable_dhcp': False,
                               'allocation_pools': [{'start': EXTERNAL_POOL[0], 'end': EXTERNAL_POOL[1]}]})
        out, _ = self.api.expect(200, 'GET', f'/security-groups?project_id={self.project}&name=default')
        group = out['security_groups'][0]['id']
        self.create('security_group_rule', {'security_group_id': group, 'direction': 'ingress', 'ethertype': 'IPv4',
                                            'protocol': 'icmp', 'remote_ip_prefix': '0.0.0.0/0'})

    def router(self, name, subnets, up=True):
        r = self.create('router', {'name': name, 'admin_state_up': up, 'external_gateway_info': {'network_id': self.external}})
        for s in subnets:
            self.api.expect(200, 'PUT', f'/routers/{r["id"]}/add_router_interface', {'subnet_id': s})
        return r['id']

    def vm_port(self, network, name):
        return self.create('port', {'network_id': network, 'binding:host_id': HOST, 'device_owner': 'compute:nova',
                                    'device_id': str(uuid.uuid4()), 'name': name})

    def plug(self, vm, port, address=None, gateway=None):
        """What a hypervisor does: the VM's namespace, and the tap whose VM end has the port's MAC."""
        sh('ip', 'netns', 'add', vm)
        sh('ip', '-n', self.host_ns, 'link', 'add', tap(port['id']), 'type', 'veth', 'peer', 'name', 'eth0',
           'address', port['mac_address'], 'netns', vm)
        sh('ip', '-n', vm, 'link', 'set', 'eth0', 'up')
        if address:
            sh('ip', '-n', vm, 'addr', 'add', address, 'dev', 'eth0')
            sh('ip', '-n', vm, 'route', 'add', 'default', 'via', gateway)

    def lease(self, vm, apply=False, timeout=60):
        """Starts a udhcpc in the VM every --dhcp-interval seconds (each gives up by itself after one discover and
        a second) until one is bound; returns (unix time its hook ran, address, clients started). Overlapping
        clients are harmless: each only takes the answers to its own transaction id, and the hook records the
        first lease only."""
        record = os.path.join(self.tmp, vm + '.lease')
        if os.path.exists(record):
            os.unlink(record)
        env = dict(os.environ, SKEIN_BENCH_LEASE=record)
        if apply:
            env['SKEIN_BENCH_APPLY'] = '1'
        deadline = time.monotonic() + timeout
        clients, started = [], 0
        try:
            while True:
                clients.append(subprocess.Popen(['ip', 'netns', 'exec', vm, 'busybox', 'udhcpc', '-i', 'eth0', '-f', '-n', '-q',
                                                 '-t', '1', '-T', '1', '-s', self.hook], env=env,
                                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
                started += 1
                time.sleep(self.a.dhcp_interval)
                if os.path.exists(record):
                    with open(record) as f:
                        fields = f.read().split()
                    if len(fields) == 2:
                        return float(fields[0]), fields[1], started
                clients = [c for c in clients if c.poll() is None]
                if time.monotonic() > deadline:
                    raise SystemExit(f'no DHCP lease in {vm} after {timeout} s ({started} clients); see {self.log.name}')
        finally:
            for c in clients:
                if c.poll() is None:
                    c.kill()
                    c.wait()

    # --- dhcp ---------------------------------------------------------------------------------------------------

    def dhcp(self):
        network, _ = self.network('dhcp-bench', '10.64.0.0/16', True)
        self.wait('the DHCP port ACTIVE', lambda: any(p['status'] == 'ACTIVE' for p in
                                                      self.ports(f'network_id={network}&device_owner=network:dhcp')))
        self.wait('the plan realised', self.realised)
        self.dhcp_sample(network, 'warmup')
        samples = [self.dhcp_sample(network, str(i)) for i in range(self.a.samples)]
        r = {'create_to_lease': stats([s[0] for s in samples]), 'tap_to_lease': stats([s[1] for s in samples]),
             'create_answered': stats([s[2] for s in samples]),
             'udhcpc_clients_mean': round(sum(s[3] for s in samples) / len(samples), 1)}
        print(f"port create -> DHCP lease: p50 {r['create_to_lease']['p50_ms']} ms, p99 {r['create_to_lease']['p99_ms']} ms, "
              f"max {r['create_to_lease']['max_ms']} ms; tap created -> lease p50 {r['tap_to_lease']['p50_ms']} ms, "
              f"p99 {r['tap_to_lease']['p99_ms']} ms; the create answered in {r['create_answered']['p50_ms']} ms p50 "
              f"({len(samples)} samples, {r['udhcpc_clients_mean']} udhcpc clients started on average)", flush=True)
        return r

    def dhcp_sample(self, network, name):
        vm = self.prefix + 'vm-d' + name
        t0 = time.time()
        port = self.vm_port(network, 'dhcp-' + name)
        answered = time.time()
        self.plug(vm, port)
        plugged = time.time()
        leased, address, clients = self.lease(vm)
        expected = port['fixed_ips'][0]['ip_address']
        if address != expected:
            raise SystemExit(f'{vm} leased {address}, but its port has {expected}')
        self.api.expect(204, 'DELETE', f'/ports/{port["id"]}')
        allinone.remove_namespace(vm)
        self.wait('the delete realised', self.realised)
        return (leased - t0) * 1000, (leased - plugged) * 1000, (answered - t0) * 1000, clients

    # --- fip ----------------------------------------------------------------------------------------------------

    def fip(self):
        network, subnet = self.network('fip-bench', '10.65.0.0/24', True)
        router = self.router('fip-bench', [subnet])
        self.wait('the router and DHCP ports ACTIVE', lambda: all(p['status'] == 'ACTIVE' for p in
                  self.ports(f'device_id={router}') + self.ports(f'network_id={network}&device_owner=network:dhcp')),
                  timeout=180)
        vm = self.prefix + 'vm-fip'
        port = self.vm_port(network, 'fip-vm')
        self.plug(vm, port)
        self.lease(vm, apply=True)
        self.wait('the VM port ACTIVE', lambda: self.status(port['id']) == 'ACTIVE')
        fip = self.create('floatingip', {'floating_network_id': self.external})
        self.wait('the plan realised', self.realised)
        self.fip_sample(fip, port['id'], 0)
        r = {}
        for mode, gap in (('isolated', self.a.fip_gap), ('back_to_back', 0)):
            samples = [self.fip_sample(fip, port['id'], gap) for _ in range(self.a.samples)]
            r[mode] = {'associate_to_reply': stats([s[0] for s in samples]), 'associate_answered': stats([s[1] for s in samples])}
            m = r[mode]
            print(f"floating IP associate -> first reply from outside ({mode.replace('_', '-')}"
                  f"{f', at least {gap} s after the previous reply' if gap else ''}): p50 {m['associate_to_reply']['p50_ms']} ms, "
                  f"p99 {m['associate_to_reply']['p99_ms']} ms, max {m['associate_to_reply']['max_ms']} ms; the PUT answered "
                  f"in {m['associate_answered']['p50_ms']} ms p50 ({len(samples)} samples)", flush=True)
        return r

    def fip_sample(self, fip, port_id, gap):
        """One associate -> reply measurement; with a gap, it starts no sooner than that many seconds after the
        previous sample's reply, so that the agent's announcements for that one are over."""
        address = fip['floating_ip_address']
        if gap and self.last_reply:
            time.sleep(max(0.0, self.last_reply + gap - time.time()))
        # Each sample starts from an outside host that has never resolved the address.
        sh('ip', '-n', self.outside, 'neigh', 'flush', 'to', address, check=False)
        ping = Ping(self.outside, address, 0.02)
        self.pings.append(ping)
        t0 = time.time()
        self.api.expect(200, 'PUT', f'/floatingips/{fip["id"]}', {'floatingip': {'port_id': port_id}})
        answered = time.time()
        reply = ping.first_reply(60)
        ping.stop()
        self.pings.remove(ping)
        if reply is None:
            raise SystemExit(f'floating IP {address} did not answer within 60 s; see {self.log.name}')
        self.last_reply = reply
        self.api.expect(200, 'PUT', f'/floatingips/{fip["id"]}', {'floatingip': {'port_id': None}})
        self.wait(f'{address} no longer answering', lambda: sh('ip', 'netns', 'exec', self.outside, 'ping', '-n', '-q', '-c', '1',
                                                              '-W', '1', address, check=False).returncode != 0, timeout=60)
        self.wait('the plan realised', self.realised)
        return (reply - t0) * 1000, (answered - t0) * 1000

    # --- router -------------------------------------------------------------------------------------------------

    def router_state(self, ns):
        """(interfaces with an address, floating IP addresses on qg-) in the router's namespace, None if none yet."""
        r = sh('ip', '-n', ns, '-4', '-o', 'addr', 'show', check=False)
        if r.returncode != 0:
            return None
        interfaces, fips = set(), 0
        for line in r.stdout.splitlines():
            f = line.split()
            dev = f[1].split('@')[0]
            if dev.startswith('qg-') and f[3].endswith('/32'):
                fips += 1
            elif dev.startswith('qr-'):
                interfaces.add(dev)
        return len(interfaces), fips

    def nat_elements(self, ns, name):
        r = sh('ip', 'netns', 'exec', ns, 'nft', '-j', 'list', 'map', 'ip', 'skein_router', name, check=False)
        if r.returncode != 0:
            return 0
        for item in json.loads(r.stdout)['nftables']:
            if 'map' in item:
                return len(item['map'].get('elem', []))
        return 0

    def complete(self, ns, interfaces, fips):
        state = self.router_state(ns)
        return (state == (interfaces, fips) and self.nat_elements(ns, 'fip_dnat') == fips
                and self.nat_elements(ns, 'fip_snat') == fips)

    def big_router(self):
        n, total = self.a.interfaces, self.a.fips
        built = time.time()
        nets = self.create_bulk('network', [{'name': f'rt-{i}'} for i in range(n)])
        subnets = self.create_bulk('subnet', [{'network_id': net['id'], 'ip_version': 4, 'cidr': f'10.{66 + i // 256}.{i % 256}.0/24',
                                               'enable_dhcp': False} for i, net in enumerate(nets)])
        router = self.router('big', [s['id'] for s in subnets], up=False)
        bodies = [{'network_id': nets[i % n]['id'], 'binding:host_id': HOST, 'device_owner': 'compute:nova',
                   'device_id': str(uuid.uuid4()), 'name': f'rt-port-{i}'} for i in range(total)]
        ports = []
        for k in range(0, total, 100):
            ports.extend(self.create_bulk('port', bodies[k:k + 100]))
        fips = []
        for k in range(0, total, 50):
            fips.extend(self.create_bulk('floatingip', [{'floating_network_id': self.external, 'port_id': p['id']}
                                                        for p in ports[k:k + 50]]))
        # The real VM is the first port, on the first network: fixed address, default route via the router.
        vm_port, vm_fip = ports[0], fips[0]['floating_ip_address']
        gateway = next(s['gateway_ip'] for s in subnets if s['network_id'] == vm_port['network_id'])
        self.plug(self.prefix + 'vm-big', vm_port, vm_port['fixed_ips'][0]['ip_address'] + '/24', gateway)
        self.wait('the VM port ACTIVE', lambda: self.status(vm_port['id']) == 'ACTIVE', timeout=600)
        self.wait('the plan without the router realised', self.realised, timeout=600)
        build_s = time.time() - built
        ns = f'{self.host_ns}-qrouter-{router}'

        sh('ip', '-n', self.outside, 'neigh', 'flush', 'to', vm_fip, check=False)
        ping = Ping(self.outside, vm_fip, 0.02)
        self.pings.append(ping)
        t0 = time.time()
        self.api.expect(200, 'PUT', f'/routers/{router}', {'router': {'admin_state_up': True}})
        answered = time.time()
        revision = self.plan()[0]
        # Each milestone is taken the first time a poll sees it; the router is done when all are reached.
        seen = {}
        checks = {
            'namespace': lambda: self.router_state(ns) is not None,
            'kernel_complete': lambda: self.complete(ns, n, total),
            'router_ports_active': lambda: all(p['status'] == 'ACTIVE' for p in self.ports(f'device_id={router}&fields=status')),
            'plan_realised': lambda: (self.plan()[1] or 0) >= revision,
            'vm_reachable': lambda: ping.first_reply(0) is not None,
        }
        deadline = time.monotonic() + 600
        while len(seen) < len(checks):
            for name, check in checks.items():
                if name not in seen and check():
                    seen[name] = ping.first_reply(0) if name == 'vm_reachable' else time.time()
            if self.server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f'router {router} not complete (reached only {sorted(seen)}, state '
                                 f'{self.router_state(ns)}); see {self.log.name}')
            time.sleep(0.05)
        ping.stop()
        self.pings.remove(ping)
        scratch = {'build_via_api_s': round(build_s, 1), 'put_answered_ms': round((answered - t0) * 1000, 1)}
        scratch.update({f'{name}_ms': round((at - t0) * 1000, 1) for name, at in seen.items()})
        scratch['complete_ms'] = round((max(seen.values()) - t0) * 1000, 1)
        print(f"router with {n} interfaces and {total} floating IPs from scratch, after the PUT admin_state_up=true: "
              f"namespace {scratch['namespace_ms']} ms, every address and NAT map element {scratch['kernel_complete_ms']} ms, "
              f"router ports ACTIVE {scratch['router_ports_active_ms']} ms, plan reported realised "
              f"{scratch['plan_realised_ms']} ms, first reply from the outside through a floating IP "
              f"{scratch['vm_reachable_ms']} ms (building it through the API took {scratch['build_via_api_s']} s)", flush=True)
        # The restart below should not cut the announcements of the new addresses short.
        time.sleep(3)
        restart = self.restart(ns, n, total, vm_fip, nets[0]['id'])
        return {'interfaces': n, 'floating_ips': total, 'from_scratch': scratch, 'restart': restart}

    def restart(self, ns, n, total, vm_fip, marker_network):
        ping = Ping(self.outside, vm_fip, 0.05)
        self.pings.append(ping)
        time.sleep(1)
        first_log = self.log.name
        t0 = time.time()
        self.stop_server(group=False)
        stopped = time.time()
        spawned, answering = self.start_server()
        self.create('port', {'network_id': marker_network, 'binding:host_id': HOST, 'name': 'restart-marker',
                             'port_security_enabled': False, 'security_groups': []})
        revision = self.plan()[0]
        self.wait('the plan realised after the restart', lambda: (self.plan()[1] or 0) >= revision, timeout=600)
        realised = time.time()
        intact = self.complete(ns, n, total)
        time.sleep(2)
        transmitted, received, lost = ping.stop()
        self.pings.remove(ping)
        with open(self.log.name) as f:
            changes = [line.strip() for line in f if re.search(r'routers: \d+ change|DHCP: |change\(s\) to the kernel', line)]
        r = {'stop_ms': round((stopped - t0) * 1000, 1), 'start_to_api_ms': round((answering - spawned) * 1000, 1),
             'api_to_realised_ms': round((realised - answering) * 1000, 1), 'sigterm_to_realised_ms': round((realised - t0) * 1000, 1),
             'router_intact_after': intact, 'echoes_transmitted': transmitted, 'echoes_received': received,
             'echoes_lost': None if lost is None else len(lost), 'lost_sequence_numbers': lost,
             'router_or_dhcp_changes_by_restarted_agent': changes, 'first_server_log': os.path.basename(first_log)}
        print(f"restart of all-in-one under a ping (every 50 ms) through floating IP {vm_fip}: "
              f"{r['echoes_lost']} of {transmitted} echoes lost ({received} answered; the last may be in flight); "
              f"SIGTERM -> exited {r['stop_ms']} ms, start -> API answering {r['start_to_api_ms']} ms, "
              f"API answering -> plan realised {r['api_to_realised_ms']} ms, SIGTERM -> realised "
              f"{r['sigterm_to_realised_ms']} ms; router intact: {intact}; router/DHCP changes logged by the restarted "
              f"agent: {len(changes)}", flush=True)
        return r


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--samples', type=int, default=40, help='measured samples of dhcp and fip (default 40)')
    p.add_argument('--interfaces', type=int, default=50, help='router scenario: networks on the router (default 50)')
    p.add_argument('--fips', type=int, default=500, help='router scenario: floating IPs (default 500)')
    p.add_argument('--scenarios', default='dhcp,fip,router', help='which to run, in this order (default all)')
    p.add_argument('--fip-gap', type=float, default=3.0,
                   help='seconds between one floating IP sample\'s reply and the next association (default 3)')
    p.add_argument('--dhcp-interval', type=float, default=0.025,
                   help='seconds between the starts of DHCP clients in a VM until one is bound (default 0.025)')
    p.add_argument('--out', help='write the results as JSON here')
    p.add_argument('--keep-logs', help='copy the server logs into this directory at the end')
    a = p.parse_args()
    if os.geteuid() != 0:
        raise SystemExit('netnode_latency.py needs root (it makes network namespaces and the agent changes them)')
    # The external pool (198.18.0.10-198.18.3.250, 1009 addresses) also holds two router gateways and the fip scenario's address.
    if not (1 <= a.interfaces <= 190 * 256 and 1 <= a.fips <= 985 and a.samples >= 1):
        raise SystemExit('--interfaces must be 1..48640, --fips 1..985 and --samples at least 1')
    scenarios = [s for s in a.scenarios.split(',') if s]
    unknown = set(scenarios) - {'dhcp', 'fip', 'router'}
    if unknown:
        raise SystemExit(f'unknown scenarios: {", ".join(sorted(unknown))}')
    # Also when started in the background, where the shell has SIGINT ignored: Ctrl-C must still clean up.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGHUP, lambda *_: sys.exit(129))
    bench = Bench(a)
    results = {'load_average_before': uptime(), 'cpus': os.cpu_count()}
    print(f'load average {results["load_average_before"]} ({results["cpus"]} CPUs)', flush=True)
    try:
        bench.prepare()
        bench.start_server()
        bench.common()
        for s in scenarios:
            results[s] = {'dhcp': bench.dhcp, 'fip': bench.fip, 'router': bench.big_router}[s]()
    finally:
        bench.close()
    results['load_average_after'] = uptime()
    print(f'load average {results["load_average_after"]}', flush=True)
    if a.out:
        with open(a.out, 'w') as f:
            json.dump(results, f, indent=2)


if __name__ == '__main__':
    main()
