package dev.skein.agent.l2;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The L2 state of one host (or namespace) as the kernel reports it: the links from {@code ip -j -d link show}
 * and the FDB from {@code bridge -j fdb show}, reduced to what the L2 diff compares.
 */
public record KernelL2State(Map<String, Link> links, List<FdbEntry> fdb) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public KernelL2State {
        links = Map.copyOf(links);
        fdb = List.copyOf(fdb);
    }

    /** kind is linkinfo's info_kind (null for devices without one, e.g. loopback); master is null if none. */
    public record Link(String name, String kind, String master, int mtu, boolean up, VxlanInfo vxlan) {}

    /** The attributes of a VXLAN device that cannot be changed in place. */
    public record VxlanInfo(int vni, String local, int port, boolean learning) {}

    /** An FDB entry owned by the device itself ("self"), as VXLAN remote entries are; dst may be null. */
    public record FdbEntry(String device, String mac, String dst) {}

    public static KernelL2State parse(String linkJson, String fdbJson) {
        Map<String, Link> links = new LinkedHashMap<>();
        for (JsonNode l : read(linkJson)) {
            JsonNode info = l.path("linkinfo");
            JsonNode data = info.path("info_data");
            VxlanInfo vxlan = null;
            if ("vxlan".equals(info.path("info_kind").asText())) {
                String local = data.hasNonNull("local") ? data.get("local").asText() : text(data, "local6");
                vxlan = new VxlanInfo(data.path("id").asInt(), local, data.path("port").asInt(), data.path("learning").asBoolean(false));
            }
            boolean up = false;
            for (JsonNode flag : l.path("flags")) up |= flag.asText().equals("UP");
            String name = l.path("ifname").asText();
            links.put(name, new Link(name, text(info, "info_kind"), text(l, "master"), l.path("mtu").asInt(), up, vxlan));
        }
        List<FdbEntry> fdb = new ArrayList<>();
        for (JsonNode e : read(fdbJson)) {
            boolean self = false;
            for (JsonNode flag : e.path("flags")) self |= flag.asText().equals("self");
            if (self && e.hasNonNull("ifname")) fdb.add(new FdbEntry(e.get("ifname").asText(), e.path("mac").asText(), text(e, "dst")));
        }
        return new KernelL2State(links, fdb);
    }

    private static JsonNode read(String json) {
        try {
            JsonNode node = JSON.readTree(json.isBlank() ? "[]" : json);
            if (!node.isArray()) throw new IllegalArgumentException("expected a JSON array from iproute2, got " + node.getNodeType());
            return node;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("unreadable iproute2 JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static String text(JsonNode node, String field) {
        return node.hasNonNull(field) ? node.get(field).asText() : null;
    }
}
