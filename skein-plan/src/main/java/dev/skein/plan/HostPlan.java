package dev.skein.plan;

import java.util.Objects;

/**
 * Everything one host must hold, one part per compiler, stamped with the intent revision it was compiled
 * from so an agent can report which revision it has realised.
 */
public record HostPlan(String host, long revision, L2Plan l2) {
    public HostPlan {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(l2, "l2");
    }
}
