#!/usr/bin/env python3
"""Server CPU per request for a few kinds of request, to separate the cost of the HTTP stack from that of a port
create. Python stdlib only; Linux (/proc) for the CPU figures.

  request_cost.py --url URL --password PW --server-pid PID [--requests 2000] [--rounds 3]

Each round sends N requests of each kind one after another and prints requests/s and the server's CPU
milliseconds per request; later rounds show the server with its JIT warmer.
"""
import argparse
import os
import time

from ports import Client, CpuMeter, authenticate


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--url', required=True)
    ap.add_argument('--password', default=os.environ.get('SKEIN_ADMIN_PASSWORD'))
    ap.add_argument('--server-pid', type=int, required=True)
    ap.add_argument('--requests', type=int, default=2000)
    ap.add_argument('--rounds', type=int, default=3)
    a = ap.parse_args()
    if a.password is None:
        ap.error('--password (or SKEIN_ADMIN_PASSWORD) is required')
    root = a.url.rstrip('/')
    token, _ = authenticate(root + '/identity/v3', 'admin', a.password, 'admin', 'Default', True)
    api = Client(root + '/v2.0')
    api.token = token
    bare = Client(root)
    net, _ = api.expect(201, 'POST', '/networks', {'network': {'name': 'request-cost'}})
    net_id = net['network']['id']
    api.expect(201, 'POST', '/subnets', {'subnet': {'network_id': net_id, 'ip_version': 4, 'cidr': '10.130.0.0/16'}})
    cpu = CpuMeter(a.server_pid)
    made = []
    kinds = [
        ('GET / (no token, no database)', lambda: bare.expect(200, 'GET', '/')),
        ('GET /v2.0/networks/ID', lambda: api.expect(200, 'GET', f'/networks/{net_id}')),
        ('POST /v2.0/ports', lambda: made.append(
            api.expect(201, 'POST', '/ports', {'port': {'network_id': net_id}})[0]['port']['id'])),
        ('DELETE /v2.0/ports/ID', lambda: api.expect(204, 'DELETE', f'/ports/{made.pop()}')),
    ]
    print('| round | request | requests/s | server CPU ms/request | client CPU ms/request | others, cores |')
    print('|---:|---|---:|---:|---:|---:|')
    try:
        for rnd in range(1, a.rounds + 1):
            for name, send in kinds:
                before, t0 = cpu.sample(), time.perf_counter()
                for _ in range(a.requests):
                    send()
                wall = time.perf_counter() - t0
                u = cpu.usage(before, cpu.sample(), wall, a.requests)
                others = u.get('other_cores')
                print(f'| {rnd} | {name} | {a.requests / wall:.0f} | {u["server_ms_per_port"]:.2f} '
                      f'| {u["client_ms_per_port"]:.2f} | {"n/a" if others is None else format(others, ".2f")} |')
    finally:
        for pid in made:
            api.call('DELETE', f'/ports/{pid}')
        st, body, _ = api.call('GET', f'/subnets?network_id={net_id}')
        for s in body.get('subnets', []) if st == 200 else []:
            api.call('DELETE', f'/subnets/{s["id"]}')
        api.call('DELETE', f'/networks/{net_id}')


if __name__ == '__main__':
    main()
