package dev.skein.service;

import dev.skein.error.NeutronException;
import dev.skein.model.SecurityGroup;
import dev.skein.model.SecurityGroupRule;
import dev.skein.secgroup.RuleSpec;
import dev.skein.store.Tx;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Every project has a group named "default", made the first time the project needs one: its ports may talk
 * out to anywhere and to each other, nothing else comes in.
 */
final class DefaultSecurityGroups {
    static final String NAME = "default";
    static final String DESCRIPTION = "Default security group";

    private DefaultSecurityGroups() {}

    /** The project's default group id, creating the group now if the project has none yet. */
    static String ensure(Tx tx, String projectId, Instant now) {
        var existing = tx.securityGroups().defaultOf(projectId);
        if (existing.isPresent()) return existing.get();
        SecurityGroup g = new SecurityGroup(UUID.randomUUID().toString(), projectId, NAME, DESCRIPTION, true, List.of(), now, now, 1);
        List<SecurityGroupRule> rules = new ArrayList<>();
        for (String ethertype : List.of(RuleSpec.IPV4, RuleSpec.IPV6)) {
            rules.add(rule(g, RuleSpec.INGRESS, ethertype, g.id(), now));
            rules.add(rule(g, RuleSpec.EGRESS, ethertype, null, now));
        }
        if (tx.securityGroups().tryInsertDefault(g, rules)) return g.id();
        // Another request created it first; the unique key made us wait for its commit, so it is visible now.
        return tx.securityGroups().defaultOf(projectId).orElseThrow(() -> NeutronException.conflict("Conflict",
                "The default security group of project " + projectId + " is being created concurrently; retry."));
    }

    /** The egress-anywhere rules every new group starts with. */
    /** How many rules {@link #egressRules} gives a new group. */
    static final int EGRESS_RULES = 2;

    static List<SecurityGroupRule> egressRules(SecurityGroup g, Instant now) {
        return List.of(rule(g, RuleSpec.EGRESS, RuleSpec.IPV4, null, now), rule(g, RuleSpec.EGRESS, RuleSpec.IPV6, null, now));
    }

    private static SecurityGroupRule rule(SecurityGroup g, String direction, String ethertype, String remoteGroup, Instant now) {
        return new SecurityGroupRule(UUID.randomUUID().toString(), g.projectId(), g.id(), direction, ethertype, null,
                null, null, null, remoteGroup, "", now, now, 0);
    }
}
