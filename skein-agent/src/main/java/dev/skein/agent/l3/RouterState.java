package dev.skein.agent.l3;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.skein.ipam.IpAddresses;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * One router namespace as the kernel reports it: its links with their addresses ({@code ip -d -j addr show}), the
 * routes of its main table ({@code ip -j route show}, both families) and the sysctls the router needs, reduced
 * to what the router diff compares. Addresses and prefixes are in one canonical text form so that equal values
 * compare equal.
 */
record RouterState(Map<String, Link> links, List<Route> routes, Map<String, String> sysctls) {
    private static final ObjectMapper JSON = new ObjectMapper();

    RouterState {
        links = Map.copyOf(links);
        routes = List.copyOf(routes);
        sysctls = Map.copyOf(sysctls);
    }

    /**
     * kind is linkinfo's info_kind (null if none); peerIndex is the ifindex of a veth's other end in its own
     * namespace (0 if unknown); addresses are the global and site ones as "address/length".
     */
    record Link(String name, int index, String kind, String mac, int mtu, boolean up, int peerIndex, List<String> addresses) {
        Link { addresses = List.copyOf(addresses); }
    }

    /**
     * A route of the main table; dst is a canonical prefix, nexthops its gateways (sorted), dev the device of its
     * (first) path, protocol as ip names it.
     */
    record Route(String dst, List<String> nexthops, String dev, String protocol, Integer metric) {
        Route { nexthops = List.copyOf(nexthops); }

        /** Routes the kernel makes for addresses and links belong to the kernel; everything else is the realiser's to keep or remove. */
        boolean managed() { return !"kernel".equals(protocol) && !"ra".equals(protocol); }
    }

    /** A link as {@code ip -j link show} lists it: enough to tell whether a router's tap is there and whose peer it is. */
    record HostLink(String name, int index, int peerIndex) {}

    /**
     * Parses the output of {@code ip -d -j -batch -} fed "addr show" and "route show": two JSON arrays, one after
     * the other. The IPv6 routes and the sysctls are added by {@link #withIpv6Routes} and {@link #withSysctls}.
     */
    static RouterState parse(String addrAndRoutes) {
        List<JsonNode> arrays = arrays(addrAndRoutes);
        if (arrays.size() != 2) throw new IllegalArgumentException("expected the addresses and the routes from ip, got " + arrays.size() + " JSON document(s)");
        Map<String, Link> links = new LinkedHashMap<>();
        for (JsonNode l : arrays.get(0)) {
            boolean up = false;
            for (JsonNode flag : l.path("flags")) up |= flag.asText().equals("UP");
            List<String> addresses = new ArrayList<>();
            for (JsonNode a : l.path("addr_info")) {
                String scope = a.path("scope").asText();
                if (scope.equals("host") || scope.equals("link")) continue;
                String address = address(a.path("local").asText() + "/" + a.path("prefixlen").asInt());
                if (address != null) addresses.add(address);
            }
            String name = l.path("ifname").asText();
            String kind = l.path("linkinfo").hasNonNull("info_kind") ? l.path("linkinfo").get("info_kind").asText() : null;
            links.put(name, new Link(name, l.path("ifindex").asInt(), kind, l.path("address").asText().toLowerCase(Locale.ROOT),
                    l.path("mtu").asInt(), up, l.path("link_index").asInt(0), addresses));
        }
        return new RouterState(links, routes(arrays.get(1), 4), Map.of());
    }

    /** This state with the routes of {@code ip -6 -j route show} added. */
    RouterState withIpv6Routes(String json) {
        List<Route> all = new ArrayList<>(routes);
        for (JsonNode a : arrays(json)) all.addAll(routes(a, 6));
        return new RouterState(links, all, sysctls);
    }

    /** This state with the sysctls of {@code sysctl} output ("key = value" lines). */
    RouterState withSysctls(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) out.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
        }
        return new RouterState(links, routes, out);
    }

    /** Parses {@code ip -j link show}: of the agent's host namespace, or of a router namespace about to be removed. */
    static Map<String, HostLink> hostLinks(String json) {
        Map<String, HostLink> out = new LinkedHashMap<>();
        for (JsonNode array : arrays(json)) {
            for (JsonNode l : array) {
                String name = l.path("ifname").asText();
                out.put(name, new HostLink(name, l.path("ifindex").asInt(), l.path("link_index").asInt(0)));
            }
        }
        return out;
    }

    /** Parses {@code ip -j netns list}. */
    static List<String> namespaces(String json) {
        List<String> out = new ArrayList<>();
        for (JsonNode array : arrays(json)) for (JsonNode n : array) out.add(n.path("name").asText());
        return out;
    }

    private static List<Route> routes(JsonNode array, int version) {
        List<Route> out = new ArrayList<>();
        for (JsonNode r : array) {
            // Only unicast routes are ever added by the realiser; blackhole, local and the like are left alone.
            if (r.hasNonNull("type") && !r.get("type").asText().equals("unicast")) continue;
            String dst = r.path("dst").asText();
            dst = dst.equals("default") ? (version == 4 ? "0.0.0.0/0" : "::/0") : prefix(dst, version);
            if (dst == null) continue;
            TreeSet<String> nexthops = new TreeSet<>();
            String dev = r.hasNonNull("dev") ? r.get("dev").asText() : null;
            if (r.hasNonNull("gateway")) nexthops.add(canonicalIp(r.get("gateway").asText()));
            for (JsonNode n : r.path("nexthops")) {
                if (n.hasNonNull("gateway")) nexthops.add(canonicalIp(n.get("gateway").asText()));
                if (dev == null && n.hasNonNull("dev")) dev = n.get("dev").asText();
            }
            // iproute2 omits the protocol of routes added without one ("boot") unless asked for details.
            String protocol = r.hasNonNull("protocol") ? r.get("protocol").asText() : "boot";
            out.add(new Route(dst, List.copyOf(nexthops), dev, protocol, r.hasNonNull("metric") ? r.get("metric").asInt() : null));
        }
        return out;
    }

    /** "address/length" with the address in canonical form, host bits kept; null if the text is not that. */
    static String address(String text) {
        IpAddresses.Prefix p = IpAddresses.parsePrefix(text);
        return p == null ? null : IpAddresses.format(p.version(), p.address()) + "/" + p.length();
    }

    /** The canonical prefix a destination names ("10.1.2.3" is 10.1.2.3/32); null if it is not an address or prefix. */
    static String prefix(String text, int version) {
        IpAddresses.Ip ip = IpAddresses.parse(text);
        if (ip != null) return ip.version() == version || version == 0 ? ip.text() + "/" + (ip.version() == 4 ? 32 : 128) : null;
        IpAddresses.Prefix p = IpAddresses.parsePrefix(text);
        return p != null && (p.version() == version || version == 0) ? p.canonical() : null;
    }

    static String canonicalIp(String text) {
        IpAddresses.Ip ip = IpAddresses.parse(text);
        return ip == null ? text : ip.text();
    }

    private static List<JsonNode> arrays(String json) {
        List<JsonNode> out = new ArrayList<>();
        if (json == null || json.isBlank()) return out;
        try (JsonParser p = JSON.createParser(json); MappingIterator<JsonNode> it = JSON.readValues(p, JsonNode.class)) {
            while (it.hasNextValue()) {
                JsonNode node = it.nextValue();
                if (!node.isArray()) throw new IllegalArgumentException("expected a JSON array from iproute2, got " + node.getNodeType());
                out.add(node);
            }
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("unreadable iproute2 JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new IllegalArgumentException("unreadable iproute2 JSON: " + e.getMessage(), e);
        }
        return out;
    }
}
