package dev.skein.attr;

import dev.skein.error.NeutronException;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The attributes a caller sent for one resource, with Neutron's conversions (booleans given as strings,
 * integers given as strings) and its wording for bad input. Absent and explicit null are different things:
 * {@code gateway_ip: null} removes a gateway, a missing gateway_ip picks the default.
 */
public final class Attributes {
    private final Map<String, Object> values;

    private Attributes(Map<String, Object> values) { this.values = values; }

    /** Wraps a request body, refusing attributes the operation does not accept. */
    public static Attributes of(Map<String, Object> values, Set<String> accepted) {
        Set<String> unknown = new TreeSet<>(values.keySet());
        unknown.removeAll(accepted);
        if (!unknown.isEmpty()) {
            throw NeutronException.badRequest("Unrecognized attribute(s) '" + String.join(", ", unknown) + "'");
        }
        return new Attributes(values);
    }

    public boolean has(String key) { return values.containsKey(key); }

    public boolean isNull(String key) { return values.containsKey(key) && values.get(key) == null; }

    public String string(String key, String dflt) {
        if (!values.containsKey(key)) return dflt;
        Object v = values.get(key);
        if (v == null) return null;
        if (!(v instanceof String s)) throw NeutronException.invalidAttribute(key, "'" + v + "' is not a valid string");
        return s;
    }

    /** A string attribute that may not be null and has a length bound, as name and description do. */
    public String text(String key, String dflt, int maxLength) {
        String s = string(key, dflt);
        if (s == null) throw NeutronException.invalidAttribute(key, "'None' is not a valid string");
        if (s.length() > maxLength) {
            throw NeutronException.invalidAttribute(key, "'" + s + "' exceeds maximum length of " + maxLength);
        }
        return s;
    }

    public boolean bool(String key, boolean dflt) {
        if (!values.containsKey(key)) return dflt;
        Boolean b = toBoolean(values.get(key));
        if (b == null) throw NeutronException.invalidAttribute(key, "'" + values.get(key) + "' cannot be converted to boolean");
        return b;
    }

    public static Boolean toBoolean(Object v) {
        if (v instanceof Boolean b) return b;
        // Only the integers 0 and 1: narrowing would read 0.5 as false and 2^32 as false.
        if (v instanceof Integer || v instanceof Long) {
            long n = ((Number) v).longValue();
            if (n == 0 || n == 1) return n == 1;
        }
        if (v instanceof String s) {
            return switch (s.toLowerCase(Locale.ROOT)) {
                case "true", "1" -> true;
                case "false", "0" -> false;
                default -> null;
            };
        }
        return null;
    }

    public Integer integer(String key) {
        if (!values.containsKey(key) || values.get(key) == null) return null;
        Object v = values.get(key);
        if (v instanceof Integer i) return i;
        if (v instanceof Long l && l == l.intValue()) return l.intValue();
        if (v instanceof String s) {
            try { return Integer.parseInt(s.trim()); } catch (NumberFormatException e) { /* reported below */ }
        }
        throw NeutronException.invalidAttribute(key, "'" + v + "' is not an integer");
    }

    public List<String> stringList(String key) {
        if (!values.containsKey(key)) return null;
        Object v = values.get(key);
        if (v == null) return List.of();
        if (!(v instanceof List<?> list)) throw NeutronException.invalidAttribute(key, "'" + v + "' is not a list");
        List<String> out = new ArrayList<>(list.size());
        for (Object o : list) {
            if (!(o instanceof String s)) throw NeutronException.invalidAttribute(key, "'" + o + "' is not a valid string");
            out.add(s);
        }
        return out;
    }

    /** A list of JSON objects, as fixed_ips, allocation_pools and host_routes are. */
    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> objectList(String key) {
        if (!values.containsKey(key)) return null;
        Object v = values.get(key);
        if (v == null) return List.of();
        if (!(v instanceof List<?> list)) throw NeutronException.invalidAttribute(key, "'" + v + "' is not a list");
        for (Object o : list) {
            if (!(o instanceof Map)) throw NeutronException.invalidAttribute(key, "'" + o + "' is not a dictionary");
        }
        return (List<Map<String, Object>>) list;
    }

    @SuppressWarnings("unchecked")
    public Map<String, Object> object(String key) {
        if (!values.containsKey(key) || values.get(key) == null) return null;
        if (!(values.get(key) instanceof Map<?, ?> m)) {
            throw NeutronException.invalidAttribute(key, "'" + values.get(key) + "' is not a dictionary");
        }
        return (Map<String, Object>) m;
    }
}
