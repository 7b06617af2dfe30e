package dev.skein.model;

import java.time.Instant;
import java.util.List;

public record Network(
        String id, String projectId, String name, String description,
        boolean adminStateUp, boolean shared, boolean external, int mtu, boolean portSecurityEnabled,
        String status, Segment segment, List<String> tags,
        Instant createdAt, Instant updatedAt, long revision) {

    public Network withTags(List<String> newTags, Instant now) {
        return new Network(id, projectId, name, description, adminStateUp, shared, external, mtu,
                portSecurityEnabled, status, segment, List.copyOf(newTags), createdAt, now, revision + 1);
    }

    public Network touched(Instant now) {
        return new Network(id, projectId, name, description, adminStateUp, shared, external, mtu,
                portSecurityEnabled, status, segment, tags, createdAt, now, revision + 1);
    }

    /** The network with its RBAC-derived flags re-read; a change of its policies revises it. */
    public Network withAccess(boolean newShared, boolean newExternal, Instant now) {
        return new Network(id, projectId, name, description, adminStateUp, newShared, newExternal, mtu,
                portSecurityEnabled, status, segment, tags, createdAt, now, revision + 1);
    }
}
