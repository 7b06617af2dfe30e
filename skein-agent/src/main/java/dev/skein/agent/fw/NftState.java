package dev.skein.agent.fw;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.skein.plan.fw.FirewallPlan;
import dev.skein.plan.fw.NftText;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Skein's nftables tables as the diff compares them: per table its chains (hook, and per rule the fingerprint
 * carried in the rule's comment) and its named sets and maps (signature and elements as nft text).
 *
 * <p>Rules are identified by fingerprint rather than by re-rendering the kernel's JSON, because nft lists a rule
 * differently from how it was written (it drops implied matches, names numbers, merges statements). A rule
 * without Skein's comment, a missing one or one out of order all make the chain differ, and the chain is
 * rewritten.
 */
public record NftState(Map<String, TableState> tables) {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String FINGERPRINT_PREFIX = "sk:";

    public NftState { tables = Map.copyOf(tables); }

    public record TableState(String family, String name, Map<String, ChainState> chains, Map<String, SetState> sets) {
        public TableState {
            chains = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(chains));
            sets = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(sets));
        }
    }

    /**
     * hook null for a regular chain. A chain read from the kernel has fingerprints ("" for a rule without Skein's
     * comment) and the sets its rules use; a chain assumed from a realised plan has its rule texts instead, which
     * compare without hashing every rule of the host on every change.
     */
    public record ChainState(String name, FirewallPlan.Hook hook, List<String> rules, List<String> fingerprints, Set<String> kernelSetRefs) {
        public static ChainState read(String name, FirewallPlan.Hook hook, List<String> fingerprints, Set<String> setRefs) {
            return new ChainState(name, hook, null, List.copyOf(fingerprints), Set.copyOf(setRefs));
        }

        public static ChainState assumed(FirewallPlan.Chain chain) {
            return new ChainState(chain.name(), chain.hook(), chain.rules(), null, null);
        }

        public boolean hasRules() { return rules != null ? !rules.isEmpty() : !fingerprints.isEmpty(); }

        public int size() { return rules != null ? rules.size() : fingerprints.size(); }

        public boolean sameRules(List<String> planned) {
            if (rules != null) return rules.equals(planned);
            if (fingerprints.size() != planned.size()) return false;
            for (int i = 0; i < planned.size(); i++) if (!fingerprints.get(i).equals(fingerprint(planned.get(i)))) return false;
            return true;
        }

        public boolean uses(Set<String> sets) {
            if (sets.isEmpty()) return false;
            if (kernelSetRefs != null) return kernelSetRefs.stream().anyMatch(sets::contains);
            for (String rule : rules) {
                for (String token : rule.split(" ")) if (token.startsWith("@") && sets.contains(token.substring(1))) return true;
            }
            return false;
        }
    }

    /** elements null when some element could not be read as nft text; the set is then recreated. */
    public record SetState(String name, Signature signature, Set<String> elements) {}

    /** What must match for an existing set to be kept: set or map, key type, data type and flags as nft lists them. */
    public record Signature(boolean map, String type, String data, Set<String> flags) {
        public static Signature of(FirewallPlan.SetKind kind) {
            return switch (kind) {
                case IFNAME_VERDICT -> new Signature(true, "ifname", "verdict", Set.of());
                case IFNAME_CT_ZONE -> new Signature(true, "ifname", "integer", Set.of());
                case IFNAMES -> new Signature(false, "ifname", null, Set.of());
                case IPV4_ADDRESSES -> new Signature(false, "ipv4_addr", null, Set.of("interval"));
                case IPV6_ADDRESSES -> new Signature(false, "ipv6_addr", null, Set.of("interval"));
            };
        }
    }

    public static String key(String family, String table) { return family + " " + table; }

    public TableState table(FirewallPlan.Table t) { return tables.get(key(t.family().nft(), t.name())); }

    /** The comment Skein puts on a rule so it can recognise the rule when it reads the chain back. */
    public static String fingerprint(String rule) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(rule.getBytes(StandardCharsets.UTF_8));
            return FINGERPRINT_PREFIX + HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** What the kernel holds once plan has been realised: the basis of an incremental change. */
    public static NftState assumed(FirewallPlan plan) {
        Map<String, TableState> tables = new LinkedHashMap<>();
        for (FirewallPlan.Table t : plan.tables()) {
            Map<String, ChainState> chains = new LinkedHashMap<>();
            for (FirewallPlan.Chain c : t.chains()) {
                chains.put(c.name(), ChainState.assumed(c));
            }
            Map<String, SetState> sets = new LinkedHashMap<>();
            for (FirewallPlan.NamedSet s : t.sets()) {
                sets.put(s.name(), new SetState(s.name(), Signature.of(s.kind()), new TreeSet<>(s.elements())));
            }
            tables.put(key(t.family().nft(), t.name()), new TableState(t.family().nft(), t.name(), chains, sets));
        }
        return new NftState(tables);
    }

    /**
     * Parses the output of {@code nft -j list table ...}, one JSON document per table (several may follow each
     * other in one string). Only tables present in the documents appear in the state. Rules are streamed, not
     * built into trees: a host with 1000 ports lists some 40,000 of them.
     */
    public static NftState parse(List<String> documents) {
        Map<String, Map<String, FirewallPlan.Hook>> chains = new LinkedHashMap<>();
        Map<String, Map<String, SetState>> sets = new LinkedHashMap<>();
        Map<String, String[]> names = new LinkedHashMap<>();
        Map<String, List<String>> fingerprints = new LinkedHashMap<>();
        Map<String, Set<String>> refs = new LinkedHashMap<>();
        for (String document : documents) {
            read(document, rule -> {
                String chainKey = key(rule.family(), rule.table()) + " " + rule.chain();
                fingerprints.computeIfAbsent(chainKey, x -> new ArrayList<>())
                        .add(rule.comment().startsWith(FINGERPRINT_PREFIX) ? rule.comment() : "");
                refs.computeIfAbsent(chainKey, x -> new TreeSet<>()).addAll(rule.setRefs());
            }, (kind, o) -> {
                String table = key(o.path("family").asText(), o.path("table").asText());
                switch (kind) {
                    case "table" -> {
                        String k = key(o.path("family").asText(), o.path("name").asText());
                        names.put(k, new String[] {o.path("family").asText(), o.path("name").asText()});
                        chains.computeIfAbsent(k, x -> new LinkedHashMap<>());
                        sets.computeIfAbsent(k, x -> new LinkedHashMap<>());
                    }
                    case "chain" -> chains.computeIfAbsent(table, x -> new LinkedHashMap<>()).put(o.path("name").asText(),
                            o.has("hook") ? new FirewallPlan.Hook(o.path("type").asText(), o.path("hook").asText(),
                                    o.path("prio").asInt(), o.path("policy").asText()) : null);
                    case "set", "map" -> sets.computeIfAbsent(table, x -> new LinkedHashMap<>())
                            .put(o.path("name").asText(), set(kind.equals("map"), o));
                    default -> { }
                }
            });
        }
        Map<String, TableState> tables = new LinkedHashMap<>();
        names.forEach((k, n) -> {
            Map<String, ChainState> withRules = new LinkedHashMap<>();
            chains.get(k).forEach((name, hook) -> withRules.put(name, ChainState.read(name, hook,
                    fingerprints.getOrDefault(k + " " + name, List.of()), refs.getOrDefault(k + " " + name, Set.of()))));
            tables.put(k, new TableState(n[0], n[1], withRules, sets.get(k)));
        });
        return new NftState(tables);
    }

    /** What the diff needs of one listed rule. */
    private record RuleItem(String family, String table, String chain, String comment, Set<String> setRefs) {}

    /** Walks the items of one or more concatenated {"nftables": [...]} documents: rules streamed, the rest as trees. */
    private static void read(String text, Consumer<RuleItem> rules, BiConsumer<String, JsonNode> others) {
        try (JsonParser p = JSON.createParser(text)) {
            while (p.nextToken() == JsonToken.START_OBJECT) {
                boolean found = false;
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    JsonToken value = p.nextToken();
                    if (!field.equals("nftables") || value != JsonToken.START_ARRAY) {
                        p.skipChildren();
                        continue;
                    }
                    found = true;
                    while (p.nextToken() == JsonToken.START_OBJECT) {
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String kind = p.currentName();
                            if (p.nextToken() != JsonToken.START_OBJECT) p.skipChildren();
                            else if (kind.equals("rule")) rules.accept(rule(p));
                            else others.accept(kind, p.readValueAsTree());
                        }
                    }
                }
                if (!found) throw new IllegalArgumentException("expected {\"nftables\": [...]} from nft -j");
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("unreadable nft JSON: " + e.getMessage(), e);
        }
    }

    private static RuleItem rule(JsonParser p) throws IOException {
        String family = "", table = "", chain = "", comment = "";
        Set<String> refs = new TreeSet<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            switch (field) {
                case "family" -> family = p.getText();
                case "table" -> table = p.getText();
                case "chain" -> chain = p.getText();
                case "comment" -> comment = p.getText();
                case "expr" -> {
                    if (value.isStructStart()) {
                        for (int depth = 1; depth > 0; ) {
                            JsonToken t = p.nextToken();
                            if (t.isStructStart()) depth++;
                            else if (t.isStructEnd()) depth--;
                            else if (t == JsonToken.VALUE_STRING && p.getText().startsWith("@")) refs.add(p.getText().substring(1));
                        }
                    }
                }
                default -> p.skipChildren();
            }
        }
        return new RuleItem(family, table, chain, comment, refs);
    }

    private static SetState set(boolean map, JsonNode o) {
        Set<String> flags = new TreeSet<>();
        o.path("flags").forEach(f -> flags.add(f.asText()));
        String type = o.path("type").isTextual() ? o.path("type").asText() : o.path("type").toString();
        String data = map ? (o.path("map").isTextual() ? o.path("map").asText() : o.path("map").toString()) : null;
        Signature signature = new Signature(map, type, data, flags);
        Set<String> elements = new TreeSet<>();
        for (JsonNode e : o.path("elem")) {
            String text = map ? mapElement(type, e) : key(type, e);
            if (text == null) return new SetState(o.path("name").asText(), signature, null);
            elements.add(text);
        }
        return new SetState(o.path("name").asText(), signature, elements);
    }

    private static String mapElement(String type, JsonNode e) {
        if (!e.isArray() || e.size() != 2) return null;
        String key = key(type, e.get(0));
        String value = value(e.get(1));
        return key == null || value == null ? null : key + " : " + value;
    }

    /** A set key as the compiler writes it, or null for anything Skein never writes (timeouts, ranges, concatenations). */
    private static String key(String type, JsonNode e) {
        if (e.isObject() && e.has("elem")) return null;
        return switch (type) {
            case "ifname" -> e.isTextual() && NftText.ifname(e.asText()) ? NftText.quote(e.asText()) : null;
            case "ipv4_addr", "ipv6_addr" -> {
                if (e.isTextual()) yield NftText.address(e.asText());
                JsonNode p = e.path("prefix");
                yield p.isObject() ? NftText.address(p.path("addr").asText() + "/" + p.path("len").asInt()) : null;
            }
            default -> null;
        };
    }

    private static String value(JsonNode v) {
        if (v.isInt()) return String.valueOf(v.asInt());
        // Address-to-address maps (a router's 1:1 NAT) list their data as the address text.
        if (v.isTextual()) return NftText.address(v.asText());
        if (!v.isObject() || v.size() != 1) return null;
        Map.Entry<String, JsonNode> verdict = v.fields().next();
        return switch (verdict.getKey()) {
            case "jump", "goto" -> verdict.getKey() + " " + verdict.getValue().path("target").asText();
            case "accept", "drop", "return", "continue" -> verdict.getKey();
            default -> null;
        };
    }
}
