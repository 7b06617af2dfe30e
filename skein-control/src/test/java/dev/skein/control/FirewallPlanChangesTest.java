package dev.skein.control;

import dev.skein.model.Network;
import dev.skein.model.Port;
import dev.skein.model.SecurityGroup;
import dev.skein.model.SecurityGroupRule;
import dev.skein.plan.HostPlan;
import dev.skein.plan.PlanDelta;
import dev.skein.plan.fw.FirewallSections;
import dev.skein.policy.RequestContext;
import dev.skein.service.NetworkService;
import dev.skein.service.PlanChanges;
import dev.skein.service.PortService;
import dev.skein.service.SecurityGroupRuleService;
import dev.skein.service.SecurityGroupService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Which hosts' firewalls security group writes reach, against the real SQL store: rule changes reach the hosts of
 * the group's ports, membership changes reach the hosts whose rules name the group as remote, and the deltas of
 * those hosts carry the sections that changed: applied to the plan fetched before a write, each gives the plan
 * fetched after it.
 */
class FirewallPlanChangesTest {
    static final RequestContext ADMIN = RequestContext.system();

    @TempDir
    Path dir;
    TrackedServices services;
    HostPlanService plans;
    NetworkService networks;
    PortService ports;
    SecurityGroupService groups;
    SecurityGroupRuleService rules;
    List<PlanChanges.Change> changes;

    @BeforeEach
    void open() {
        services = new TrackedServices(dir);
        plans = services.plans;
        networks = services.networks;
        ports = services.ports;
        groups = services.groups;
        rules = services.rules;
        changes = services.changes;
    }

    @AfterEach
    void close() { services.close(); }

    @Test
    void ruleAndMembershipChangesReachExactlyTheHostsThatFilterOnThem() {
        Network n = networks.create(ADMIN, Map.of("name", "n"));
        SecurityGroup web = groups.create(ADMIN, Map.of("name", "web"));
        SecurityGroup clients = groups.create(ADMIN, Map.of("name", "clients"));
        port(n, "h1", web, null);
        HostPlan fetched = plans.plan("h1");
        port(n, "h2", clients, "10.9.0.5");

        SecurityGroupRule fromClients = rules.create(ADMIN, Map.of("security_group_id", web.id(), "direction", "ingress",
                "ethertype", "IPv4", "remote_group_id", clients.id()));
        assertEquals(Set.of("h1"), lastChange().revisions().keySet(), "only h1 has a port in the group");
        PlanDelta toH1 = plans.deltas(lastChange()).get("h1");
        assertNotNull(toH1.firewall());
        fetched = assertDeltaGivesTheFetchedPlan("h1", fetched);
        assertTrue(holds(fetched.firewall(), "10.9.0.5"), "the remote group's member on h2 is in h1's set");

        Port unbound = port(n, null, clients, "10.9.0.7");
        assertEquals(Set.of("h1"), lastChange().revisions().keySet(), "a member anywhere changes the hosts naming its group");
        assertEquals(List.of(), plans.deltas(lastChange()).get("h1").firewall().ports(), "no port of h1 changed");
        fetched = assertDeltaGivesTheFetchedPlan("h1", fetched);
        assertTrue(holds(fetched.firewall(), "10.9.0.7"), "a fetched plan holds it too");

        ports.update(ADMIN, unbound.id(), Map.of("security_groups", List.of()), null);
        assertEquals(Set.of("h1"), lastChange().revisions().keySet());
        fetched = assertDeltaGivesTheFetchedPlan("h1", fetched);
        assertFalse(holds(fetched.firewall(), "10.9.0.7"), "a member that left is gone");

        int before = changes.size();
        ports.update(ADMIN, unbound.id(), Map.of("name", "renamed"), null);
        assertEquals(before, changes.size(), "a change the firewall does not read reaches nobody");

        Port leaving = port(n, null, clients, "10.9.0.8");
        fetched = assertDeltaGivesTheFetchedPlan("h1", fetched);
        assertTrue(holds(fetched.firewall(), "10.9.0.8"));
        ports.delete(ADMIN, leaving.id(), null);
        assertEquals(Set.of("h1"), lastChange().revisions().keySet(), "a deleted member leaves the sets that held it");
        fetched = assertDeltaGivesTheFetchedPlan("h1", fetched);
        assertFalse(holds(fetched.firewall(), "10.9.0.8"));

        rules.delete(ADMIN, fromClients.id(), null);
        assertEquals(Set.of("h1"), lastChange().revisions().keySet());
        fetched = assertDeltaGivesTheFetchedPlan("h1", fetched);
        assertFalse(holds(fetched.firewall(), "10.9.0.5"));
        assertEquals(List.of(), fetched.firewall().groups(), "no rule names clients any more");

        SecurityGroup unused = groups.create(ADMIN, Map.of("name", "unused"));
        rules.create(ADMIN, Map.of("security_group_id", web.id(), "direction", "ingress", "ethertype", "IPv4",
                "remote_group_id", unused.id()));
        fetched = assertDeltaGivesTheFetchedPlan("h1", fetched);
        groups.delete(ADMIN, unused.id(), null);
        assertEquals(Set.of("h1"), lastChange().revisions().keySet(), "its rule in web went with it");
        assertDeltaGivesTheFetchedPlan("h1", fetched);
    }

    @Test
    void portsComingGoingAndChangingOnAHostTravelAsTheirOwnSections() {
        Network n = networks.create(ADMIN, Map.of("name", "n"));
        Network other = networks.create(ADMIN, Map.of("name", "other"));
        SecurityGroup web = groups.create(ADMIN, Map.of("name", "web"));
        rules.create(ADMIN, Map.of("security_group_id", web.id(), "direction", "ingress", "ethertype", "IPv4", "remote_group_id", web.id()));
        Port first = port(n, "h1", web, null);
        HostPlan fetched = plans.plan("h1");
        Port second = port(n, "h1", web, "10.9.1.1");
        assertEquals(List.of(second.id()), plans.deltas(lastChange()).get("h1").firewall().ports().stream()
                .map(FirewallSections.PortSection::portId).toList(), "only the new port's section travels");
        fetched = assertDeltaGivesTheFetchedPlan("h1", fetched);
        ports.update(ADMIN, second.id(), Map.of("allowed_address_pairs", List.of()), null);
        fetched = assertDeltaGivesTheFetchedPlan("h1", fetched);
        ports.update(ADMIN, first.id(), Map.of("port_security_enabled", false, "security_groups", List.of()), null);
        fetched = assertDeltaGivesTheFetchedPlan("h1", fetched);
        ports.update(ADMIN, second.id(), Map.of("binding:host_id", "h2"), null);
        fetched = assertDeltaGivesTheFetchedPlan("h1", fetched);
        assertEquals(List.of(), fetched.firewall().ports());
        Port onOther = port(other, "h1", web, null);
        fetched = assertDeltaGivesTheFetchedPlan("h1", fetched);
        ports.delete(ADMIN, onOther.id(), null);
        assertDeltaGivesTheFetchedPlan("h1", fetched);
    }

    /** The delta of the last change applied to the plan fetched before it is the plan fetched now; returns that. */
    private HostPlan assertDeltaGivesTheFetchedPlan(String host, HostPlan before) {
        HostPlan now = plans.plan(host);
        PlanDelta delta = plans.deltas(lastChange()).get(host);
        assertEquals(now.firewall(), delta.applyTo(before).firewall());
        assertEquals(now.firewall().plan(), delta.applyTo(before).firewall().plan());
        return now;
    }

    @Test
    void anL2OnlyChangeLeavesTheFirewallOut() {
        Network n = networks.create(ADMIN, Map.of("name", "n"));
        port(n, "h1", null, null);
        networks.update(ADMIN, n.id(), Map.of("mtu", 1400), null);
        assertNull(plans.deltas(lastChange()).get("h1").firewall());
    }

    private Port port(Network n, String host, SecurityGroup group, String pairAddress) {
        Map<String, Object> body = new HashMap<>(Map.of("network_id", n.id()));
        if (host != null) body.put("binding:host_id", host);
        if (group != null) body.put("security_groups", List.of(group.id()));
        if (pairAddress != null) body.put("allowed_address_pairs", List.of(Map.of("ip_address", pairAddress)));
        return ports.create(ADMIN, body);
    }

    private static boolean holds(FirewallSections sections, String address) {
        return sections.plan().tables().stream().flatMap(t -> t.sets().stream()).flatMap(s -> s.elements().stream())
                .anyMatch(e -> e.equals(address) || e.startsWith(address + "/"));
    }

    private PlanChanges.Change lastChange() { return changes.get(changes.size() - 1); }
}
