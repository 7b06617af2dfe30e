#!/usr/bin/env python3
"""Do acknowledged port creates survive a server that is killed outright? Python stdlib only.

  durability.py create --url URL --password PW --count N --state FILE [--kill-pid PID]
      makes a network, a subnet and N ports one after another, writes what was acknowledged to FILE, and
      (with --kill-pid) sends SIGKILL to the server the moment the last create has been answered;
  durability.py check --url URL --password PW --state FILE
      after the server has been started again on the same data, counts which acknowledged ports are
      missing, then deletes what `create` made. Exit status 3 when acknowledged ports were lost.

bench/run.sh --scenario crash runs both around a server it kills and restarts.
"""
import argparse
import json
import os
import signal
import sys
import time

from ports import Client, authenticate


def connect(a):
    token, _ = authenticate(a.url.rstrip('/') + '/identity/v3', 'admin', a.password, 'admin', 'Default', True)
    api = Client(a.url.rstrip('/') + '/v2.0')
    api.token = token
    return api


def create(a):
    api = connect(a)
    net, _ = api.expect(201, 'POST', '/networks', {'network': {'name': 'durability'}})
    net_id = net['network']['id']
    sub, _ = api.expect(201, 'POST', '/subnets', {'subnet': {'network_id': net_id, 'ip_version': 4,
                                                               'cidr': '10.129.0.0/16'}})
    # The setup must be on disk before the measured writes start, whatever the store's write delay.
    time.sleep(a.settle)
    acked = []
    t0 = time.perf_counter()
    for i in range(a.count):
        port, _ = api.expect(201, 'POST', '/ports', {'port': {'network_id': net_id, 'name': f'durability-{i}'}})
        acked.append(port['port']['id'])
    if a.kill_pid:
        os.kill(a.kill_pid, signal.SIGKILL)
    wall = time.perf_counter() - t0
    with open(a.state, 'w') as f:
        json.dump({'network': net_id, 'subnet': sub['subnet']['id'], 'ports': acked}, f)
    killed = f'; SIGKILL sent to {a.kill_pid} right after the last answer' if a.kill_pid else ''
    print(f'{len(acked)} port creates acknowledged in {wall:.2f} s{killed}')


def check(a):
    with open(a.state) as f:
        state = json.load(f)
    api = connect(a)
    st, body, _ = api.call('GET', f'/ports?network_id={state["network"]}&fields=id')
    present = {p['id'] for p in body['ports']} if st == 200 else set()
    lost = [p for p in state['ports'] if p not in present]
    print(f'after restart: {len(state["ports"]) - len(lost)} of {len(state["ports"])} acknowledged ports present, '
          f'{len(lost)} lost' + ('' if st == 200 else f' (network listing answered {st})'))
    for pid in present:
        api.call('DELETE', f'/ports/{pid}')
    api.call('DELETE', f'/subnets/{state["subnet"]}')
    api.call('DELETE', f'/networks/{state["network"]}')
    sys.exit(3 if lost else 0)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('action', choices=('create', 'check'))
    ap.add_argument('--url', required=True)
    ap.add_argument('--password', default=os.environ.get('SKEIN_ADMIN_PASSWORD'))
    ap.add_argument('--state', required=True, help='file that carries the acknowledged ids from create to check')
    ap.add_argument('--count', type=int, default=300)
    ap.add_argument('--kill-pid', type=int)
    ap.add_argument('--settle', type=float, default=2.0, help='seconds to wait after the setup (default 2)')
    a = ap.parse_args()
    if a.password is None:
        ap.error('--password (or SKEIN_ADMIN_PASSWORD) is required')
    if a.action == 'create':
        create(a)
    else:
        check(a)


if __name__ == '__main__':
    main()
