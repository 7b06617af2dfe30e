package dev.skein.service;

import dev.skein.attr.Attributes;
import dev.skein.error.NeutronException;
import dev.skein.model.Port;
import dev.skein.model.SecurityGroup;
import dev.skein.secgroup.SecurityGroupErrors;
import dev.skein.store.Tx;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Which security groups a port is a member of, by Neutron's rules: groups only apply when port security is on;
 * a port that names none gets its project's default group; the network's own ports (DHCP, router interfaces
 * and gateways, floating IPs: device_owner network:*) are trusted and get none.
 */
final class PortSecurityGroups {
    private static final String ATTR = "security_groups";
    private static final Pattern UUID_LIKE = Pattern.compile("[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}");

    private PortSecurityGroups() {}

    static boolean trusted(String deviceOwner) { return deviceOwner.startsWith("network:"); }

    /** The groups of a new port; the project gets its default group here if it has none yet, as in Neutron. */
    static List<String> forCreate(Tx tx, Attributes a, String projectId, String deviceOwner, boolean portSecurity, Instant now) {
        String defaultGroup = DefaultSecurityGroups.ensure(tx, projectId, now);
        List<String> requested = a.has(ATTR) && !a.isNull(ATTR) ? a.stringList(ATTR) : null;
        if (trusted(deviceOwner)) return List.of();
        if (!portSecurity) {
            if (requested != null && !requested.isEmpty()) throw SecurityGroupErrors.portSecurityRequired();
            return List.of();
        }
        return requested == null ? List.of(defaultGroup) : validated(tx, requested, projectId);
    }

    /**
     * The groups after an update. Turning port security off needs the same request to drop the groups (an
     * empty list or null); otherwise the port would silently lose its filtering.
     */
    static List<String> forUpdate(Tx tx, Attributes a, Port old, String deviceOwner, boolean portSecurity) {
        boolean given = a.has(ATTR);
        List<String> requested = given ? a.stringList(ATTR) : null;
        if (trusted(deviceOwner)) return given ? List.of() : old.securityGroups();
        if (!portSecurity) {
            if (given && !requested.isEmpty()) throw SecurityGroupErrors.portSecurityRequired();
            if (!given && !old.securityGroups().isEmpty()) throw SecurityGroupErrors.portHasGroups();
            return List.of();
        }
        return given ? validated(tx, requested, old.projectId()) : old.securityGroups();
    }

    /**
     * Pins the port's groups until the transaction ends and checks they still exist. Deleting a group waits for
     * its pins before counting its ports, so either the delete sees this port's membership and refuses, or it
     * committed first and the port's request fails here. The foreign key alone is not enough: H2's does not see
     * uncommitted rows of other transactions. Done last, after the membership rows are written, so that the pin
     * is held only briefly.
     */
    static Port confirmed(Tx tx, Port port) {
        if (port.securityGroups().isEmpty()) return port;
        Set<String> present = Set.copyOf(tx.securityGroups().pinAll(port.securityGroups()));
        List<String> gone = port.securityGroups().stream().filter(id -> !present.contains(id)).toList();
        if (!gone.isEmpty()) throw SecurityGroupErrors.notFound(String.join(", ", gone));
        return port;
    }

    /** Every group must exist and belong to the port's project; 404 names the ones that do not. */
    private static List<String> validated(Tx tx, List<String> requested, String projectId) {
        List<String> ids = new ArrayList<>(new LinkedHashSet<>(requested));
        for (String id : ids) {
            if (!UUID_LIKE.matcher(id).matches()) throw NeutronException.invalidInput("'" + id + "' is not an integer or uuid");
        }
        Set<String> usable = tx.securityGroups().getAll(ids).stream().filter(g -> g.projectId().equals(projectId))
                .map(SecurityGroup::id).collect(Collectors.toSet());
        List<String> missing = ids.stream().filter(id -> !usable.contains(id)).toList();
        if (!missing.isEmpty()) throw SecurityGroupErrors.notFound(String.join(", ", missing));
        return ids;
    }
}
