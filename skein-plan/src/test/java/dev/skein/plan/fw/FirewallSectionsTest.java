package dev.skein.plan.fw;

import dev.skein.plan.DeviceNames;
import dev.skein.plan.fw.FirewallIntent.Direction;
import dev.skein.plan.fw.FirewallIntent.Rule;
import dev.skein.plan.fw.FirewallIntent.SecurityGroup;
import dev.skein.plan.fw.FirewallSections.PortSection;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A change built from only the ports and groups a write touched, applied to the sections before it, gives exactly
 * the sections (and so the nftables plan) compiled from the whole intent after it.
 */
class FirewallSectionsTest {
    static final String NET = "0a1b2c3d-4e5f-4a6b-8c7d-0123456789ab";
    static final String NET2 = "1b2c3d4e-4e5f-4a6b-8c7d-0123456789ab";
    static final String P1 = "11111111-1111-4111-8111-111111111111";
    static final String P2 = "22222222-2222-4222-8222-222222222222";
    static final String P3 = "33333333-3333-4333-8333-333333333333";
    static final String WEB = "5a5a5a5a-0000-4000-8000-000000000001";
    static final String DB = "6b6b6b6b-0000-4000-8000-000000000002";

    record Host(List<FirewallIntent.Port> ports, Map<String, List<Rule>> rules, Map<String, List<String>> members) {
        /** The intent the controller reads for the whole host. */
        FirewallIntent intent() {
            List<SecurityGroup> groups = new ArrayList<>();
            rules.forEach((id, rs) -> groups.add(new SecurityGroup(id, rs)));
            return new FirewallIntent(ports, groups, members);
        }

        /** The intent the controller reads for a change: the touched ports still here, all groups, the members of the given groups. */
        FirewallIntent partial(List<String> touched, List<String> memberGroups) {
            List<SecurityGroup> groups = new ArrayList<>();
            rules.forEach((id, rs) -> groups.add(new SecurityGroup(id, rs)));
            Map<String, List<String>> sent = new java.util.TreeMap<>();
            memberGroups.forEach(g -> sent.put(g, members.getOrDefault(g, List.of())));
            return new FirewallIntent(ports.stream().filter(p -> touched.contains(p.id())).toList(), groups, sent);
        }
    }

    static FirewallIntent.Port port(String id, String net, String ip, boolean security, String... groups) {
        return new FirewallIntent.Port(id, net, DeviceNames.tap(id), "fa:16:3e:00:00:" + id.substring(0, 2), List.of(ip), List.of(), security, List.of(groups));
    }

    static Rule fromGroup(String remote) { return new Rule(Direction.INGRESS, "IPv4", "tcp", 22, 22, null, remote); }

    static Host host() {
        return new Host(List.of(port(P1, NET, "10.0.0.1", true, WEB), port(P2, NET, "10.0.0.2", true, WEB, DB)),
                Map.of(WEB, List.of(fromGroup(WEB)), DB, List.of(fromGroup(DB), new Rule(Direction.EGRESS, "IPv6", null, null, null, null, null))),
                Map.of(WEB, List.of("10.0.0.1", "10.0.0.2", "10.0.9.9"), DB, List.of("10.0.0.2")));
    }

    static void assertChangeReproduces(Host before, Host after, List<String> touched, List<String> memberGroups) {
        FirewallSections base = FirewallCompiler.sections(before.intent());
        FirewallSections applied = base.apply(FirewallCompiler.change(after.partial(touched, memberGroups), touched));
        assertEquals(FirewallCompiler.sections(after.intent()), applied);
        assertEquals(FirewallCompiler.compile(after.intent()), applied.plan());
    }

    static Host with(Host h, UnaryOperator<List<FirewallIntent.Port>> ports) {
        return new Host(ports.apply(new ArrayList<>(h.ports())), h.rules(), h.members());
    }

    @Test
    void aNewPortTravelsAsItsOwnSectionAndItsGroupsMembers() {
        Host before = host();
        Host after = new Host(with(before, ps -> {
            ps.add(port(P3, NET2, "10.0.1.3", true, WEB));
            return ps;
        }).ports(), before.rules(), Map.of(WEB, List.of("10.0.0.1", "10.0.0.2", "10.0.1.3", "10.0.9.9"), DB, List.of("10.0.0.2")));
        assertChangeReproduces(before, after, List.of(P3), List.of(WEB));

        FirewallSections base = FirewallCompiler.sections(before.intent());
        FirewallSections next = base.apply(FirewallCompiler.change(after.partial(List.of(P3), List.of(WEB)), List.of(P3)));
        assertSame(base.ports().get(0), next.ports().get(0), "an untouched port keeps its section object");
        assertSame(base.ports().get(1).chains().get(0), next.plan().table(FirewallPlan.Family.BRIDGE, FirewallCompiler.TABLE).chains().stream()
                .filter(c -> c.name().equals(FirewallCompiler.spoofChain(P2))).findFirst().orElseThrow(), "and its chains");
    }

    @Test
    void aPortThatLeavesOrLosesItsPortSecurityLosesItsSection() {
        Host before = host();
        Host gone = new Host(List.of(before.ports().get(0)), before.rules(), Map.of(WEB, List.of("10.0.0.1", "10.0.9.9")));
        assertChangeReproduces(before, gone, List.of(P2), List.of(WEB, DB));
        Host open = with(before, ps -> {
            ps.set(1, port(P2, NET, "10.0.0.2", false, WEB, DB));
            return ps;
        });
        assertChangeReproduces(before, open, List.of(P2), List.of());
        assertTrue(FirewallCompiler.sections(open.intent()).groups().stream().noneMatch(g -> g.groupId().equals(DB)),
                "a group no port's rules name has no section");
    }

    @Test
    void aRuleChangeTravelsAsTheSectionsOfThePortsInTheGroup() {
        Host before = host();
        Host after = new Host(before.ports(), Map.of(WEB, List.of(fromGroup(WEB), fromGroup(DB)), DB, before.rules().get(DB)), before.members());
        assertChangeReproduces(before, after, List.of(P1, P2), List.of(WEB, DB));
    }

    @Test
    void aMembershipChangeElsewhereTravelsAsTheGroupAlone() {
        Host before = host();
        Host after = new Host(before.ports(), before.rules(), Map.of(WEB, List.of("10.0.0.1", "10.0.0.2"), DB, List.of("10.0.0.2")));
        assertChangeReproduces(before, after, List.of("99999999-9999-4999-8999-999999999999"), List.of(WEB));
        assertChangeReproduces(before, before, List.of(), List.of("7c7c7c7c-0000-4000-8000-000000000003"));
    }

    @Test
    void aChangeCannotCarryASectionItDoesNotName() {
        PortSection section = FirewallCompiler.sections(host().intent()).ports().get(0);
        assertThrows(IllegalArgumentException.class, () -> new FirewallSections.Change(List.of(P2), List.of(section), List.of()));
        assertThrows(IllegalArgumentException.class, () -> new FirewallSections(List.of(section, section), List.of()));
    }
}
