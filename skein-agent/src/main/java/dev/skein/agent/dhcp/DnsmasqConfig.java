package dev.skein.agent.dhcp;

import dev.skein.ipam.IpAddresses;
import dev.skein.plan.dhcp.DhcpPlan;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What one network's dnsmasq runs with, derived from its {@link DhcpPlan.Server}. Pure.
 *
 * <p>The split is what makes reservation changes cheap: the command line holds only what dnsmasq cannot re-read
 * (the interface, one {@code static} range per served subnet with its lease time, router advertisements), while
 * the reservations (hosts file) and the per-subnet options (opts file) are re-read on SIGHUP. So a port coming or
 * going, or a subnet's DNS servers or routes changing, never restarts the server and never interrupts another
 * client's lease.
 *
 * <p>DNS is off ({@code --port=0}): clients get the subnet's dns_nameservers and nothing else. Only static
 * reservations are served, so a MAC the API does not know gets no lease. IPv6 follows the subnet's modes: with an
 * ipv6_ra_mode the server announces the prefix (SLAAC only, SLAAC plus stateless DHCPv6, or managed for
 * dhcpv6-stateful, where the reservations are leased over DHCPv6); without one, an external router announces it
 * and only DHCPv6 is answered. Its router advertisements carry the MTU and a router lifetime of zero: the DHCP
 * namespace does not forward, so it must never become anyone's default router. --enable-ra is global in dnsmasq,
 * so a network mixing announced and unannounced IPv6 subnets gets its unannounced DHCPv6 prefixes announced too.
 */
public record DnsmasqConfig(List<String> argv, String hosts, String opts, List<String> notes) {
    public static final String METADATA_ADDRESS = "169.254.169.254";
    /** Unsolicited advertisements; clients that just came up ask (router solicitation) and get one at once. */
    static final int RA_INTERVAL_SECONDS = 30;
    private static final Pattern MAC = Pattern.compile("[0-9a-f]{2}(:[0-9a-f]{2}){5}");
    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
    private static final Pattern DOMAIN = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?");

    public DnsmasqConfig {
        argv = List.copyOf(argv);
        notes = List.copyOf(notes);
    }

    /** How a subnet is served: its dnsmasq range mode, whether it is announced, whether its reservations are leased. */
    private record Served(DhcpPlan.Subnet subnet, IpAddresses.Prefix prefix, String tag, String mode, boolean announced, boolean leased) {}

    public static DnsmasqConfig of(DhcpPlan.Server server, DhcpFiles files, String device) {
        List<String> notes = new ArrayList<>();
        List<Served> served = new ArrayList<>();
        for (DhcpPlan.Subnet s : server.subnets()) {
            Served sv = served(s, notes);
            if (sv != null) served.add(sv);
        }
        String lease = server.leaseSeconds() + "s";
        List<String> argv = new ArrayList<>(List.of("dnsmasq", "--conf-file=/dev/null", "--no-hosts", "--no-resolv", "--port=0",
                "--bind-interfaces", "--interface=" + device, "--except-interface=lo", "--dhcp-authoritative"));
        for (Served s : served) {
            String network = IpAddresses.format(s.prefix().version(), s.prefix().network());
            String size = s.prefix().version() == 4 ? netmask(s.prefix().length()) : String.valueOf(s.prefix().length());
            argv.add("--dhcp-range=set:" + s.tag() + "," + network + "," + s.mode() + "," + size + "," + lease);
        }
        if (served.stream().anyMatch(Served::announced)) {
            argv.add("--enable-ra");
            argv.add("--ra-param=" + device + ",mtu:" + server.mtu() + "," + RA_INTERVAL_SECONDS + ",0");
        }
        argv.addAll(List.of("--dhcp-hostsfile=" + files.hosts(), "--dhcp-optsfile=" + files.opts(),
                "--dhcp-leasefile=" + files.leases(), "--pid-file=" + files.pid(), "--log-facility=" + files.log(),
                "--user=root", "--group=root"));
        return new DnsmasqConfig(argv, hosts(server, served, notes), opts(server, served, notes), notes);
    }

    private static Served served(DhcpPlan.Subnet s, List<String> notes) {
        if (!s.enableDhcp()) return null;
        IpAddresses.Prefix prefix = IpAddresses.parsePrefix(s.cidr());
        if (prefix == null || prefix.version() != s.ipVersion()) {
            notes.add("subnet " + s.id() + " not served: bad cidr '" + s.cidr() + "'");
            return null;
        }
        String tag = "subnet-" + s.id();
        if (s.ipVersion() == 4) return new Served(s, prefix, tag, "static", false, true);
        boolean announced = s.ipv6RaMode() != null;
        String mode = announced ? s.ipv6RaMode() : s.ipv6AddressMode();
        if (mode == null) return new Served(s, prefix, tag, "static", false, true);
        return switch (mode) {
            case "dhcpv6-stateful" -> new Served(s, prefix, tag, "static", announced, true);
            case "dhcpv6-stateless" -> new Served(s, prefix, tag, announced ? "ra-stateless" : "static", announced, false);
            // Without an announcement from this server there is nothing to do: SLAAC needs no DHCP.
            case "slaac" -> announced ? new Served(s, prefix, tag, "ra-only", true, false) : null;
            default -> {
                notes.add("subnet " + s.id() + " not served: unknown IPv6 mode '" + mode + "'");
                yield null;
            }
        };
    }

    /** One line per leased address: dnsmasq picks the line whose address lies in the subnet the request came from. */
    private static String hosts(DhcpPlan.Server server, List<Served> served, List<String> notes) {
        StringBuilder out = new StringBuilder();
        for (DhcpPlan.Reservation r : server.reservations()) {
            if (!MAC.matcher(r.mac()).matches()) {
                notes.add("port " + r.portId() + " not served: bad MAC '" + r.mac() + "'");
                continue;
            }
            String name = r.hostname() != null && LABEL.matcher(r.hostname()).matches() ? r.hostname() : null;
            if (r.hostname() != null && name == null) notes.add("port " + r.portId() + ": hostname '" + r.hostname() + "' not sent (not a DNS label)");
            for (String text : r.ips()) {
                IpAddresses.Ip ip = IpAddresses.parse(text);
                if (ip == null || served.stream().noneMatch(s -> s.leased() && s.prefix().contains(ip))) continue;
                out.append(r.mac()).append(',');
                if (name != null) out.append(name).append(',');
                out.append(ip.version() == 4 ? ip.text() : "[" + ip.text() + "]").append('\n');
            }
        }
        return out.toString();
    }

    private static String opts(DhcpPlan.Server server, List<Served> served, List<String> notes) {
        List<IpAddresses.Ip> own = new ArrayList<>();
        for (String a : server.addresses()) {
            IpAddresses.Prefix p = IpAddresses.parsePrefix(a);
            if (p != null) own.add(new IpAddresses.Ip(p.version(), p.address()));
        }
        String domain = domain(server.domain(), notes);
        StringBuilder out = new StringBuilder();
        for (Served s : served) {
            String tag = "tag:" + s.tag() + ",";
            DhcpPlan.Subnet subnet = s.subnet();
            List<String> dns = new ArrayList<>();
            for (String d : subnet.dnsNameservers()) {
                IpAddresses.Ip ip = IpAddresses.parse(d);
                if (ip != null && ip.version() == subnet.ipVersion()) dns.add(ip.version() == 4 ? ip.text() : "[" + ip.text() + "]");
            }
            if (subnet.ipVersion() == 6) {
                if (!dns.isEmpty()) out.append(tag).append("option6:dns-server,").append(String.join(",", dns)).append('\n');
                if (domain != null) out.append(tag).append("option6:domain-search,").append(domain).append('\n');
                continue;
            }
            IpAddresses.Ip gateway = IpAddresses.parse(subnet.gatewayIp());
            if (gateway != null && gateway.version() != 4) gateway = null;
            // Without a value dnsmasq sends no router at all, instead of its own address.
            out.append(tag).append("option:router").append(gateway == null ? "" : "," + gateway.text()).append('\n');
            if (!dns.isEmpty()) out.append(tag).append("option:dns-server,").append(String.join(",", dns)).append('\n');
            List<String> routes = classlessRoutes(server, s, gateway, own);
            if (!routes.isEmpty()) out.append(tag).append("option:classless-static-route,").append(String.join(",", routes)).append('\n');
            out.append(tag).append("option:mtu,").append(server.mtu()).append('\n');
            if (domain != null) out.append(tag).append("option:domain-name,").append(domain).append('\n');
        }
        return out.toString();
    }

    /**
     * The subnet's host routes, the metadata address via this server when it serves metadata, and then the default
     * route: a client that takes option 121 ignores the router option, so without it the client would lose its
     * default route.
     */
    private static List<String> classlessRoutes(DhcpPlan.Server server, Served s, IpAddresses.Ip gateway, List<IpAddresses.Ip> own) {
        List<String> routes = new ArrayList<>();
        boolean hasDefault = false;
        for (DhcpPlan.Route r : s.subnet().hostRoutes()) {
            IpAddresses.Prefix dest = IpAddresses.parsePrefix(r.destination());
            IpAddresses.Ip via = IpAddresses.parse(r.nexthop());
            if (dest == null || via == null || dest.version() != 4 || via.version() != 4) continue;
            routes.add(dest.canonical() + "," + via.text());
            hasDefault |= dest.length() == 0;
        }
        if (server.metadata()) {
            own.stream().filter(s.prefix()::contains).findFirst()
                    .ifPresent(self -> routes.add(METADATA_ADDRESS + "/32," + self.text()));
        }
        if (!routes.isEmpty() && !hasDefault && gateway != null) routes.add("0.0.0.0/0," + gateway.text());
        return routes;
    }

    private static String domain(String domain, List<String> notes) {
        if (domain == null || domain.isBlank()) return null;
        String d = domain.endsWith(".") ? domain.substring(0, domain.length() - 1) : domain;
        if (DOMAIN.matcher(d).matches()) return d;
        notes.add("domain '" + domain + "' not sent (not a domain name)");
        return null;
    }

    private static String netmask(int length) {
        BigInteger mask = IpAddresses.maxValue(4).shiftLeft(32 - length).and(IpAddresses.maxValue(4));
        return IpAddresses.format(4, mask);
    }
}
