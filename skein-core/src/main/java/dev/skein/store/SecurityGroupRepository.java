package dev.skein.store;

import dev.skein.model.SecurityGroup;
import dev.skein.model.SecurityGroupRule;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Security groups, each project's default group, and the ports that are members of a group. */
public interface SecurityGroupRepository {
    Optional<SecurityGroup> get(String id);

    /** Reads the group and holds a row lock until the transaction ends, serialising changes to its rules. */
    Optional<SecurityGroup> lock(String id);

    /** The groups of one project, or all groups when projectId is null. */
    List<SecurityGroup> list(String projectId);

    List<SecurityGroup> getAll(Collection<String> ids);

    /**
     * The ids of those of the groups that exist, which then cannot be deleted until this transaction ends
     * ({@link #lockMembers} waits for it). Ports joining the same group rarely wait for each other.
     */
    List<String> pinAll(Collection<String> ids);

    void insert(SecurityGroup g);

    void update(SecurityGroup g);

    /** Deletes the group and, with it, its rules and every rule elsewhere that names it as remote group. */
    void delete(String id);

    /** The id of the project's default group, if it has one yet. */
    Optional<String> defaultOf(String projectId);

    /** Whether the group is some project's default group. */
    boolean isDefault(String id);

    /**
     * Inserts the group with its rules and records it as the project's default group, all or nothing; false,
     * with nothing written, when the project already has a default group (a unique key decides races).
     */
    boolean tryInsertDefault(SecurityGroup g, List<SecurityGroupRule> rules);

    /** Makes a new port a member of these groups. */
    void addPortGroups(String portId, List<String> groupIds);

    /** Makes the port a member of exactly these groups. */
    void setPortGroups(String portId, List<String> groupIds);

    /** The groups of each port, in the order they were given. */
    Map<String, List<String>> ofPorts(Collection<String> portIds);

    /**
     * Waits for every transaction that pinned the group to end, keeps new ones from pinning it until this one
     * ends, and returns how many ports are then members of it.
     */
    long lockMembers(String groupId);
}
