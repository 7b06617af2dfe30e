package dev.skein.agent.l3;

import dev.skein.ipam.IpAddresses;
import dev.skein.plan.DeviceNames;
import dev.skein.plan.l3.RouterPlan;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The difference between one router of a {@link RouterPlan} and its namespace as the kernel reports it, as lines
 * for {@code ip -batch}: in the router's namespace before anything is created there (devices to recreate), in the
 * agent's host namespace (the veth pairs, created from the host side so their tap end stays there), and in the
 * router's namespace again (device attributes, addresses, routes). Pure.
 *
 * <p>Only devices named "qr-"/"qg-" in the router's namespace and the taps of the router's own ports are ever
 * created or deleted; a device, address or route that already matches gets no line at all, so reconciling a
 * correct router changes nothing and interrupts no traffic.
 */
final class RouterDiff {
    static final String INTERFACE_PREFIX = "qr-";
    static final String GATEWAY_PREFIX = "qg-";
    static final String FORWARDING = "net.ipv4.ip_forward";
    static final String FORWARDING6 = "net.ipv6.conf.all.forwarding";
    /** Changing an interface's first address must not take the other addresses of its subnet with it. */
    static final String PROMOTE_SECONDARIES = "net.ipv4.conf.all.promote_secondaries";
    /**
     * Answer ARP only on the interface that holds the address: routers of several projects share the external
     * network and their tenant subnets overlap, so the gateway side must never claim a tenant-side address.
     */
    static final String ARP_IGNORE = "net.ipv4.conf.all.arp_ignore";
    private static final Pattern SAFE_TOKEN = Pattern.compile("[A-Za-z0-9_.:/@-]+");
    private static final Pattern MAC = Pattern.compile("[0-9a-f]{2}(:[0-9a-f]{2}){5}");

    /** One batch line and why it is needed. */
    record Step(String line, String reason) {
        Step {
            for (String token : line.split(" ")) {
                if (!SAFE_TOKEN.matcher(token).matches()) throw new IllegalArgumentException("refusing batch line with unsafe token: " + line);
            }
        }

        @Override
        public String toString() { return line + "  # " + reason; }
    }

    /**
     * announce are the IPv4 addresses whose owner the external network must learn again (gratuitous ARP); forget are
     * the floating IPs whose connections must be dropped from conntrack because they no longer lead where they did.
     */
    record Result(List<Step> before, List<Step> host, List<Step> inside, Map<String, String> sysctls,
                  List<String> announce, List<String> forget, List<String> notes) {}

    /** A device the router must have in its namespace: the inner end of a veth whose other end is tap in the host. */
    record Device(String name, String tap, String mac, int mtu, List<String> addresses) {}

    private final String namespace;
    private final RouterState state;
    private final Map<String, RouterState.HostLink> hostLinks;
    private final List<Step> before = new ArrayList<>();
    private final List<Step> host = new ArrayList<>();
    private final List<Step> links = new ArrayList<>();
    private final List<Step> addressDeletes = new ArrayList<>();
    private final List<Step> addressAdds = new ArrayList<>();
    private final List<Step> routeDeletes = new ArrayList<>();
    private final List<Step> routeAdds = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private final Set<String> recreated = new HashSet<>();
    private final Set<String> deleted = new HashSet<>();
    private final List<String> addedToGateway = new ArrayList<>();
    private boolean subnetAddressDeleted;

    private RouterDiff(String namespace, RouterState state, Map<String, RouterState.HostLink> hostLinks) {
        this.namespace = namespace;
        this.state = state;
        this.hostLinks = hostLinks;
    }

    static String interfaceDevice(String portId) { return INTERFACE_PREFIX + portPart(portId); }

    static String gatewayDevice(String portId) { return GATEWAY_PREFIX + portPart(portId); }

    /** The same eleven characters of the port id that name its tap, so the two ends of a pair are easy to match by eye. */
    private static String portPart(String portId) { return DeviceNames.tap(portId).substring(DeviceNames.TAP_PREFIX.length()); }

    /** The devices router must have, gateway last; floating IPs are /32 addresses of the gateway device. */
    static List<Device> devices(RouterPlan.Router router, Map<String, String> floatingIps) {
        List<Device> out = new ArrayList<>();
        for (RouterPlan.Interface i : router.interfaces()) {
            out.add(new Device(interfaceDevice(i.portId()), DeviceNames.tap(i.portId()), i.mac(), i.mtu(), addresses(i.addresses())));
        }
        RouterPlan.Gateway gw = router.gateway();
        if (gw != null) {
            List<String> addresses = new ArrayList<>(addresses(gw.addresses()));
            for (String fip : floatingIps.keySet()) if (!addresses.contains(fip + "/32")) addresses.add(fip + "/32");
            out.add(new Device(gatewayDevice(gw.portId()), DeviceNames.tap(gw.portId()), gw.mac(), gw.mtu(), addresses));
        }
        return out;
    }

    private static List<String> addresses(List<String> planned) {
        LinkedHashSet<String> out = new LinkedHashSet<>();
        for (String a : planned) {
            String canonical = RouterState.address(a);
            if (canonical == null) throw new IllegalArgumentException("'" + a + "' is not an address with its prefix length");
            out.add(canonical);
        }
        return List.copyOf(out);
    }

    /** Whether anything about router involves IPv6, so its IPv6 routes and forwarding must be looked at. */
    static boolean usesIpv6(RouterPlan.Router router, RouterState state) {
        List<String> all = new ArrayList<>();
        router.interfaces().forEach(i -> all.addAll(i.addresses()));
        if (router.gateway() != null) {
            all.addAll(router.gateway().addresses());
            all.addAll(router.gateway().nexthops());
        }
        router.routes().forEach(r -> all.add(r.nexthop()));
        if (all.stream().anyMatch(a -> a.contains(":"))) return true;
        return state.links().values().stream().anyMatch(l -> l.addresses().stream().anyMatch(a -> a.contains(":")));
    }

    /** The sysctls the router's namespace must have. */
    static Map<String, String> sysctls(boolean ipv6) {
        Map<String, String> out = new TreeMap<>(Map.of(FORWARDING, "1", PROMOTE_SECONDARIES, "1", ARP_IGNORE, "1"));
        if (ipv6) out.put(FORWARDING6, "1");
        return out;
    }

    /**
     * previousFips is what the floating IPs translated to before (from the kernel's table or the plan realised
     * last; empty when unknown), floatingIps what they must translate to now.
     */
    static Result compute(RouterPlan.Router router, String namespace, RouterState state, Map<String, RouterState.HostLink> hostLinks,
                          Map<String, String> previousFips, Map<String, String> floatingIps) {
        RouterDiff d = new RouterDiff(namespace, state, hostLinks);
        List<Device> devices = devices(router, floatingIps);
        Set<String> wanted = new HashSet<>();
        devices.forEach(dev -> wanted.add(dev.name()));
        RouterState.Link lo = state.links().get("lo");
        if (lo != null && !lo.up()) d.links.add(new Step("link set lo up", "loopback down"));
        for (RouterState.Link l : state.links().values()) {
            if ((l.name().startsWith(INTERFACE_PREFIX) || l.name().startsWith(GATEWAY_PREFIX)) && !wanted.contains(l.name())) {
                d.deleted.add(l.name());
                d.links.add(new Step("link del " + l.name(), l.name() + " not in plan"));
            }
        }
        String gateway = router.gateway() == null ? null : gatewayDevice(router.gateway().portId());
        for (Device dev : devices) d.device(dev, dev.name().equals(gateway));
        d.routes(router, devices);

        Map<String, String> sysctls = new TreeMap<>();
        sysctls(usesIpv6(router, state)).forEach((k, v) -> {
            if (!v.equals(state.sysctls().get(k))) sysctls.put(k, v);
        });

        Set<String> announce = new LinkedHashSet<>(d.addedToGateway);
        List<String> forget = new ArrayList<>();
        previousFips.forEach((fip, fixed) -> {
            String now = floatingIps.get(fip);
            if (Objects.equals(now, fixed)) return;
            forget.add(fip);
            if (now != null) announce.add(fip);
        });
        // Routes leave before the addresses they depend on (the kernel would take them along, and the delete
        // would then fail), and come back after the addresses they need.
        List<Step> inside = new ArrayList<>(d.links);
        inside.addAll(d.routeDeletes);
        inside.addAll(d.addressDeletes);
        inside.addAll(d.addressAdds);
        inside.addAll(d.routeAdds);
        return new Result(d.before, d.host, inside, sysctls, List.copyOf(announce), forget, d.notes);
    }

    private void device(Device dev, boolean gateway) {
        if (!MAC.matcher(dev.mac()).matches()) throw new IllegalArgumentException("'" + dev.mac() + "' is not a MAC address");
        RouterState.Link inner = state.links().get(dev.name());
        RouterState.HostLink tap = hostLinks.get(dev.tap());
        boolean paired = inner != null && tap != null && "veth".equals(inner.kind())
                && inner.peerIndex() == tap.index() && tap.peerIndex() == inner.index();
        if (!paired) {
            if (inner != null) before.add(new Step("link del " + dev.name(), dev.name() + " is not the peer of " + dev.tap()));
            if (tap != null) host.add(new Step("link del " + dev.tap(), dev.tap() + " is not the peer of " + dev.name() + " in " + namespace));
            String mtu = dev.mtu() > 0 ? " mtu " + dev.mtu() : "";
            host.add(new Step("link add " + dev.tap() + mtu + " type veth peer name " + dev.name() + " address " + dev.mac() + mtu
                    + " netns " + namespace, dev.name() + " missing"));
            recreated.add(dev.name());
            links.add(new Step("link set " + dev.name() + " up", dev.name() + " created"));
            for (String a : dev.addresses()) addAddress(dev, a, gateway);
            return;
        }
        List<String> change = new ArrayList<>();
        List<String> why = new ArrayList<>();
        if (!dev.mac().equals(inner.mac())) {
            change.add("address " + dev.mac());
            why.add("MAC " + inner.mac());
        }
        if (dev.mtu() > 0 && dev.mtu() != inner.mtu()) {
            change.add("mtu " + dev.mtu());
            why.add("mtu " + inner.mtu());
        }
        if (!inner.up()) {
            change.add("up");
            why.add("down");
        }
        if (!change.isEmpty()) links.add(new Step("link set " + dev.name() + " " + String.join(" ", change), dev.name() + " " + String.join(", ", why)));
        Set<String> have = new LinkedHashSet<>(inner.addresses());
        for (String a : have) {
            if (dev.addresses().contains(a)) continue;
            addressDeletes.add(new Step("addr del " + a + " dev " + dev.name(), a + " not in plan"));
            IpAddresses.Prefix p = IpAddresses.parsePrefix(a);
            subnetAddressDeleted |= p.length() < p.bits();
        }
        for (String a : dev.addresses()) if (!have.contains(a)) addAddress(dev, a, gateway);
    }

    private void addAddress(Device dev, String address, boolean gateway) {
        // Skein's IPAM has already made the address unique on its network; waiting for duplicate address detection
        // would only keep IPv6 from working for a second or two.
        String nodad = address.contains(":") ? " nodad" : "";
        addressAdds.add(new Step("addr add " + address + " dev " + dev.name() + nodad, address + " missing"));
        if (gateway && !address.contains(":")) addedToGateway.add(address.substring(0, address.indexOf('/')));
    }

    private void routes(RouterPlan.Router router, List<Device> devices) {
        List<IpAddresses.Prefix> connected = new ArrayList<>();
        for (Device dev : devices) {
            for (String a : dev.addresses()) {
                IpAddresses.Prefix p = IpAddresses.parsePrefix(a);
                if (p.length() < p.bits()) connected.add(p);
            }
        }
        Map<String, Set<String>> wanted = new LinkedHashMap<>();
        RouterPlan.Gateway gw = router.gateway();
        if (gw != null) {
            for (int version : new int[] {4, 6}) {
                String dst = version == 4 ? "0.0.0.0/0" : "::/0";
                gw.nexthops().stream().map(IpAddresses::parse).filter(ip -> ip != null && ip.version() == version).findFirst()
                        .ifPresent(ip -> want(wanted, connected, dst, ip, "default route"));
            }
        }
        for (RouterPlan.Route r : router.routes()) {
            IpAddresses.Ip nexthop = IpAddresses.parse(r.nexthop());
            String dst = nexthop == null ? null : RouterState.prefix(r.destination(), nexthop.version());
            if (dst == null) notes.add("route " + r.destination() + " via " + r.nexthop() + " not realised: not a destination and nexthop of one IP version");
            else want(wanted, connected, dst, nexthop, "route " + r.destination());
        }
        // Devices created or deleted, and subnet addresses deleted, take routes with them, so every route is sent
        // again then.
        boolean devicesChanged = !recreated.isEmpty() || !deleted.isEmpty() || subnetAddressDeleted;
        Set<String> kept = new HashSet<>();
        for (RouterState.Route have : state.routes()) {
            if (!have.managed()) continue;
            Set<String> want = wanted.get(have.dst());
            if (want != null && want.equals(new TreeSet<>(have.nexthops())) && kept.add(have.dst())) continue;
            if (have.dev() != null && (deleted.contains(have.dev()) || recreated.contains(have.dev()))) continue;
            String metric = have.metric() == null ? "" : " metric " + have.metric();
            routeDeletes.add(new Step("route del " + have.dst() + " proto " + have.protocol() + metric,
                    "route " + have.dst() + " via " + have.nexthops() + " not in plan"));
        }
        wanted.forEach((dst, nexthops) -> {
            if (kept.contains(dst) && !devicesChanged) return;
            String via = nexthops.size() == 1 ? " via " + nexthops.iterator().next()
                    : nexthops.stream().map(n -> " nexthop via " + n).reduce("", String::concat);
            routeAdds.add(new Step("route replace " + dst + " proto static" + via, "route " + dst + " via " + nexthops + " missing"));
        });
    }

    private void want(Map<String, Set<String>> wanted, List<IpAddresses.Prefix> connected, String dst, IpAddresses.Ip nexthop, String what) {
        if (connected.stream().noneMatch(p -> p.contains(nexthop))) {
            notes.add(what + " via " + nexthop.text() + " not realised: the nexthop is on none of the router's subnets");
            return;
        }
        wanted.computeIfAbsent(dst, x -> new TreeSet<>()).add(nexthop.text());
    }
}
