"""Starting `./skein all-in-one` for the benchmarks that need a server with its built-in agent, and removing the
namespaces it leaves behind."""
import os
import signal
import socket
import subprocess
import time

from ports import Client

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start(data_dir, config, password, log, timeout=300, poll=0.02):
    """Starts all-in-one on a free loopback port in its own session; returns (process, url) once GET / answers 200.
    Exits naming the log when the server dies or does not answer within timeout seconds."""
    port = free_port()
    url = f'http://127.0.0.1:{port}'
    server = subprocess.Popen([os.path.join(ROOT, 'skein'), 'all-in-one', '--listen', f'127.0.0.1:{port}',
                               '--data-dir', data_dir, '--config', config], stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True, env=dict(os.environ, SKEIN_ADMIN_PASSWORD=password))
    probe = Client(url)
    deadline = time.monotonic() + timeout
    while True:
        try:
            if probe.call('GET', '/')[0] == 200:
                return server, url
        except OSError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            raise SystemExit('the server did not start; see ' + log.name)
        time.sleep(poll)


def remove_namespace(ns):
    """Kills what runs inside (the agent's dnsmasq and haproxy outlive the server; DHCP clients, pings), then
    deletes it, which takes its veths and the devices inside along."""
    out = subprocess.run(['ip', 'netns', 'pids', ns], capture_output=True, text=True).stdout
    for pid in out.split():
        try:
            os.kill(int(pid), signal.SIGKILL)
        except ProcessLookupError:
            pass
    subprocess.run(['ip', 'netns', 'del', ns], stderr=subprocess.DEVNULL)


def remove_namespaces(prefix):
    """Every namespace whose name starts with prefix: the benchmark's own and those its agent made for DHCP
    servers and routers (named after the agent's namespace)."""
    out = subprocess.run(['ip', 'netns', 'list'], capture_output=True, text=True).stdout
    for line in out.splitlines():
        if line.split() and line.split()[0].startswith(prefix):
            remove_namespace(line.split()[0])
