package dev.skein.store;

import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;

/** Per-project quota overrides, the rows creators lock while they check a limit, and usage counts. */
public interface QuotaRepository {
    OptionalInt limit(String projectId, String resource);

    /** The overrides of one project, resource to limit. */
    Map<String, Integer> limits(String projectId);

    /** Every project with an override, to its overrides. */
    Map<String, Map<String, Integer>> allLimits();

    void setLimit(String projectId, String resource, int limit);

    /** Removes the project's overrides and returns how many there were. */
    int clearLimits(String projectId);

    /**
     * Holds a row lock on (project, resource) until the transaction ends, creating the row on first use, so
     * that creators of that resource in that project check the limit one after the other.
     */
    void lockUsage(String projectId, String resource);

    /** How many of the resource the project has; empty when this store has no such resource. */
    OptionalLong count(String resource, String projectId);
}
