package dev.skein.api.neutron;

import dev.skein.attr.Attributes;
import dev.skein.error.NeutronException;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Neutron's list query semantics over rendered resources: filters (AND across attributes, OR across repeated
 * values), tag filters, {@code fields}, {@code sort_key}/{@code sort_dir} (id is always the last key), and
 * {@code limit}/{@code marker}/{@code page_reverse} with next/previous links.
 */
final class ListQuery {
    private static final Set<String> RESERVED = Set.of("fields", "sort_key", "sort_dir", "limit", "marker", "page_reverse",
            "tags", "tags-any", "not-tags", "not-tags-any");

    private final Map<String, List<String>> params;
    private final Set<String> attributes;

    ListQuery(Map<String, List<String>> params, Set<String> attributes) {
        this.params = params;
        this.attributes = attributes;
        for (String k : params.keySet()) {
            if (!RESERVED.contains(k) && !attributes.contains(k)) {
                throw NeutronException.badRequest("[" + k + "] is invalid attribute for filtering");
            }
        }
    }

    record Page(List<Map<String, Object>> items, List<Map<String, String>> links) {}

    Page apply(List<Map<String, Object>> all, String selfUrl) {
        List<Map<String, Object>> matched = new ArrayList<>();
        for (Map<String, Object> item : all) if (matches(item)) matched.add(item);
        Comparator<Map<String, Object>> order = comparator();
        matched.sort(order);

        Integer limit = intParam("limit");
        String marker = single("marker");
        boolean reverse = Boolean.TRUE.equals(Attributes.toBoolean(single("page_reverse") == null ? "false" : single("page_reverse")));
        List<Map<String, Object>> window = matched;
        if (marker != null) {
            Map<String, Object> m = all.stream().filter(i -> marker.equals(i.get("id"))).findFirst()
                    .orElseThrow(() -> NeutronException.notFound("MarkerNotFound", "Marker " + marker + " could not be found."));
            window = matched.stream().filter(i -> reverse ? order.compare(i, m) < 0 : order.compare(i, m) > 0).toList();
        }
        List<Map<String, String>> links = new ArrayList<>();
        if (limit != null && limit > 0) {
            boolean more = window.size() > limit;
            List<Map<String, Object>> page = reverse ? window.subList(Math.max(0, window.size() - limit), window.size())
                    : window.subList(0, Math.min(limit, window.size()));
            if (!page.isEmpty()) {
                String first = (String) page.get(0).get("id"), last = (String) page.get(page.size() - 1).get("id");
                boolean hasNext = reverse ? marker != null : more;
                boolean hasPrevious = reverse ? more : marker != null;
                if (hasNext) links.add(Map.of("rel", "next", "href", link(selfUrl, limit, last, false)));
                if (hasPrevious) links.add(Map.of("rel", "previous", "href", link(selfUrl, limit, first, true)));
            }
            window = page;
        }
        List<String> fields = params.getOrDefault("fields", List.of());
        List<Map<String, Object>> out = new ArrayList<>(window.size());
        for (Map<String, Object> item : window) out.add(project(item, fields));
        return new Page(out, links);
    }

    /** Keeps only the requested fields (all when none are named), as single GETs also allow. */
    static Map<String, Object> project(Map<String, Object> item, List<String> fields) {
        List<String> wanted = fields.stream().flatMap(f -> Arrays.stream(f.split(","))).filter(f -> !f.isBlank()).toList();
        if (wanted.isEmpty()) return item;
        Map<String, Object> out = new LinkedHashMap<>();
        for (String f : wanted) if (item.containsKey(f)) out.put(f, item.get(f));
        return out;
    }

    private boolean matches(Map<String, Object> item) {
        for (Map.Entry<String, List<String>> e : params.entrySet()) {
            String key = e.getKey();
            if (RESERVED.contains(key)) continue;
            boolean any = false;
            for (String wanted : e.getValue()) {
                if (valueMatches(key, item.get(key), wanted)) {
                    any = true;
                    break;
                }
            }
            if (!any) return false;
        }
        return tagsMatch(item);
    }

    private static boolean valueMatches(String key, Object actual, String wanted) {
        if (key.equals("fixed_ips") && actual instanceof List<?> ips) return fixedIpMatches(ips, wanted);
        if (actual instanceof List<?> list) return list.stream().anyMatch(v -> String.valueOf(v).equals(wanted));
        if (actual instanceof Boolean b) return b.equals(Attributes.toBoolean(wanted));
        if (actual == null) return wanted.isEmpty() || wanted.equals("None") || wanted.equals("null");
        return String.valueOf(actual).equals(wanted);
    }

    /** fixed_ips=ip_address=10.0.0.5, fixed_ips=subnet_id=..., fixed_ips=ip_address_substr=10.0. */
    private static boolean fixedIpMatches(List<?> ips, String wanted) {
        int eq = wanted.indexOf('=');
        if (eq < 0) throw NeutronException.badRequest("fixed_ips filter must be ip_address=, ip_address_substr= or subnet_id=");
        String k = wanted.substring(0, eq), v = wanted.substring(eq + 1);
        for (Object o : ips) {
            Map<?, ?> ip = (Map<?, ?>) o;
            boolean hit = switch (k) {
                case "ip_address", "subnet_id" -> v.equals(ip.get(k));
                case "ip_address_substr" -> String.valueOf(ip.get("ip_address")).contains(v);
                default -> throw NeutronException.badRequest("fixed_ips filter key '" + k + "' is not supported");
            };
            if (hit) return true;
        }
        return false;
    }

    private boolean tagsMatch(Map<String, Object> item) {
        @SuppressWarnings("unchecked")
        Set<Object> tags = new HashSet<>((List<Object>) item.getOrDefault("tags", List.of()));
        for (String all : tagList("tags")) if (!tags.contains(all)) return false;
        List<String> any = tagList("tags-any");
        if (!any.isEmpty() && any.stream().noneMatch(tags::contains)) return false;
        List<String> notAll = tagList("not-tags");
        if (!notAll.isEmpty() && tags.containsAll(notAll)) return false;
        return tagList("not-tags-any").stream().noneMatch(tags::contains);
    }

    private List<String> tagList(String key) {
        List<String> out = new ArrayList<>();
        for (String v : params.getOrDefault(key, List.of())) {
            for (String t : v.split(",")) if (!t.isEmpty()) out.add(t);
        }
        return out;
    }

    private Comparator<Map<String, Object>> comparator() {
        List<String> keys = params.getOrDefault("sort_key", List.of());
        List<String> dirs = params.getOrDefault("sort_dir", List.of());
        if (!dirs.isEmpty() && dirs.size() != keys.size()) {
            throw NeutronException.badRequest("The number of sort_keys and sort_dirs must be same");
        }
        Comparator<Map<String, Object>> c = null;
        for (int i = 0; i < keys.size(); i++) {
            String key = keys.get(i);
            if (!attributes.contains(key)) throw NeutronException.badRequest(key + " is an invalid attribute for sort_key");
            String dir = dirs.isEmpty() ? "asc" : dirs.get(i);
            if (!dir.equals("asc") && !dir.equals("desc")) {
                throw NeutronException.badRequest(dir + " is an invalid value for sort_dir, valid value is 'asc' and 'desc'");
            }
            Comparator<Map<String, Object>> k = Comparator.comparing(m -> m.get(key), ListQuery::compareValues);
            if (dir.equals("desc")) k = k.reversed();
            c = c == null ? k : c.thenComparing(k);
        }
        Comparator<Map<String, Object>> byId = Comparator.comparing(m -> String.valueOf(m.get("id")));
        return c == null ? byId : c.thenComparing(byId);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static int compareValues(Object a, Object b) {
        if (a == null || b == null) return a == null ? (b == null ? 0 : -1) : 1;
        if (a instanceof Comparable ca && a.getClass() == b.getClass()) return ca.compareTo(b);
        return String.valueOf(a).compareTo(String.valueOf(b));
    }

    private String single(String key) {
        List<String> v = params.get(key);
        return v == null || v.isEmpty() ? null : v.get(v.size() - 1);
    }

    private Integer intParam(String key) {
        String v = single(key);
        if (v == null) return null;
        try {
            int n = Integer.parseInt(v);
            if (n < 0) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw NeutronException.badRequest("Limit must be an integer 0 or greater and not '" + v + "'");
        }
    }

    private String link(String selfUrl, int limit, String marker, boolean reverse) {
        StringBuilder q = new StringBuilder();
        for (Map.Entry<String, List<String>> e : params.entrySet()) {
            if (Set.of("limit", "marker", "page_reverse").contains(e.getKey())) continue;
            for (String v : e.getValue()) q.append(enc(e.getKey())).append('=').append(enc(v)).append('&');
        }
        q.append("limit=").append(limit).append("&marker=").append(enc(marker));
        if (reverse) q.append("&page_reverse=True");
        return selfUrl + "?" + q;
    }

    private static String enc(String s) { return URLEncoder.encode(s, StandardCharsets.UTF_8); }
}
