package dev.skein.agent.dhcp;

import dev.skein.agent.CommandRunner;
import dev.skein.agent.Iproute2;
import dev.skein.agent.Lab;
import dev.skein.agent.host.AgentSettings;
import dev.skein.agent.l2.L2Realiser;
import dev.skein.agent.l2.ReconcileReport;
import dev.skein.agent.metadata.MetadataProxies;
import dev.skein.ipam.Eui64;
import dev.skein.ipam.IpAddresses;
import dev.skein.model.NetworkType;
import dev.skein.model.Segment;
import dev.skein.plan.DeviceNames;
import dev.skein.plan.L2Compiler;
import dev.skein.plan.L2Intent;
import dev.skein.plan.dhcp.DhcpPlan;
import dev.skein.plan.dhcp.DhcpPlan.Reservation;
import dev.skein.plan.dhcp.DhcpPlan.Route;
import dev.skein.plan.dhcp.DhcpPlan.Subnet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real DHCP through a realised plan: the network node is a namespace holding the network's bridge (realised by the
 * L2 realiser from an L2 plan), the DHCP realiser adds the qdhcp namespace and dnsmasq, and VMs are namespaces on
 * the bridge running busybox udhcpc with the test's own hook script. Needs root; everything, dnsmasq included, is
 * removed after each test, pass or fail.
 */
class DhcpDataplaneTest {
    static final String NET = "5e5e5e5e-0000-4000-8000-000000000001";
    static final String DHCP_PORT = "d0d0d0d0-0000-4000-8000-000000000001";
    static final String VM1 = "a1a1a1a1-0000-4000-8000-000000000001";
    static final String VM2 = "a2a2a2a2-0000-4000-8000-000000000002";
    static final String DHCP_MAC = "fa:16:3e:00:00:02";
    static final String HOOK = """
            #!/bin/sh
            # Applies a lease inside the VM's namespace and records what udhcpc was told; never touches resolv.conf.
            case "$1" in
              deconfig) ip addr flush dev "$interface"; ip link set "$interface" up ;;
              bound|renew)
                ip addr flush dev "$interface"
                ip addr add "$ip/$mask" dev "$interface"
                [ -n "$mtu" ] && ip link set "$interface" mtu "$mtu"
                [ -n "$router" ] && ip route replace default via "${router%% *}" dev "$interface"
                set -- $staticroutes
                while [ $# -ge 2 ]; do ip route replace "$1" via "$2" dev "$interface"; shift 2; done
                { echo "ip=$ip"; echo "mask=$mask"; echo "router=$router"; echo "mtu=$mtu"; echo "dns=$dns"
                  echo "domain=$domain"; echo "staticroutes=$staticroutes"; echo "lease=$lease"; echo "hostname=$hostname"; } > "$LEASE_OUT" ;;
            esac
            exit 0
            """;

    @TempDir
    Path tmp;
    Lab lab;
    String node;
    AgentSettings settings;
    Path hook;
    final List<List<String>> commands = new CopyOnWriteArrayList<>();
    final List<String> proxies = new CopyOnWriteArrayList<>();
    final CommandRunner recording = (argv, stdin) -> {
        commands.add(argv);
        return Lab.SHELL.run(argv, stdin);
    };
    final MetadataProxies recordingProxies = new MetadataProxies() {
        @Override public void ensure(String namespace, String address, int port, Origin origin) {
            proxies.add("ensure " + namespace + " " + address + ":" + port + " " + origin.networkId());
        }

        @Override public void remove(String namespace) { proxies.add("remove " + namespace); }
    };

    @BeforeEach
    void networkNode() throws IOException {
        assertTrue(Lab.available(), "data-plane tests need root and iproute2 (CI runs them as root)");
        assertTrue(Lab.hasPing(), "data-plane tests need ping (Debian package iputils-ping)");
        assertTrue(Lab.SHELL.run(List.of("dnsmasq", "--version"), "").ok(), "DHCP data-plane tests need dnsmasq (Debian package dnsmasq-base)");
        assertTrue(Lab.SHELL.run(List.of("busybox", "udhcpc", "--help"), "").stderr().contains("udhcpc"), "DHCP data-plane tests need busybox");
        lab = new Lab();
        node = lab.netns("nn");
        settings = new AgentSettings("nn", "198.51.100.1", Map.of(), node, AgentSettings.DEFAULT_HEARTBEAT, AgentSettings.DEFAULT_RESYNC,
                AgentSettings.DEFAULT_DEBOUNCE, Set.of(AgentSettings.Role.NETWORK), tmp.resolve("state"));
        hook = tmp.resolve("hook.sh");
        Files.writeString(hook, HOOK);
        Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @AfterEach
    void cleanUp() {
        if (lab != null) lab.close();
    }

    static String mac(String portId) { return "fa:16:3e:00:" + portId.substring(0, 2) + ":" + portId.substring(34, 36); }

    DhcpRealiser realiser() { return new DhcpRealiser(recording, settings, recordingProxies); }

    /** Realises the network's bridge with every port of the test on it, as the agent's L2 part does on every reconcile. */
    ReconcileReport plug() {
        List<L2Intent.Port> ports = new ArrayList<>();
        for (String id : List.of(DHCP_PORT, VM1, VM2)) ports.add(new L2Intent.Port(id, NET, "nn", id.equals(DHCP_PORT) ? DHCP_MAC : mac(id), true));
        L2Intent intent = new L2Intent(List.of(new L2Intent.Network(NET, 1450, new Segment(NetworkType.VXLAN, null, 100))), ports,
                List.of(new L2Intent.Host("nn", "198.51.100.1", Map.of())));
        ReconcileReport report = new L2Realiser(Lab.SHELL, new Iproute2(node)).reconcile(L2Compiler.compile(intent, "nn"));
        assertTrue(report.succeeded(), report.errors().toString());
        return report;
    }

    /** A VM booted by a hypervisor: its eth0 has the port's MAC and no address; IPv6 autoconfiguration as a guest would do it. */
    String vm(String portId) {
        String ns = lab.netns("vm-" + portId.substring(0, 2));
        lab.run("ip", "-n", node, "link", "add", DeviceNames.tap(portId), "type", "veth", "peer", "name", "eth0", "netns", ns);
        lab.run("ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv6.conf.eth0.accept_dad=0", "net.ipv6.conf.eth0.accept_ra=2",
                "net.ipv6.conf.eth0.forwarding=0");
        lab.run("ip", "-n", ns, "link", "set", "eth0", "address", mac(portId), "up");
        return ns;
    }

    /** Runs udhcpc in the VM; the options its hook was given, or null when it got no lease. */
    Map<String, String> udhcpc(String vmNs, int tries) throws IOException {
        Path out = tmp.resolve(vmNs + ".lease");
        Files.deleteIfExists(out);
        CommandRunner.Result r = Lab.SHELL.run(List.of("ip", "netns", "exec", vmNs, "env", "LEASE_OUT=" + out, "busybox", "udhcpc",
                "-i", "eth0", "-n", "-q", "-t", String.valueOf(tries), "-T", "1", "-O", "mtu", "-O", "staticroutes", "-O", "dns",
                "-O", "domain", "-s", hook.toString()), "");
        if (!r.ok()) return null;
        Map<String, String> got = new LinkedHashMap<>();
        for (String line : Files.readAllLines(out)) got.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
        return got;
    }

    static DhcpPlan.Server ipv4Server(boolean metadata, int leaseSeconds, Reservation... reservations) {
        Subnet subnet = new Subnet("s4", 4, "192.0.2.0/24", "192.0.2.1", List.of("198.51.100.53", "198.51.100.54"),
                List.of(new Route("10.9.0.0/16", "192.0.2.254")), null, null, true);
        return new DhcpPlan.Server(NET, DHCP_PORT, DHCP_MAC, 1450, List.of("192.0.2.2/24"), List.of(subnet), List.of(reservations),
                "example.test", leaseSeconds, metadata);
    }

    static Reservation reservation(String portId, String... ips) { return new Reservation(portId, mac(portId), List.of(ips), "vm-" + portId.substring(0, 2)); }

    DhcpReport realise(DhcpReport report) {
        assertTrue(report.succeeded(), report.errors().toString());
        assertEquals(List.of(), report.notes());
        return report;
    }

    boolean alive(long pid) { return !ProcessTable.LINUX.cmdline(pid).isEmpty(); }

    boolean namespaceExists(String ns) { return Lab.SHELL.run(List.of("ip", "netns", "list"), "").stdout().lines().anyMatch(l -> l.split(" ")[0].equals(ns)); }

    @Test
    void vmsGetTheirReservationsAndOptionsAndReservationsChangeWithoutARestart() throws Exception {
        String vm1 = vm(VM1);
        String vm2 = vm(VM2);
        plug();
        DhcpRealiser realiser = realiser();
        String ns = realiser.namespace(NET);
        DhcpPlan first = new DhcpPlan(List.of(ipv4Server(true, 600, reservation(VM1, "192.0.2.10"))));

        long start = System.nanoTime();
        DhcpReport created = realise(realiser.reconcile(first));
        long realisedAt = System.nanoTime();
        assertTrue(created.changed());
        assertTrue(plug().pluggedPorts().contains(DHCP_PORT), "the L2 realiser plugs the DHCP port's tap like a VM's");
        Map<String, String> lease = udhcpc(vm1, 5);
        long leasedAt = System.nanoTime();
        assertNotNull(lease, "VM1 gets a lease");
        System.out.printf("DHCP: realiser %d ms, realiser start -> VM lease %d ms%n", (realisedAt - start) / 1_000_000, (leasedAt - start) / 1_000_000);
        assertEquals("192.0.2.10", lease.get("ip"));
        assertEquals("24", lease.get("mask"));
        assertEquals("192.0.2.1", lease.get("router"));
        assertEquals("1450", lease.get("mtu"));
        assertEquals("198.51.100.53 198.51.100.54", lease.get("dns"));
        assertEquals("example.test", lease.get("domain"));
        assertEquals("600", lease.get("lease"));
        assertEquals("vm-a1", lease.get("hostname"));
        assertEquals("10.9.0.0/16 192.0.2.254 169.254.169.254/32 192.0.2.2 0.0.0.0/0 192.0.2.1", lease.get("staticroutes"));
        String routes = lab.run("ip", "-n", vm1, "route", "show");
        assertTrue(routes.contains("default via 192.0.2.1"), routes);
        assertTrue(routes.contains("169.254.169.254 via 192.0.2.2"), routes);
        assertTrue(lab.run("ip", "-n", vm1, "link", "show", "eth0").contains("mtu 1450"));
        assertTrue(lab.reaches(vm1, "169.254.169.254"), "the metadata address answers in the DHCP namespace, over the classless route");
        assertEquals(List.of("ensure " + ns + " 169.254.169.254:80 " + NET), proxies);
        String device = lab.run("ip", "-n", ns, "addr", "show", DhcpRealiser.device(DHCP_PORT));
        assertTrue(device.contains(DHCP_MAC) && device.contains("192.0.2.2/24") && device.contains("169.254.169.254/32"), device);

        assertNull(udhcpc(vm2, 2), "a MAC without a reservation gets no lease");
        Long pid = realiser.pid(NET);
        assertNotNull(pid);

        commands.clear();
        assertFalse(realise(realiser.update(first)).changed());
        assertEquals(List.of(), commands, "an unchanged plan costs no command");

        DhcpPlan second = new DhcpPlan(List.of(ipv4Server(true, 600, reservation(VM1, "192.0.2.10"), reservation(VM2, "192.0.2.11"))));
        DhcpReport added = realise(realiser.update(second));
        assertEquals(List.of(List.of("kill", "-HUP", pid.toString())), commands, "a new reservation is a rewritten hosts file and SIGHUP");
        assertEquals(1, added.changes().size(), added.changes().toString());
        Map<String, String> lease2 = udhcpc(vm2, 5);
        assertNotNull(lease2, "VM2 gets its lease once reserved");
        assertEquals("192.0.2.11", lease2.get("ip"));
        assertEquals(pid, realiser.pid(NET), "same dnsmasq");
        assertTrue(Files.readString(realiser.files(NET).leases()).contains("192.0.2.10"), "VM1's lease survived the reload");

        DhcpRealiser restarted = realiser();
        DhcpReport again = realise(restarted.reconcile(second));
        assertEquals(List.of(), again.changes(), "a restarted agent finds everything in place");
        assertEquals(pid, restarted.pid(NET), "and keeps the same dnsmasq");

        proxies.clear();
        DhcpReport removed = realise(restarted.update(DhcpPlan.EMPTY));
        assertTrue(removed.changed());
        assertFalse(alive(pid), "dnsmasq stopped");
        assertFalse(namespaceExists(ns), "namespace deleted");
        assertFalse(lab.run("ip", "-n", node, "-br", "link", "show").contains(DeviceNames.tap(DHCP_PORT)), "tap deleted");
        assertFalse(Files.exists(realiser.files(NET).dir()), "state files deleted");
        assertEquals(List.of("remove " + ns), proxies);
    }

    @Test
    void aChangedCommandLineRestartsADeadServerIsStartedAgainAndStaleServersGo() throws Exception {
        DhcpRealiser realiser = realiser();
        String ns = realiser.namespace(NET);
        realise(realiser.reconcile(new DhcpPlan(List.of(ipv4Server(false, 600)))));
        Long first = realiser.pid(NET);
        assertNotNull(first);
        assertEquals(List.of("remove " + ns), proxies, "no metadata: any proxy left from before goes");

        realise(realiser.update(new DhcpPlan(List.of(ipv4Server(false, 1200)))));
        Long second = realiser.pid(NET);
        assertNotNull(second);
        assertNotEquals(first, second, "a new lease time is a new command line");
        assertFalse(alive(first));

        lab.run("kill", "-9", second.toString());
        for (int i = 0; i < 100 && alive(second); i++) Thread.sleep(10);
        DhcpReport revived = realise(realiser.update(new DhcpPlan(List.of(ipv4Server(false, 1200)))));
        assertTrue(revived.changed());
        Long third = realiser.pid(NET);
        assertNotNull(third, "a dead dnsmasq is started again");

        DhcpReport stale = realise(realiser().reconcile(DhcpPlan.EMPTY));
        assertTrue(stale.changed());
        assertFalse(alive(third), "a restarted agent stops a server its plan no longer holds");
        assertFalse(namespaceExists(ns));
        assertFalse(lab.run("ip", "-n", node, "-br", "link", "show").contains(DeviceNames.tap(DHCP_PORT)));
    }

    @Test
    void ipv6SlaacFromTheRouterAdvertisementAndStatefulReservationsOverDhcpv6() throws Exception {
        String vm1 = vm(VM1);
        plug();
        IpAddresses.Prefix slaac = IpAddresses.parsePrefix("2001:db8:1::/64");
        String serverSlaac = IpAddresses.format(6, Eui64.address(slaac, DHCP_MAC));
        String vmSlaac = IpAddresses.format(6, Eui64.address(slaac, mac(VM1)));
        List<Subnet> subnets = List.of(
                new Subnet("s6a", 6, "2001:db8:1::/64", null, List.of("2001:db8::53"), List.of(), "slaac", "slaac", true),
                new Subnet("s6b", 6, "2001:db8:2::/64", null, List.of("2001:db8::53"), List.of(), "dhcpv6-stateful", "dhcpv6-stateful", true));
        DhcpPlan plan = new DhcpPlan(List.of(new DhcpPlan.Server(NET, DHCP_PORT, DHCP_MAC, 1450, List.of(serverSlaac + "/64", "2001:db8:2::2/64"),
                subnets, List.of(reservation(VM1, vmSlaac, "2001:db8:2::10")), null, 600, false)));

        long start = System.nanoTime();
        realise(realiser().reconcile(plan));
        plug();
        // The guest's interface comes up once its port is ready, and solicits a router advertisement.
        lab.run("ip", "-n", vm1, "link", "set", "eth0", "down");
        lab.run("ip", "-n", vm1, "link", "set", "eth0", "up");
        long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
        while (!lab.run("ip", "-n", vm1, "-6", "addr", "show", "dev", "eth0").contains(vmSlaac + "/64") && System.nanoTime() < deadline) Thread.sleep(100);
        String addresses = lab.run("ip", "-n", vm1, "-6", "addr", "show", "dev", "eth0");
        assertTrue(addresses.contains(vmSlaac + "/64"), "the VM configured its EUI-64 address from the advertisement: " + addresses);
        System.out.printf("DHCP: realiser start -> SLAAC address %d ms%n", (System.nanoTime() - start) / 1_000_000);
        assertEquals("1450", lab.run("ip", "netns", "exec", vm1, "sysctl", "-n", "net.ipv6.conf.eth0.mtu").strip(), "MTU from the advertisement");
        assertFalse(lab.run("ip", "-n", vm1, "-6", "route", "show").contains("default"), "the DHCP namespace is nobody's router");
        assertTrue(lab.reaches(vm1, "2001:db8:2::2"), "the on-link stateful prefix reaches the server");

        CommandRunner.Result solicit = Lab.SHELL.run(List.of("ip", "netns", "exec", vm1, "python3", "-c", SOLICIT, "eth0", mac(VM1)), "");
        assertTrue(solicit.ok(), "no DHCPv6 advertise: " + solicit.stderr());
        assertEquals("address 2001:db8:2::10\ndns 2001:db8::53\n", solicit.stdout(), "the reservation and DNS server over DHCPv6");
    }

    /** A DHCPv6 Solicit (client id DUID-LL of the MAC, one IA_NA, DNS asked for); prints what the Advertise offers. */
    static final String SOLICIT = """
            import os, socket, struct, sys
            ifname, mac = sys.argv[1], bytes.fromhex(sys.argv[2].replace(":", ""))
            duid = struct.pack("!HH", 3, 1) + mac
            msg = bytes([1]) + os.urandom(3) + struct.pack("!HH", 1, len(duid)) + duid
            msg += struct.pack("!HHIII", 3, 12, 1, 0, 0) + struct.pack("!HHH", 6, 2, 23) + struct.pack("!HHH", 8, 2, 0)
            s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, ifname.encode())
            s.bind(("::", 546)); s.settimeout(1)
            def options(b):
                while len(b) >= 4:
                    code, size = struct.unpack("!HH", b[:4]); yield code, b[4:4 + size]; b = b[4 + size:]
            for _ in range(5):
                s.sendto(msg, ("ff02::1:2", 547, 0, socket.if_nametoindex(ifname)))
                try:
                    reply = s.recv(4096)
                except socket.timeout:
                    continue
                if reply[0] != 2 or reply[1:4] != msg[1:4]: continue
                for code, value in options(reply[4:]):
                    if code == 3:
                        for inner, v in options(value[12:]):
                            if inner == 5: print("address", socket.inet_ntop(socket.AF_INET6, v[:16]))
                    if code == 23:
                        for i in range(0, len(value), 16): print("dns", socket.inet_ntop(socket.AF_INET6, value[i:i + 16]))
                sys.exit(0)
            sys.exit(1)
            """;
}
