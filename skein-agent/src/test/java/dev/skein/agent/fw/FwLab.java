package dev.skein.agent.fw;

import dev.skein.agent.CommandRunner;
import dev.skein.agent.Lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A hypervisor as a network namespace with one bridge, VMs as namespaces plugged into it through veths whose
 * host end carries the port's tap name, and the listeners and crafted frames the firewall tests need; closing
 * stops those processes and deletes the namespaces as {@link Lab} does.
 */
final class FwLab extends Lab {
    void bridge(String hostNs, String bridge) {
        run("ip", "-n", hostNs, "link", "add", bridge, "type", "bridge");
        run("ip", "-n", hostNs, "link", "set", bridge, "up");
    }

    /** A VM plugged into bridge at once, whose eth0 has mac and the given addresses (IPv6 ones without duplicate address detection, to be usable at once). */
    String pluggedVm(String name, String hostNs, String bridge, String tap, String mac, String... cidrs) {
        String ns = netns(name);
        run("ip", "-n", hostNs, "link", "add", tap, "type", "veth", "peer", "name", "eth0", "netns", ns);
        run("ip", "-n", ns, "link", "set", "eth0", "address", mac);
        run("ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv6.conf.eth0.accept_dad=0");
        run("ip", "-n", ns, "link", "set", "eth0", "up");
        for (String cidr : cidrs) {
            if (cidr.contains(":")) run("ip", "-n", ns, "addr", "add", cidr, "dev", "eth0", "nodad");
            else run("ip", "-n", ns, "addr", "add", cidr, "dev", "eth0");
        }
        run("ip", "-n", hostNs, "link", "set", tap, "master", bridge, "up");
        return ns;
    }

    /** True when a TCP connection to address:port from inside fromNs completes within a second. */
    boolean connects(String fromNs, String address, int port) { return connects(fromNs, address, port, 1); }

    /** A TCP listener inside ns that accepts and closes every connection on each port; stopped by close(). */
    void listen(String ns, int... ports) {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", ns, PYTHON, "-c", """
                import socket, sys, threading
                def serve(s):
                    while True:
                        c, _ = s.accept(); c.close()
                for p in sys.argv[1:]:
                    s = socket.socket(socket.AF_INET6); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
                    s.bind(("::", int(p))); s.listen(16)
                    threading.Thread(target=serve, args=(s,), daemon=True).start()
                print("ready", flush=True)
                threading.Event().wait()
                """));
        for (int p : ports) argv.add(String.valueOf(p));
        Process process = start(argv);
        try {
            byte[] ready = process.getInputStream().readNBytes(6);
            if (!new String(ready).startsWith("ready")) throw new IllegalStateException("listener in " + ns + " did not start");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends three raw Ethernet frames (hex) out of eth0 of ns. */
    void sendFrame(String ns, String hexFrame) {
        run("ip", "netns", "exec", ns, PYTHON, "-c", """
                import socket, sys
                s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW); s.bind(("eth0", 0))
                for _ in range(3): s.send(bytes.fromhex(sys.argv[1]))
                """, hexFrame);
    }

    /**
     * Sends three ICMPv6 messages (type, code 0, body given in hex after the checksum) in Ethernet frames from
     * srcMac to dstMac, with hop limit 255 as neighbour discovery requires; the checksum is computed here.
     */
    void sendIcmp6(String ns, String srcMac, String dstMac, String src, String dst, int type, String bodyHex) {
        run("ip", "netns", "exec", ns, PYTHON, "-c", """
                import ipaddress, socket, struct, sys
                smac, dmac, src, dst, typ, body = sys.argv[1:7]
                s6, d6 = ipaddress.IPv6Address(src).packed, ipaddress.IPv6Address(dst).packed
                msg = bytes([int(typ), 0, 0, 0]) + bytes.fromhex(body)
                pseudo = s6 + d6 + struct.pack("!I3xB", len(msg), 58) + msg
                if len(pseudo) % 2: pseudo += bytes(1)
                total = sum(struct.unpack("!%dH" % (len(pseudo) // 2), pseudo))
                while total >> 16: total = (total & 0xffff) + (total >> 16)
                msg = msg[:2] + struct.pack("!H", ~total & 0xffff) + msg[4:]
                ip6 = struct.pack("!IHBB", 0x60000000, len(msg), 58, 255) + s6 + d6
                frame = bytes.fromhex(dmac.replace(":", "")) + bytes.fromhex(smac.replace(":", "")) + bytes.fromhex("86dd") + ip6 + msg
                s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW); s.bind(("eth0", 0))
                for _ in range(3): s.send(frame)
                """, srcMac, dstMac, src, dst, String.valueOf(type), bodyHex);
    }

    /** True when a UDP datagram sent from fromNs (source port sport) to address:dport arrives at a listener in toNs. */
    boolean udpDelivered(String fromNs, String toNs, String address, int sport, int dport) {
        Process listener = start(List.of("ip", "netns", "exec", toNs, PYTHON, "-c", """
                import socket, sys
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("", int(sys.argv[1]))); s.settimeout(1.5)
                print("ready", flush=True)
                try:
                    s.recv(100); print("got", flush=True)
                except socket.timeout:
                    pass
                """, String.valueOf(dport)));
        try {
            byte[] ready = listener.getInputStream().readNBytes(6);
            if (!new String(ready).startsWith("ready")) throw new IllegalStateException("UDP listener in " + toNs + " did not start");
            run("ip", "netns", "exec", fromNs, PYTHON, "-c", """
                    import socket, sys
                    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("", int(sys.argv[2])))
                    for _ in range(3): s.sendto(b"offer", (sys.argv[1], int(sys.argv[3])))
                    """, address, String.valueOf(sport), String.valueOf(dport));
            return new String(listener.getInputStream().readAllBytes()).contains("got");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String nft(String ns, String stdin, String... args) {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", ns, "nft"));
        argv.addAll(List.of(args));
        CommandRunner.Result r = SHELL.run(argv, stdin);
        if (!r.ok()) throw new IllegalStateException("nft " + String.join(" ", args) + " failed: " + r.stderr().strip());
        return r.stdout();
    }
}
