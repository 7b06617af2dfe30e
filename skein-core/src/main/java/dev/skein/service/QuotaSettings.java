package dev.skein.service;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The default limit of every quota resource, which a project has until an admin overrides it.
 *
 * @param defaults resource name to limit, {@value #UNLIMITED} for no limit; every resource of {@link #RESOURCES}
 */
public record QuotaSettings(Map<String, Integer> defaults) {
    public static final int UNLIMITED = -1;
    /** The resources Skein limits, by their Neutron quota names. */
    public static final List<String> RESOURCES = List.of("floatingip", "network", "port", "rbac_policy", "router",
            "security_group", "security_group_rule", "subnet");

    public QuotaSettings {
        Set<String> unknown = new TreeSet<>(defaults.keySet());
        RESOURCES.forEach(unknown::remove);
        if (!unknown.isEmpty()) throw new IllegalArgumentException("unknown quota resource(s) " + unknown + "; known: " + RESOURCES);
        Map<String, Integer> ordered = new LinkedHashMap<>();
        for (String r : RESOURCES) {
            Integer limit = defaults.get(r);
            if (limit == null) throw new IllegalArgumentException("quota resource " + r + " has no default");
            if (limit < UNLIMITED) throw new IllegalArgumentException("quota default for " + r + " must be -1 (unlimited) or more, not " + limit);
            ordered.put(r, limit);
        }
        defaults = Collections.unmodifiableMap(ordered);
    }

    public int defaultOf(String resource) { return defaults.get(resource); }
}
