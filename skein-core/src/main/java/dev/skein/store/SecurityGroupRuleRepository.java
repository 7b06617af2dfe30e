package dev.skein.store;

import dev.skein.model.SecurityGroupRule;
import dev.skein.secgroup.RuleKey;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

/** Security group rules; {@link RuleKey} is unique in the database. */
public interface SecurityGroupRuleRepository {
    Optional<SecurityGroupRule> get(String id);

    /** Rules a project may see (those of its groups and those it owns), or every rule when projectId is null. */
    List<SecurityGroupRule> list(String projectId);

    List<SecurityGroupRule> ofGroups(Collection<String> groupIds);

    /** Inserts a rule known to be new, such as those of a group being created. */
    void insert(SecurityGroupRule r);

    /** Inserts the rule; false when its group already has a rule with the same key. */
    boolean tryInsert(SecurityGroupRule r);

    /** The id of the rule with this key, if any. */
    Optional<String> idOf(RuleKey key);

    long countInGroup(String groupId);

    void delete(String id);

    /** Ids of the groups (other than remoteGroupId itself) with rules naming remoteGroupId as their remote group. */
    List<String> groupsReferencing(String remoteGroupId);
}
