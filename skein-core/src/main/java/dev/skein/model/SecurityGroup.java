package dev.skein.model;

import java.time.Instant;
import java.util.List;

/** A security group without its rules, which are records of their own ({@link SecurityGroupRule}). */
public record SecurityGroup(
        String id, String projectId, String name, String description, boolean stateful,
        List<String> tags, Instant createdAt, Instant updatedAt, long revision) {

    public SecurityGroup withTags(List<String> newTags, Instant now) {
        return new SecurityGroup(id, projectId, name, description, stateful, List.copyOf(newTags), createdAt, now, revision + 1);
    }

    /** Rules are part of a group's state, so adding or removing one is a new revision of the group. */
    public SecurityGroup touched(Instant now) {
        return new SecurityGroup(id, projectId, name, description, stateful, tags, createdAt, now, revision + 1);
    }
}
