package dev.skein.agent.dhcp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The links of a namespace with their addresses, from {@code ip -j -d addr show}. */
record NamespaceLinks(Map<String, Link> links) {
    private static final ObjectMapper JSON = new ObjectMapper();

    NamespaceLinks {
        links = Map.copyOf(links);
    }

    /** addresses are "address/prefixlen", without the IPv6 link-local ones the kernel makes itself. */
    record Link(String name, String kind, String mac, int mtu, boolean up, List<String> addresses) {}

    static NamespaceLinks parse(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json.isBlank() ? "[]" : json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("unreadable iproute2 JSON: " + e.getOriginalMessage(), e);
        }
        if (!root.isArray()) throw new IllegalArgumentException("expected a JSON array from iproute2");
        Map<String, Link> links = new LinkedHashMap<>();
        for (JsonNode l : root) {
            boolean up = false;
            for (JsonNode flag : l.path("flags")) up |= flag.asText().equals("UP");
            List<String> addresses = new ArrayList<>();
            for (JsonNode a : l.path("addr_info")) {
                String local = a.path("local").asText();
                if (local.isEmpty() || local.toLowerCase(Locale.ROOT).startsWith("fe80:")) continue;
                addresses.add(local + "/" + a.path("prefixlen").asInt());
            }
            String name = l.path("ifname").asText();
            JsonNode info = l.path("linkinfo");
            links.put(name, new Link(name, info.hasNonNull("info_kind") ? info.get("info_kind").asText() : null,
                    l.path("address").asText().toLowerCase(Locale.ROOT), l.path("mtu").asInt(), up, addresses));
        }
        return new NamespaceLinks(links);
    }
}
