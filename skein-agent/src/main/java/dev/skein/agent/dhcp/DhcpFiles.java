package dev.skein.agent.dhcp;

import java.nio.file.Path;

/** Where one network's dnsmasq keeps what it reads (hosts, options) and writes (leases, pid, log). */
public record DhcpFiles(Path dir) {
    /** Absolute, because dnsmasq changes to / when it daemonises. */
    public static Path root(Path stateDir) { return stateDir.toAbsolutePath().resolve("dhcp"); }

    public static DhcpFiles of(Path stateDir, String networkId) { return new DhcpFiles(root(stateDir).resolve(networkId)); }

    public Path hosts() { return dir.resolve("hosts"); }

    public Path opts() { return dir.resolve("opts"); }

    public Path leases() { return dir.resolve("leases"); }

    public Path pid() { return dir.resolve("pid"); }

    public Path log() { return dir.resolve("log"); }
}
